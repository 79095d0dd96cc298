//go:build !race

package engine

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/swarm"
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
	server, err := bindSocket(netip.MustParseAddrPort("127.0.0.1:0"), unix.SOCK_DGRAM, false, 0)
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

// TestAllocs_HTTPServe: parse, swarm and encode of one announce (compact and
// not) and one scrape on a warm table, through the transport-independent
// handler.
func TestAllocs_HTTPServe(t *testing.T) {
	e, err := New(httpConfig("127.0.0.1:0"), swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	h := newHTTPHandler(e, new(Counters))
	var remote endpoint
	now := uint32(time.Now().Unix())
	for i := range 60 { // a swarm to sample from
		remote.set4([4]byte{10, 0, 0, byte(i)}, 1000)
		h.serve(nil, []byte("GET "+announceTarget(9, 6881, 10, "")+" HTTP/1.1\r\n\r\n"), &remote, now)
	}
	for _, target := range []string{
		announceTarget(9, 6881, 10, "&compact=1&numwant=50"),
		announceTarget(9, 6881, 10, "&compact=0&numwant=50"),
		"/scrape?info_hash=%09%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%2b&info_hash=12345678901234567890",
	} {
		in := []byte("GET " + target + " HTTP/1.1\r\nHost: tracker\r\nUser-Agent: qBittorrent/4.5.2\r\n\r\n")
		out := make([]byte, 0, 16<<10)
		out, _, _ = h.serve(out[:0], in, &remote, now)
		if !bytes.Contains(out, []byte("200 OK")) {
			t.Fatalf("%s: %q", target, out)
		}
		if n := testing.AllocsPerRun(1000, func() {
			out, _, _ = h.serve(out[:0], in, &remote, now)
		}); n != 0 {
			t.Fatalf("%s: allocs per request = %v, want 0", target, n)
		}
	}
}

// TestAllocs_WSRelay: an announce with an offer, relayed to another
// connection of the same loop, and the answer relayed back, on warm
// connections.
func TestAllocs_WSRelay(t *testing.T) {
	g, l, conns, fakes := relayLoop(t, wsConfig(), nil, 2)
	now := uint32(time.Now().Unix())
	out := make([]byte, 0, 4096)
	// Peer 1 joins; peer 0 then announces with one offer, which goes to peer 1.
	out, _ = g.message(l, conns[1], out[:0], textMsg([]byte(announceMsg(1, 1, 0, ""))), now)
	offer := []byte(announceMsg(1, 0, 1, ""))
	answer := []byte(fmt.Sprintf(`{"action":"announce","info_hash":%s,"peer_id":%s,"to_peer_id":%s,"offer_id":%s,"answer":{"type":"answer","sdp":"v=0"}}`,
		jsonString(id(1)), jsonString(id(1)), jsonString(id(0)), jsonString(id(100))))
	round := func() {
		// Parse copies nothing, but unmasking and parsing must not run over
		// a buffer twice: give each message fresh bytes from a fixed copy.
		out, _ = g.message(l, conns[0], out[:0], textMsg(append(scratch[:0], offer...)), now)
		g.flushRelays(l)
		if len(fakes[1].out) == 0 {
			t.Fatal("offer not relayed")
		}
		fakes[1].out = fakes[1].out[:0]
		out, _ = g.message(l, conns[1], out[:0], textMsg(append(scratch[:0], answer...)), now)
		g.flushRelays(l)
		if len(fakes[0].out) == 0 {
			t.Fatal("answer not relayed")
		}
		fakes[0].out = fakes[0].out[:0]
	}
	round()
	if n := testing.AllocsPerRun(1000, round); n != 0 {
		t.Fatalf("allocs per offer and answer relayed = %v, want 0", n)
	}
}

var scratch = make([]byte, 0, 4096)
