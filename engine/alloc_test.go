//go:build !race

package engine

import (
	"net/netip"
	"testing"

	"github.com/trackerd/trackerd/codec/udp"
	"golang.org/x/sys/unix"
)

func TestAllocs_UDPHandle(t *testing.T) {
	for _, name := range []string{"announce", "scrape", "connect"} {
		t.Run(name, func(t *testing.T) {
			f := newHandlerFixture(t)
			pkt := map[string][]byte{"announce": f.announce, "scrape": f.scrape, "connect": f.connect}[name]
			dst := make([]byte, 0, txCap)
			f.h.handle(dst, pkt, &f.from, f.now) // warm: creates the torrent
			if n := testing.AllocsPerRun(1000, func() {
				if f.h.handle(dst, pkt, &f.from, f.now) == nil {
					t.Fatal("no reply")
				}
			}); n != 0 {
				t.Fatalf("allocs per %s = %v, want 0", name, n)
			}
		})
	}
}

// TestAllocs_MmsgWorker sends one announce at a time through a worker's
// socket: recvmmsg, handle, sendmmsg.
func TestAllocs_MmsgWorker(t *testing.T) {
	f := newHandlerFixture(t)
	server, err := udpSocket(netip.MustParseAddrPort("127.0.0.1:0"), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := newMmsgWorker(server, -1, 8, f.h, func() uint32 { return f.now })
	defer unix.Close(server)
	sa, _ := unix.Getsockname(server)
	cl, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cl)
	if err := unix.Bind(cl, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Connect(cl, sa); err != nil {
		t.Fatal(err)
	}
	// The client's real address, for the connection id the fixture made.
	csa, _ := unix.Getsockname(cl)
	f.from.set4(csa.(*unix.SockaddrInet4).Addr, uint16(csa.(*unix.SockaddrInet4).Port))
	pkt := f.reconnect()
	reply := make([]byte, 4096)
	once := func() {
		if _, err := unix.Write(cl, pkt); err != nil {
			t.Fatal(err)
		}
		n, err := w.recv()
		if err != nil || n != 1 {
			t.Fatalf("recv = %d, %v", n, err)
		}
		w.serve(n)
		m, err := unix.Read(cl, reply)
		if err != nil || m < udp.AnnounceReplyHeaderSize || reply[3] != byte(udp.ActionAnnounce) {
			t.Fatalf("reply %x, %v", reply[:max(m, 0)], err)
		}
	}
	once()
	if n := testing.AllocsPerRun(1000, once); n != 0 {
		t.Fatalf("allocs per request through the worker = %v, want 0", n)
	}
}
