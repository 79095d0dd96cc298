package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// udpBufSize holds any reply: the largest BEP 15 reply is an announce with
// 200 IPv6 peers (3620 bytes); anything longer arrives truncated and fails
// validation.
const udpBufSize = 4096

// udpConn is a non-blocking IPv4 UDP socket bound to one loopback source
// address and connected to the target, with buffers for batches of
// sendmmsg and recvmmsg. It is owned by one goroutine; never share it.
type udpConn struct {
	fd     int
	src    netip.Addr
	connID uint64 // the connection id the target gave this source address

	tx    []unix.Mmsghdr
	txIov []unix.Iovec
	txBuf [][]byte // requests to send; tx[i] points at txBuf[i]
	rx    []unix.Mmsghdr
	rxIov []unix.Iovec
	rxBuf [][udpBufSize]byte
}

// dialUDP opens a socket bound to src (port chosen by the kernel) and
// connected to dst, with room for batch datagrams each way. rcvBuf sets
// SO_RCVBUF (forced past net.core.rmem_max when we are root; this socket
// only, no system setting changes); 0 keeps the default.
func dialUDP(src netip.Addr, dst netip.AddrPort, batch, rcvBuf int) (*udpConn, error) {
	if !src.Is4() || !dst.Addr().Is4() {
		return nil, errors.New("bench: UDP load is IPv4 only")
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot open UDP socket: %w", err)
	}
	u := &udpConn{fd: fd, src: src}
	if rcvBuf > 0 {
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvBuf) != nil {
			_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvBuf)
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: src.As4()}); err != nil {
		u.close()
		return nil, fmt.Errorf("cannot bind UDP socket to %s: %w", src, err)
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: dst.Addr().As4(), Port: int(dst.Port())}); err != nil {
		u.close()
		return nil, fmt.Errorf("cannot connect UDP socket to %s: %w", dst, err)
	}
	u.tx = make([]unix.Mmsghdr, batch)
	u.txIov = make([]unix.Iovec, batch)
	u.txBuf = make([][]byte, batch)
	u.rx = make([]unix.Mmsghdr, batch)
	u.rxIov = make([]unix.Iovec, batch)
	u.rxBuf = make([][udpBufSize]byte, batch)
	for i := range batch {
		u.txBuf[i] = make([]byte, 0, 2048)
		u.tx[i].Hdr.Iov = &u.txIov[i]
		u.tx[i].Hdr.SetIovlen(1)
		u.rxIov[i].Base = &u.rxBuf[i][0]
		u.rxIov[i].SetLen(udpBufSize)
		u.rx[i].Hdr.Iov = &u.rxIov[i]
		u.rx[i].Hdr.SetIovlen(1)
	}
	return u, nil
}

// send transmits txBuf[:n] with sendmmsg and returns how many went out.
// The socket is connected, so no addresses are needed.
func (u *udpConn) send(n int) (int, error) {
	for i := range n {
		u.txIov[i].Base = &u.txBuf[i][0]
		u.txIov[i].SetLen(len(u.txBuf[i]))
	}
	sent := 0
	for sent < n {
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(u.fd),
			uintptr(unsafe.Pointer(&u.tx[sent])), uintptr(n-sent), unix.MSG_DONTWAIT, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return sent, errno
		}
		sent += int(r)
	}
	return sent, nil
}

// recv reads up to a batch of datagrams without blocking; packet(i) returns
// datagram i. It returns 0 and no error when nothing is queued.
func (u *udpConn) recv() (int, error) {
	for {
		r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(u.fd),
			uintptr(unsafe.Pointer(&u.rx[0])), uintptr(len(u.rx)), unix.MSG_DONTWAIT, 0, 0)
		switch errno {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, nil
		}
		return 0, errno
	}
}

// packet returns received datagram i; it aliases the receive buffer and is
// valid until the next recv.
func (u *udpConn) packet(i int) []byte {
	return u.rxBuf[i][:min(int(u.rx[i].Len), udpBufSize)]
}

func (u *udpConn) close() {
	if u.fd >= 0 {
		_ = unix.Close(u.fd)
		u.fd = -1
	}
}

// waitReadable blocks until one of conns has a datagram or timeoutMs passes.
func waitReadable(pfds []unix.PollFd, timeoutMs int) {
	for i := range pfds {
		pfds[i].Revents = 0
	}
	_, _ = unix.Poll(pfds, timeoutMs)
}

// loopbackSource returns the i-th loopback source address of a generator:
// 127.0.0.1, 127.0.0.2, ... then 127.0.1.1 and so on (i < 65000).
func loopbackSource(base byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, base, byte(i / 254), byte(1 + i%254)})
}
