package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/swarm"
	"golang.org/x/sys/unix"
)

func testConfig(backend string, listen ...string) Config {
	return Config{
		UDP:     UDPConfig{Listen: listen, Backend: backend, Batch: 8},
		Tracker: TrackerConfig{AnnounceInterval: 30 * time.Minute, MinInterval: 15 * time.Minute, MaxScrape: 10},
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startEngine runs an engine on loopback ports chosen by the kernel and
// stops it when the test ends.
func startEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg, swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return e
}

// client is a BEP 15 client on its own UDP socket.
type client struct {
	t      *testing.T
	conn   *net.UDPConn
	connID uint64
	tx     uint32
	buf    [4096]byte
	resp   udp.Response
	peer   int // compact peer size for this family
}

func dial(t *testing.T, server netip.AddrPort) *client {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	size := udp.PeerSizeV4
	if server.Addr().Is6() {
		size = udp.PeerSizeV6
	}
	return &client{t: t, conn: c, peer: size}
}

// roundTrip sends pkt and returns the raw reply, or nil if none came.
func (c *client) roundTrip(pkt []byte) []byte {
	c.t.Helper()
	if _, err := c.conn.Write(pkt); err != nil {
		c.t.Fatal(err)
	}
	c.conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := c.conn.Read(c.buf[:])
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		c.t.Fatal(err)
	}
	return c.buf[:n]
}

func (c *client) do(r *udp.Request) *udp.Response {
	c.t.Helper()
	c.tx++
	r.TxID = c.tx
	reply := c.roundTrip(udp.AppendRequest(nil, r))
	if reply == nil {
		c.t.Fatalf("no reply to action %d", r.Action)
	}
	if err := c.resp.Parse(reply, c.peer); err != nil {
		c.t.Fatalf("bad reply %x: %v", reply, err)
	}
	if c.resp.TxID != c.tx {
		c.t.Fatalf("reply txid %d, want %d", c.resp.TxID, c.tx)
	}
	return &c.resp
}

func (c *client) connect() {
	c.t.Helper()
	r := c.do(&udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect})
	if r.Action != udp.ActionConnect {
		c.t.Fatalf("connect answered with action %d %q", r.Action, r.Message)
	}
	c.connID = r.ConnID
}

func (c *client) announce(ih byte, port uint16, left uint64, ev udp.Event) *udp.Response {
	c.t.Helper()
	r := &udp.Request{ConnID: c.connID, Action: udp.ActionAnnounce}
	r.Announce.InfoHash[0] = ih
	r.Announce.PeerID[0] = byte(port)
	r.Announce.Port = port
	r.Announce.Left = left
	r.Announce.Event = ev
	r.Announce.NumWant = -1
	return c.do(r)
}

func (c *client) scrape(ih ...byte) *udp.Response {
	c.t.Helper()
	r := &udp.Request{ConnID: c.connID, Action: udp.ActionScrape, NHashes: len(ih)}
	for i, b := range ih {
		r.Hashes[i][0] = b
	}
	return c.do(r)
}

// counts scrapes one torrent: seeders, completed, leechers.
func (c *client) counts(ih byte) [3]uint32 {
	c.t.Helper()
	r := c.scrape(ih)
	if r.Action != udp.ActionScrape || r.NScrape() != 1 {
		c.t.Fatalf("scrape answered with action %d %q", r.Action, r.Message)
	}
	s, d, l := r.ScrapeEntry(0)
	return [3]uint32{s, d, l}
}

// peers decodes compact peers into address:port strings.
func peers(b []byte, size int) []string {
	var out []string
	for ; len(b) >= size; b = b[size:] {
		a, _ := netip.AddrFromSlice(b[:size-2])
		out = append(out, netip.AddrPortFrom(a, binary.BigEndian.Uint16(b[size-2:size])).String())
	}
	return out
}

// TestUDP is the behaviour suite every UDP backend passes, over IPv4 and IPv6.
func TestUDP(t *testing.T) {
	for _, backend := range []string{BackendMmsg, BackendGnet} {
		t.Run(backend, func(t *testing.T) {
			e := startEngine(t, testConfig(backend, "127.0.0.1:0", "[::1]:0"))
			for _, addr := range e.UDPAddrs() {
				// Counts are per torrent over both families: each family's
				// run uses torrents of its own (info hashes base+1..).
				family, base := "ipv4", byte(0)
				if addr.Addr().Is6() {
					family, base = "ipv6", 100
				}
				t.Run(family, func(t *testing.T) { udpSuite(t, e, addr, base) })
			}
		})
	}
}

func udpSuite(t *testing.T, e *Engine, addr netip.AddrPort, base byte) {
	host := addr.Addr().String()
	if addr.Addr().Is6() {
		host = "[" + host + "]"
	}
	t.Run("swarm", func(t *testing.T) {
		leecher, seeder := dial(t, addr), dial(t, addr)
		leecher.connect()
		seeder.connect()
		r := leecher.announce(base+1, 1001, 50, udp.EventStarted)
		if r.Action != udp.ActionAnnounce || len(r.Peers) != 0 || r.Leechers != 1 || r.Seeders != 0 {
			t.Fatalf("first announce: action %d leechers %d seeders %d peers %d %q", r.Action, r.Leechers, r.Seeders, len(r.Peers), r.Message)
		}
		if r.Interval > 1800 || r.Interval < 1700 {
			t.Fatalf("interval %d, want 1800 less a little jitter", r.Interval)
		}
		r = seeder.announce(base+1, 1002, 0, udp.EventCompleted)
		got := peers(r.Peers, seeder.peer)
		if want := host + ":1001"; len(got) != 1 || got[0] != want || r.Seeders != 1 || r.Leechers != 1 {
			t.Fatalf("seeder got peers %v (seeders %d leechers %d), want [%s]", got, r.Seeders, r.Leechers, want)
		}
		if c := leecher.counts(base + 1); c != [3]uint32{1, 1, 1} {
			t.Fatalf("scrape = %v, want seeders 1, completed 1, leechers 1", c)
		}
		r = leecher.announce(base+1, 1001, 0, udp.EventStopped)
		if len(r.Peers) != 0 {
			t.Fatalf("stopped announce returned peers %x", r.Peers)
		}
		if c := seeder.counts(base + 1); c != [3]uint32{1, 1, 0} {
			t.Fatalf("after stop scrape = %v", c)
		}
		if c := seeder.counts(base + 99); c != [3]uint32{} {
			t.Fatalf("unknown torrent scrape = %v", c)
		}
	})

	t.Run("bep41", func(t *testing.T) {
		c := dial(t, addr)
		c.connect()
		r := &udp.Request{ConnID: c.connID, Action: udp.ActionAnnounce, TxID: 77}
		r.Announce.InfoHash[0] = base + 2
		r.Announce.Port = 3000
		r.Announce.Left = 1
		pkt := udp.AppendRequest(nil, r)
		pkt = append(pkt[:udp.AnnounceMinSize], 0x02, 0x09)
		pkt = append(pkt, "/announce"...)
		pkt = append(pkt, 0x01, 0x00, 0xff, 0xff) // NOP, EndOfOptions, junk after it
		reply := c.roundTrip(pkt)
		if err := c.resp.Parse(reply, c.peer); err != nil || c.resp.Action != udp.ActionAnnounce || c.resp.Leechers != 1 {
			t.Fatalf("BEP 41 announce: %v action %d %q", err, c.resp.Action, c.resp.Message)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		c := dial(t, addr)
		c.connect()
		valid := func() *udp.Request {
			r := &udp.Request{ConnID: c.connID, Action: udp.ActionAnnounce, TxID: 5}
			r.Announce.InfoHash[0] = base + 3
			r.Announce.Port = 4000
			return r
		}
		announce := udp.AppendRequest(nil, valid())
		with := func(f func(b []byte)) []byte {
			b := bytes.Clone(announce)
			f(b)
			return b
		}
		badConn := with(func(b []byte) { b[0] ^= 0xff })
		scrape := func(n int) []byte {
			r := &udp.Request{ConnID: c.connID, Action: udp.ActionScrape, TxID: 5, NHashes: min(n, udp.MaxScrapeHashes)}
			b := udp.AppendRequest(nil, r)
			return append(b, make([]byte, 20*(n-r.NHashes))...)
		}
		tests := []struct {
			name    string
			pkt     []byte
			wantErr string // "" means no reply at all
			counter Counter
		}{
			{name: "short", pkt: announce[:10], counter: UDPDroppedShort},
			{name: "wrong protocol id", pkt: with(func(b []byte) { b[0], b[8], b[9], b[10], b[11] = 1, 0, 0, 0, 0 })[:16], counter: UDPDroppedProtoID},
			{name: "bad connection id", pkt: badConn, wantErr: msgBadConnID, counter: UDPBadConnID},
			{name: "bad connection id, tiny packet", pkt: badConn[:16], wantErr: msgBadConnID[:8], counter: UDPBadConnID},
			{name: "unknown action", pkt: with(func(b []byte) { b[11] = 9 }), wantErr: "unknown action", counter: UDPBadRequest},
			{name: "short announce", pkt: announce[:60], wantErr: "short", counter: UDPBadRequest},
			{name: "event out of range", pkt: with(func(b []byte) { b[83] = 4 }), wantErr: "event", counter: UDPBadRequest},
			{name: "port 0", pkt: with(func(b []byte) { b[96], b[97] = 0, 0 }), wantErr: msgBadPort, counter: UDPBadRequest},
			{name: "oversize", pkt: append(bytes.Clone(announce), make([]byte, 3000)...), wantErr: "oversize", counter: UDPBadRequest},
			{name: "scrape without hashes", pkt: scrape(0), wantErr: "no info hash", counter: UDPBadRequest},
			{name: "scrape over max_scrape", pkt: scrape(11), wantErr: msgManyHashes, counter: UDPBadRequest},
			{name: "scrape over the protocol bound", pkt: scrape(udp.MaxScrapeHashes + 1), wantErr: "too many", counter: UDPBadRequest},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := e.Count(tc.counter)
				reply := c.roundTrip(tc.pkt)
				switch {
				case tc.wantErr == "" && reply != nil:
					t.Fatalf("got reply %x, want none", reply)
				case tc.wantErr != "":
					if err := c.resp.Parse(reply, c.peer); err != nil || c.resp.Action != udp.ActionError {
						t.Fatalf("reply %x (%v), want an error", reply, err)
					}
					if !strings.Contains(string(c.resp.Message), tc.wantErr) {
						t.Fatalf("error %q does not say %q", c.resp.Message, tc.wantErr)
					}
					if c.resp.TxID != 5 && len(tc.pkt) >= 16 {
						t.Fatalf("error txid %d", c.resp.TxID)
					}
				}
				if reply != nil && tc.counter == UDPBadConnID && len(reply) > len(tc.pkt) {
					t.Fatalf("reply of %d bytes to %d unauthenticated bytes", len(reply), len(tc.pkt))
				}
				waitCount(t, e, tc.counter, before+1)
			})
		}
		if got := c.counts(base + 3); got != [3]uint32{} {
			t.Fatalf("bad requests changed the swarm: %v", got)
		}
	})
}

// waitCount waits for counter k to reach want: a worker counts a dropped
// datagram after the client has already given up waiting for a reply.
func waitCount(t *testing.T, e *Engine, k Counter, want uint64) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); e.Count(k) < want; {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d, want %d", CounterNames[k], e.Count(k), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestUDP_PortInUse(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		fd, err := bindSocket(netip.MustParseAddrPort("127.0.0.1:0"), unix.SOCK_DGRAM, reuse, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		sa, _ := unix.Getsockname(fd)
		port := sa.(*unix.SockaddrInet4).Port
		addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)).String()
		e, err := New(testConfig(BackendMmsg, addr), swarm.New(swarm.Config{}), testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		err = e.Start()
		if err == nil || !strings.Contains(err.Error(), "already in use") {
			t.Fatalf("reuseport=%v: Start on a taken port = %v, want 'already in use'", reuse, err)
		}
	}
}

func TestUDP_ShutdownIsPrompt(t *testing.T) {
	for _, backend := range []string{BackendMmsg, BackendGnet} {
		t.Run(backend, func(t *testing.T) {
			e, err := New(testConfig(backend, "127.0.0.1:0", "[::1]:0"), swarm.New(swarm.Config{}), testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Start(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if err := e.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown did not finish within a second: %v", err)
			}
		})
	}
}
