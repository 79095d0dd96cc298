package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/swarm"
)

// udpClient speaks BEP 15 to one trackerd address from one socket.
type udpClient struct {
	conn   *net.UDPConn
	connID uint64
	peer   int // compact peer size of the socket's family
}

func dialUDP(t *testing.T, addr netip.AddrPort) *udpClient {
	t.Helper()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &udpClient{conn: conn, peer: udp.PeerSizeV4}
	if addr.Addr().Is6() {
		c.peer = udp.PeerSizeV6
	}
	resp := c.exchange(t, &udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect})
	c.connID = resp.ConnID
	return c
}

// exchange sends req (its TxID set here) and returns the reply, which owns
// its buffer. Loopback does not lose datagrams, but a slow start might.
func (c *udpClient) exchange(t *testing.T, req *udp.Request) udp.Response {
	t.Helper()
	req.TxID = mrand.Uint32()
	pkt := udp.AppendRequest(nil, req)
	buf := make([]byte, 2048)
	for try := 0; ; try++ {
		if _, err := c.conn.Write(pkt); err != nil {
			t.Fatal(err)
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := c.conn.Read(buf)
		if err != nil {
			if try < 2 {
				continue
			}
			t.Fatalf("no reply to action %d: %v", req.Action, err)
		}
		var resp udp.Response
		if err := resp.Parse(buf[:n], c.peer); err != nil || resp.TxID != req.TxID {
			t.Fatalf("reply %x: %v", buf[:n], err)
		}
		if resp.Action == udp.ActionError {
			t.Fatalf("error reply: %s", resp.Message)
		}
		return resp
	}
}

func (c *udpClient) announce(t *testing.T, ih [20]byte, port uint16, left uint64, ev udp.Event, numWant int32) udp.Response {
	t.Helper()
	req := udp.Request{ConnID: c.connID, Action: udp.ActionAnnounce}
	req.Announce = udp.Announce{InfoHash: ih, Left: left, Event: ev, NumWant: numWant, Port: port}
	copy(req.Announce.PeerID[:], fmt.Sprintf("-ST0001-%012d", port))
	return c.exchange(t, &req)
}

// scrape returns the counts of hashes (at most udp.MaxScrapeHashes).
func (c *udpClient) scrape(t *testing.T, hashes [][20]byte) []swarm.Counts {
	t.Helper()
	req := udp.Request{ConnID: c.connID, Action: udp.ActionScrape, NHashes: len(hashes)}
	copy(req.Hashes[:], hashes)
	resp := c.exchange(t, &req)
	if resp.NScrape() != len(hashes) {
		t.Fatalf("scrape of %d hashes: %d entries", len(hashes), resp.NScrape())
	}
	out := make([]swarm.Counts, len(hashes))
	for i := range out {
		s, d, l := resp.ScrapeEntry(i)
		out[i] = swarm.Counts{Seeders: s, Leechers: l, Downloaded: d}
	}
	return out
}

// logLine returns the first JSON log line of p with message msg, or nil.
func (p *process) logLine(msg string) map[string]any {
	for line := range strings.Lines(p.logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			return m
		}
	}
	return nil
}

func (p *process) stopOK(t *testing.T) time.Duration {
	t.Helper()
	took, err := p.stop(t, syscall.SIGTERM)
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
	}
	return took
}

// restartConfig serves UDP and HTTP on both loopback families, keeping the
// snapshot at path.
func restartConfig(path string) string {
	return "[udp]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\n" +
		"[http]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\n[admin]\nlisten = \"\"\n" +
		"[state]\nfile = " + fmt.Sprintf("%q", path) + "\n"
}

// addrOf returns p's first address of the family asked for.
func addrOf(t *testing.T, addrs []netip.AddrPort, ipv4 bool) netip.AddrPort {
	t.Helper()
	for _, a := range addrs {
		if a.Addr().Is4() == ipv4 {
			return a
		}
	}
	t.Fatalf("no IPv4=%v address in %v", ipv4, addrs)
	return netip.AddrPort{}
}

// TestTrackerd_RestartKeepsSwarms: 500 peers announce to 50 torrents over
// UDP and HTTP, IPv4 and IPv6, seeders and leechers, some completing;
// trackerd stops on SIGTERM and starts again on its snapshot. Every
// torrent scrapes as before, and a new peer is sent the old ones.
func TestTrackerd_RestartKeepsSwarms(t *testing.T) {
	const peers, torrents = 500, 50
	path := filepath.Join(t.TempDir(), "swarms.snap")
	p := startTrackerd(t, restartConfig(path))
	if l := p.logLine("no swarm snapshot: starting empty"); l == nil || l["file"] != path {
		t.Errorf("first start does not say that there is no snapshot: %v", l)
	}

	hashes := make([][20]byte, torrents)
	for i := range hashes {
		_, _ = rand.Read(hashes[i][:])
	}
	want := make([]swarm.Counts, torrents)
	members := make([]map[string]bool, torrents) // compact peers of each torrent
	clients := map[bool]*udpClient{true: dialUDP(t, addrOf(t, p.udp, true)), false: dialUDP(t, addrOf(t, p.udp, false))}
	for i := range peers {
		ti := i % torrents
		round := i / torrents // each torrent gets one peer per round
		v4 := round%2 == 0
		port := uint16(20000 + i)
		completed := i%5 == 0
		seeder := completed || i%3 == 0
		var left uint64 = 1000
		if seeder {
			left = 0
		}
		if (round/2)%2 == 0 {
			ev := udp.EventStarted
			if completed {
				ev = udp.EventCompleted
			}
			clients[v4].announce(t, hashes[ti], port, left, ev, 0)
		} else {
			ip, tracker := "::1", addrOf(t, p.http, false)
			if v4 {
				ip, tracker = "127.0.0.1", addrOf(t, p.http, true)
			}
			ev := "started"
			if completed {
				ev = "completed"
			}
			rawPeer{ip: ip, id: fmt.Sprintf("-ST0001-%012d", port), port: int(port)}.
				announce(t, tracker, hashes[ti], fmt.Sprintf("event=%s&left=%d&compact=1", ev, left))
		}
		switch {
		case completed:
			want[ti].Downloaded++
			want[ti].Seeders++
		case seeder:
			want[ti].Seeders++
		default:
			want[ti].Leechers++
		}
		ip := netip.MustParseAddr("::1")
		if v4 {
			ip = netip.MustParseAddr("127.0.0.1")
		}
		if members[ti] == nil {
			members[ti] = map[string]bool{}
		}
		members[ti][string(binary.BigEndian.AppendUint16(ip.AsSlice(), port))] = true
	}
	if got := clients[true].scrape(t, hashes); !slices.Equal(got, want) {
		t.Fatalf("before the restart, scrape gives\n%v\nwant\n%v", got, want)
	}
	p.stopOK(t)
	written := p.logLine("swarm snapshot written")
	if written == nil || written["peers"] != float64(peers) || written["torrents"] != float64(torrents) {
		t.Fatalf("stop log: %v\n%s", written, p.logs)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || written["bytes"] != float64(fi.Size()) {
		t.Errorf("snapshot is %v, %d bytes; the log says %v bytes", fi.Mode(), fi.Size(), written["bytes"])
	}

	p = startTrackerd(t, restartConfig(path))
	loaded := p.logLine("swarm snapshot loaded")
	if loaded == nil || loaded["peers"] != float64(peers) || loaded["torrents"] != float64(torrents) || loaded["file"] != path {
		t.Fatalf("start log: %v\n%s", loaded, p.logs)
	}
	t.Logf("%d peers in %d torrents: %d bytes, written in %v, loaded in %v (race-detector build)",
		peers, torrents, fi.Size(), written["took"], loaded["took"])
	clients = map[bool]*udpClient{true: dialUDP(t, addrOf(t, p.udp, true)), false: dialUDP(t, addrOf(t, p.udp, false))}
	if got := clients[false].scrape(t, hashes); !slices.Equal(got, want) {
		t.Fatalf("after the restart, scrape gives\n%v\nwant\n%v", got, want)
	}

	// A new leecher of each family is sent the old peers of its family.
	for _, v4 := range []bool{true, false} {
		const ti = 7
		resp := clients[v4].announce(t, hashes[ti], 40000, 1000, udp.EventStarted, 200)
		var old int
		for k := range members[ti] {
			if (len(k) == udp.PeerSizeV4) == v4 {
				old++
			}
		}
		if n := len(resp.Peers) / clients[v4].peer; n != old || old == 0 {
			t.Fatalf("IPv4=%v: new peer sent %d peers, want the %d old ones", v4, n, old)
		}
		for b := resp.Peers; len(b) > 0; b = b[clients[v4].peer:] {
			if !members[ti][string(b[:clients[v4].peer])] {
				t.Fatalf("IPv4=%v: new peer sent %x, not an old peer", v4, b[:clients[v4].peer])
			}
		}
	}
	p.stopOK(t)
}

// TestTrackerd_SnapshotRefused: a corrupt, a stale, a foreign snapshot and
// one of another version each get a warning naming the file and the reason,
// and trackerd starts empty; it then replaces the file on stop.
func TestTrackerd_SnapshotRefused(t *testing.T) {
	// A good snapshot, written as trackerd would, with one peer.
	tb := swarm.New(swarm.Config{})
	ih := swarm.InfoHash{1, 2, 3}
	a := swarm.AnnounceArgs{InfoHash: ih, Peer: swarm.Peer{Addr: [16]byte{127, 0, 0, 9}, Port: 6881}}
	now := uint32(time.Now().Unix())
	tb.Announce(nil, nil, &a, now)
	snap := func(now uint32) []byte {
		var b bytes.Buffer
		if _, err := tb.WriteSnapshot(&b, now); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	good := snap(now)

	for _, tc := range []struct {
		name   string
		file   []byte
		reason string
	}{
		{name: "one byte flipped", file: func() []byte {
			b := bytes.Clone(good)
			b[len(b)/2] ^= 0x10
			return b
		}(), reason: "corrupt snapshot"},
		{name: "truncated", file: good[:len(good)-1], reason: "truncated"},
		{name: "older than the peer timeout", file: snap(now - 3601), reason: "older than the peer timeout"},
		{name: "foreign", file: []byte("d8:announce"), reason: "not a trackerd swarm snapshot"},
		{name: "other version", file: func() []byte {
			b := bytes.Clone(good)
			b[len("TRACKERD-SWARM")] = 9
			return b
		}(), reason: "unsupported snapshot version 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "swarms.snap")
			if err := os.WriteFile(path, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			p := startTrackerd(t, restartConfig(path))
			w := p.logLine("swarm snapshot not loaded: starting empty")
			if w == nil || w["level"] != "WARN" || w["file"] != path || !strings.Contains(fmt.Sprint(w["err"]), tc.reason) {
				t.Fatalf("want a warning naming %s and %q; log:\n%s", path, tc.reason, p.logs)
			}
			t.Logf("%s: %v", tc.name, w["err"])
			c := dialUDP(t, addrOf(t, p.udp, true))
			if got := c.scrape(t, [][20]byte{ih}); got[0] != (swarm.Counts{}) {
				t.Fatalf("started with %+v", got[0])
			}
			p.stopOK(t)
			if _, _, err := swarm.ReadSnapshot(mustOpen(t, path), swarm.Config{}, uint32(time.Now().Unix())); err != nil {
				t.Fatalf("the refused file was not replaced on stop: %v", err)
			}
		})
	}

	t.Run("good", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "swarms.snap")
		if err := os.WriteFile(path, good, 0o600); err != nil {
			t.Fatal(err)
		}
		p := startTrackerd(t, restartConfig(path))
		c := dialUDP(t, addrOf(t, p.udp, true))
		if got := c.scrape(t, [][20]byte{ih}); got[0] != (swarm.Counts{Leechers: 1}) {
			t.Fatalf("loaded %+v; log:\n%s", got[0], p.logs)
		}
		p.stopOK(t)
	})
}

// TestTrackerd_SnapshotWriteFails: when the snapshot cannot be written,
// trackerd logs an error, exits with status 1 and leaves the previous
// snapshot in place.
func TestTrackerd_SnapshotWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "swarms.snap")
	old := []byte("the previous snapshot")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startTrackerd(t, restartConfig(path))
	// The temporary file's name taken by a directory: the write fails
	// whoever runs the test (root ignores file modes).
	if err := os.Mkdir(path+".tmp", 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := p.stop(t, syscall.SIGTERM)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFail {
		t.Fatalf("exit %v, want status %d", err, exitFail)
	}
	if l := p.logLine("cannot write swarm snapshot: the previous one, if any, is kept"); l == nil || l["level"] != "ERROR" || l["file"] != path {
		t.Fatalf("no error log naming the file:\n%s", p.logs)
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, old) {
		t.Fatalf("previous snapshot now %q, %v", b, err)
	}
}

func TestStateConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		file, err string
	}{
		{file: ""},
		{file: filepath.Join(dir, "swarms.snap")},
		{file: dir, err: "is a directory"},
		{file: filepath.Join(dir, "missing", "swarms.snap"), err: "cannot use directory"},
	} {
		path, err := stateConfig{File: tc.file}.check()
		if tc.err == "" && (err != nil || path != tc.file) {
			t.Errorf("%q: %q, %v", tc.file, path, err)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "state.file: ")) {
			t.Errorf("%q: %v, want state.file: ...%s", tc.file, err, tc.err)
		}
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
