package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"unsafe"

	"github.com/trackerd/trackerd/codec/udp"
	"golang.org/x/sys/unix"
)

// ceilingConnID is the connection id the UDP ceiling hands out. It checks
// none: it does no work a real tracker could skip.
const ceilingConnID = 0x5eed5eed5eed5eed

// ceilingInterval is the announce interval the ceilings reply with.
const ceilingInterval = 1800

// ServeUDPCeiling answers BEP 15 requests on addr (IPv4) as cheaply as a
// tracker possibly could, to show what the machine and the generator allow:
// one thread, blocking recvmmsg and one sendmmsg per batch, replies written
// in place with the codec's encoders. A connect gets a connect reply, an
// announce an empty announce reply (no peers), a scrape one zero entry per
// info hash; anything else is dropped. It keeps no state and serves until
// the process is killed, or returns the first socket error.
func ServeUDPCeiling(addr netip.AddrPort, batch int) error {
	if !addr.Addr().Is4() {
		return errors.New("bench: the UDP ceiling listens on IPv4 only")
	}
	runtime.LockOSThread()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cannot open UDP socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: addr.Addr().As4(), Port: int(addr.Port())}); err != nil {
		return fmt.Errorf("cannot bind %s: %w", addr, err)
	}
	batch = max(batch, 1)
	var (
		rx    = make([]unix.Mmsghdr, batch)
		rxIov = make([]unix.Iovec, batch)
		names = make([][unix.SizeofSockaddrInet4]byte, batch)
		bufs  = make([][udp.MaxPacketSize + 1]byte, batch)
		tx    = make([]unix.Mmsghdr, batch)
		txIov = make([]unix.Iovec, batch)
		out   = make([][]byte, batch)
	)
	for i := range batch {
		rxIov[i].Base = &bufs[i][0]
		rxIov[i].SetLen(len(bufs[i]))
		rx[i].Hdr.Iov = &rxIov[i]
		rx[i].Hdr.SetIovlen(1)
		rx[i].Hdr.Name = &names[i][0]
		tx[i].Hdr.Iov = &txIov[i]
		tx[i].Hdr.SetIovlen(1)
		out[i] = make([]byte, 0, udp.ScrapeReplyHeaderSize+udp.MaxScrapeHashes*udp.ScrapeEntrySize)
	}
	for {
		for i := range rx {
			rx[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		}
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd),
			uintptr(unsafe.Pointer(&rx[0])), uintptr(batch), unix.MSG_WAITFORONE, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		m := 0
		for i := range int(n) {
			reply := ceilingReply(out[m][:0], bufs[i][:rx[i].Len])
			if reply == nil {
				continue
			}
			out[m] = reply
			txIov[m].Base = &reply[0]
			txIov[m].SetLen(len(reply))
			tx[m].Hdr.Name = &names[i][0]
			tx[m].Hdr.Namelen = rx[i].Hdr.Namelen
			m++
		}
		for sent := 0; sent < m; {
			k, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd),
				uintptr(unsafe.Pointer(&tx[sent])), uintptr(m-sent), 0, 0, 0)
			if errno == unix.EINTR {
				continue
			}
			if errno != 0 {
				sent++ // drop the datagram the kernel refused; keep serving
				continue
			}
			sent += int(k)
		}
	}
}

// ceilingReply appends the ceiling's reply to request pkt onto dst, or
// returns nil to drop it.
func ceilingReply(dst, pkt []byte) []byte {
	if len(pkt) < udp.ConnectSize {
		return nil
	}
	txID := binary.BigEndian.Uint32(pkt[12:16])
	switch udp.Action(binary.BigEndian.Uint32(pkt[8:12])) {
	case udp.ActionConnect:
		return udp.AppendConnect(dst, txID, ceilingConnID)
	case udp.ActionAnnounce:
		if len(pkt) < udp.AnnounceMinSize {
			return nil
		}
		return udp.AppendAnnounce(dst, txID, ceilingInterval, 0, 0, nil)
	case udp.ActionScrape:
		n := (len(pkt) - udp.ConnectSize) / 20
		if n == 0 || n > udp.MaxScrapeHashes || (len(pkt)-udp.ConnectSize)%20 != 0 {
			return nil
		}
		dst = udp.AppendScrapeHeader(dst, txID)
		for range n {
			dst = udp.AppendScrapeEntry(dst, 0, 0, 0)
		}
		return dst
	}
	return nil
}
