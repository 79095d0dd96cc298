package engine

import (
	"encoding/binary"
	"errors"
	"sync/atomic"
	"unsafe"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/engine/internal/pin"
	"golang.org/x/sys/unix"
)

const (
	// rxSize is one byte over the largest datagram the codec accepts, so an
	// oversize datagram arrives (truncated) longer than udp.MaxPacketSize
	// and is refused as such, not parsed as a shorter one.
	rxSize = udp.MaxPacketSize + 1
	// txCap is a reply buffer's starting capacity: an announce reply with
	// 200 IPv6 peers. A larger reply grows the buffer once; it is kept.
	txCap = announceHeader + 200*18
)

// mmsgWorker serves one UDP socket from one pinned OS thread: recvmmsg
// fills a batch, each datagram is handled in place, and one sendmmsg
// answers the batch.
//
// Owned by its goroutine; other goroutines touch only stop and, after the
// goroutine has exited, fd.
type mmsgWorker struct {
	fd    int
	cpu   int // -1: not pinned
	h     *udpHandler
	stats *Counters
	now   func() uint32
	stop  atomic.Bool
	done  chan struct{}

	// Batch state. The kernel reads and writes these through the pointers
	// in rx and tx; they live in this heap object, which never moves.
	rx    []unix.Mmsghdr
	rxIov []unix.Iovec
	names [][unix.SizeofSockaddrInet6]byte
	bufs  [][rxSize]byte
	tx    []unix.Mmsghdr
	txIov []unix.Iovec
	out   [][]byte // reply buffers, one per batch slot
	from  endpoint
}

func newMmsgWorker(fd, cpu, batch int, h *udpHandler, now func() uint32) *mmsgWorker {
	w := &mmsgWorker{
		fd: fd, cpu: cpu, h: h, stats: h.stats, now: now,
		done:  make(chan struct{}),
		rx:    make([]unix.Mmsghdr, batch),
		rxIov: make([]unix.Iovec, batch),
		names: make([][unix.SizeofSockaddrInet6]byte, batch),
		bufs:  make([][rxSize]byte, batch),
		tx:    make([]unix.Mmsghdr, batch),
		txIov: make([]unix.Iovec, batch),
		out:   make([][]byte, batch),
	}
	for i := range batch {
		w.rxIov[i].Base = &w.bufs[i][0]
		w.rxIov[i].SetLen(rxSize)
		w.rx[i].Hdr.Iov = &w.rxIov[i]
		w.rx[i].Hdr.SetIovlen(1)
		w.rx[i].Hdr.Name = &w.names[i][0]
		w.tx[i].Hdr.Iov = &w.txIov[i]
		w.tx[i].Hdr.SetIovlen(1)
		w.out[i] = make([]byte, 0, txCap)
	}
	return w
}

// run serves until Close. It must run on its own goroutine.
func (w *mmsgWorker) run() error {
	defer close(w.done)
	if w.cpu >= 0 {
		if err := pin.Thread(w.cpu); err != nil {
			return err
		}
	}
	for !w.stop.Load() {
		n, err := w.recv()
		if err != nil {
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			if w.stop.Load() {
				return nil
			}
			return err
		}
		if n == 0 {
			continue // woken by shutdown(2)
		}
		w.serve(n)
	}
	return nil
}

// serve handles the n datagrams in the receive batch and sends the replies.
func (w *mmsgWorker) serve(n int) {
	now := w.now()
	m := 0
	for i := range n {
		hdr := &w.rx[i]
		pkt := w.bufs[i][:hdr.Len]
		if !w.source(i, hdr.Hdr.Namelen) {
			continue
		}
		reply := w.h.handle(w.out[m][:0], pkt, &w.from, now)
		if reply == nil {
			continue
		}
		w.out[m] = reply[:0] // keep a buffer that grew
		w.txIov[m].Base = &reply[0]
		w.txIov[m].SetLen(len(reply))
		w.tx[m].Hdr.Name = &w.names[i][0]
		w.tx[m].Hdr.Namelen = hdr.Hdr.Namelen
		m++
	}
	w.send(m)
}

// source decodes the sender address of batch slot i into w.from.
func (w *mmsgWorker) source(i int, namelen uint32) bool {
	b := &w.names[i]
	// struct sockaddr_in{,6}: family in host order, port in network order.
	switch binary.NativeEndian.Uint16(b[0:2]) {
	case unix.AF_INET:
		w.from.set4([4]byte(b[4:8]), binary.BigEndian.Uint16(b[2:4]))
		return namelen >= unix.SizeofSockaddrInet4
	case unix.AF_INET6:
		w.from.addr = [16]byte(b[8:24])
		w.from.port = binary.BigEndian.Uint16(b[2:4])
		return namelen >= unix.SizeofSockaddrInet6
	}
	return false
}

func (w *mmsgWorker) recv() (int, error) {
	for i := range w.rx {
		w.rx[i].Hdr.Namelen = unix.SizeofSockaddrInet6
	}
	// MSG_WAITFORONE: block for the first datagram, then take what is queued.
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(w.fd),
		uintptr(unsafe.Pointer(&w.rx[0])), uintptr(len(w.rx)), unix.MSG_WAITFORONE, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// send transmits tx[:m], resuming after partial sends and skipping a
// datagram the kernel refuses (counted) so the rest still go out.
func (w *mmsgWorker) send(m int) {
	for i := 0; i < m; {
		n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(w.fd),
			uintptr(unsafe.Pointer(&w.tx[i])), uintptr(m-i), 0, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			w.stats.add(UDPSendErrors, 1)
			i++
			continue
		}
		w.stats.add(UDPPacketsOut, uint64(n))
		for _, iov := range w.txIov[i : i+int(n)] {
			w.stats.add(UDPBytesOut, iov.Len)
		}
		i += int(n)
	}
}

// Close stops the worker and closes its socket. Safe to call once, from
// any goroutine.
func (w *mmsgWorker) Close() error {
	w.stop.Store(true)
	// shutdown(2) wakes a thread blocked in recvmmsg on a UDP socket; Linux
	// returns ENOTCONN for an unconnected socket but still wakes it.
	if err := unix.Shutdown(w.fd, unix.SHUT_RDWR); err != nil && !errors.Is(err, unix.ENOTCONN) {
		return err
	}
	<-w.done
	return unix.Close(w.fd)
}
