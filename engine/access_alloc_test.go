//go:build !race

package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/trackerd/trackerd/swarm"
)

// TestAllocs_AccessCheck runs served and refused announces and scrapes, on
// UDP and HTTP, with an access list in force: the check adds no allocation.
func TestAllocs_AccessCheck(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0")
	cfg.Access = AccessConfig{Mode: AccessAllow, File: writeList(t, filepath.Join(t.TempDir(), "a.list"), udpHash(7), httpHash(9))}
	e, err := New(cfg, swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	now := uint32(time.Now().Unix())

	f := newHandlerFixture(t)
	f.h.live = &e.live // the fixture's own engine has no list
	dst := make([]byte, 0, txCap)
	for name, pkt := range map[string][]byte{"udp announce": f.announce, "udp scrape": f.scrape} {
		f.h.handle(dst, pkt, &f.from, f.now)
		if n := testing.AllocsPerRun(1000, func() { f.h.handle(dst, pkt, &f.from, f.now) }); n != 0 {
			t.Errorf("%s: %v allocs, want 0", name, n)
		}
	}
	refused := append([]byte(nil), f.announce...)
	refused[16] = 8 // info hash byte 0: not on the list
	f.h.handle(dst, refused, &f.from, f.now)
	if n := testing.AllocsPerRun(1000, func() { f.h.handle(dst, refused, &f.from, f.now) }); n != 0 {
		t.Errorf("refused udp announce: %v allocs, want 0", n)
	}
	if e.Count(UDPAccessRefused) != 0 || f.h.stats.Load(UDPAccessRefused) == 0 {
		t.Fatalf("refusals not counted on the handler's counters")
	}

	h := newHTTPHandler(e, new(Counters))
	var remote endpoint
	remote.set4([4]byte{10, 0, 0, 1}, 1000)
	for _, target := range []string{
		announceTarget(9, 6881, 10, ""),
		announceTarget(8, 6881, 10, ""), // refused
		"/scrape?info_hash=%09%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%2b&info_hash=12345678901234567890",
	} {
		in := []byte("GET " + target + " HTTP/1.1\r\nHost: tracker\r\n\r\n")
		out := make([]byte, 0, 16<<10)
		out, _, _ = h.serve(out[:0], in, &remote, now)
		if n := testing.AllocsPerRun(1000, func() { out, _, _ = h.serve(out[:0], in, &remote, now) }); n != 0 {
			t.Errorf("http %s: %v allocs, want 0", target, n)
		}
	}
	if h.stats.Load(HTTPAccessRefused) == 0 {
		t.Fatal("no http refusal counted")
	}
}
