package swarm

import (
	"math/rand/v2"
	"sync"
	"testing"
)

const t0 = 1_700_000_000 // a Unix time for tests

func TestNew_Defaults(t *testing.T) {
	f := func(in, want Config) {
		t.Helper()
		if got := New(in).Config(); got != want {
			t.Errorf("New(%+v).Config() = %+v, want %+v", in, got, want)
		}
	}
	f(Config{}, Config{Shards: 64, NumWantDefault: 50, NumWantMax: 200, PeerTimeoutSec: 3600})
	f(Config{Shards: 48, NumWantDefault: 30, NumWantMax: 80, PeerTimeoutSec: 60},
		Config{Shards: 64, NumWantDefault: 30, NumWantMax: 80, PeerTimeoutSec: 60})
	f(Config{Shards: 1, NumWantDefault: 300, NumWantMax: 100},
		Config{Shards: 1, NumWantDefault: 100, NumWantMax: 100, PeerTimeoutSec: 3600})
	f(Config{Shards: -3, NumWantMax: 100000}, Config{Shards: 64, NumWantDefault: 50, NumWantMax: MaxNumWant, PeerTimeoutSec: 3600})
	f(Config{Shards: 1 << 30, PeerTimeoutSec: 1 << 31}, Config{Shards: MaxShards, NumWantDefault: 50, NumWantMax: 200, PeerTimeoutSec: MaxPeerTimeoutSec})
}

func TestConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		errs int
	}{
		{Config{}, 0},
		{Config{Shards: 256, NumWantDefault: 80, NumWantMax: 80, PeerTimeoutSec: 7200}, 0},
		{Config{NumWantDefault: 200}, 0}, // default NumWantMax is 200
		{Config{Shards: 48}, 1},
		{Config{Shards: -1}, 1},
		{Config{Shards: 1 << 20}, 1},
		{Config{NumWantMax: 1000}, 1},
		{Config{NumWantDefault: 300}, 1},
		{Config{NumWantDefault: 60, NumWantMax: 50}, 1},
		{Config{PeerTimeoutSec: 1 << 30}, 1},
		{Config{Shards: 3, NumWantMax: -1, NumWantDefault: -1, PeerTimeoutSec: 1 << 31}, 4},
	} {
		err := tc.cfg.Validate()
		n := 0
		if err != nil {
			n = len(err.(interface{ Unwrap() []error }).Unwrap())
		}
		if n != tc.errs {
			t.Errorf("%+v: %d problems (%v), want %d", tc.cfg, n, err, tc.errs)
		}
	}
}

func TestShard_Padding(t *testing.T) {
	if sz := unsafeSizeofShard(); sz%128 != 0 {
		t.Fatalf("shard is %d bytes, want a multiple of 128", sz)
	}
}

func TestAnnounce_Counts(t *testing.T) {
	tb := New(Config{})
	ih := ihOf(1)
	_, _, c := ann(t, tb, ih, peer4(1, false), EventStarted, 0, false, t0)
	if c != (Counts{Leechers: 1}) {
		t.Fatalf("first leecher: %+v", c)
	}
	_, _, c = ann(t, tb, ih, peer4(2, true), EventStarted, 0, false, t0)
	if c != (Counts{Seeders: 1, Leechers: 1}) {
		t.Fatalf("plus a seeder: %+v", c)
	}
	_, _, c = ann(t, tb, ih, peer6(3, false), EventStarted, 0, false, t0)
	if c != (Counts{Seeders: 1, Leechers: 2}) {
		t.Fatalf("plus an IPv6 leecher: %+v", c)
	}
	// The leecher finishes: it becomes a seeder, counted once.
	_, _, c = ann(t, tb, ih, peer4(1, true), EventCompleted, 0, false, t0+10)
	if c != (Counts{Seeders: 2, Leechers: 1, Downloaded: 1}) {
		t.Fatalf("after completed: %+v", c)
	}
	// A seeder that starts downloading again (new content) is a leecher.
	_, _, c = ann(t, tb, ih, peer4(2, false), EventNone, 0, false, t0+20)
	if c != (Counts{Seeders: 1, Leechers: 2, Downloaded: 1}) {
		t.Fatalf("seeder back to leecher: %+v", c)
	}
	if got := tb.Scrape(&ih, t0+20); got != c {
		t.Fatalf("Scrape = %+v, Announce said %+v", got, c)
	}
	want := Stats{Torrents: 1, Seeders4: 1, Leechers4: 1, Leechers6: 1}
	if st := tb.Stats(); st != want {
		t.Fatalf("Stats = %+v, want %+v", st, want)
	}
	tb.check(t)
}

func TestAnnounce_SelfExcluded(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 300} { // inline, arena, big
		tb := New(Config{NumWantMax: MaxNumWant})
		ih := ihOf(n)
		for i := range n {
			ann(t, tb, ih, peer4(i, false), EventStarted, 0, false, t0)
		}
		for i := range n {
			p := peer4(i, false)
			v4, _, _ := ann(t, tb, ih, p, EventNone, MaxNumWant, false, t0+1)
			if contains(v4, compact(p)) {
				t.Fatalf("n=%d: peer %d got itself", n, i)
			}
			if len(v4) != n-1 {
				t.Fatalf("n=%d: got %d peers, want %d", n, len(v4), n-1)
			}
		}
		tb.check(t)
	}
}

func TestAnnounce_SeederGetsLeechersOnly(t *testing.T) {
	for _, size := range []int{4, 40, 400} {
		tb := New(Config{NumWantMax: MaxNumWant})
		ih := ihOf(size)
		leechers := map[string]bool{}
		for i := range size {
			p := peer4(i, i%2 == 0)
			if !p.Seeder {
				leechers[compact(p)] = true
			}
			ann(t, tb, ih, p, EventStarted, 0, false, t0)
		}
		for _, numWant := range []int{1, 5, MaxNumWant} {
			v4, _, _ := ann(t, tb, ih, peer4(0, true), EventNone, numWant, false, t0+1)
			if want := min(numWant, len(leechers)); len(v4) != want {
				t.Errorf("size %d numwant %d: %d peers, want %d", size, numWant, len(v4), want)
			}
			for _, k := range v4 {
				if !leechers[k] {
					t.Fatalf("size %d: seeder got non-leecher %x", size, k)
				}
			}
		}
		// A leecher gets both kinds.
		v4, _, _ := ann(t, tb, ih, peer4(1, false), EventNone, MaxNumWant, false, t0+1)
		if want := min(size-1, MaxNumWant); len(v4) != want {
			t.Errorf("size %d: leecher got %d peers, want %d", size, len(v4), want)
		}
		tb.check(t)
	}
}

func TestAnnounce_SameAddressOtherPort(t *testing.T) {
	tb := New(Config{})
	ih := ihOf(1)
	a, b := peer4(7, false), peer4(7, false)
	b.Port++
	ann(t, tb, ih, a, EventStarted, 0, false, t0)
	v4, _, c := ann(t, tb, ih, b, EventStarted, 0, false, t0)
	if c.Leechers != 2 || len(v4) != 1 || v4[0] != compact(a) {
		t.Fatalf("second port: counts %+v, peers %x", c, v4)
	}
	// Stopping one port leaves the other.
	_, _, c = ann(t, tb, ih, a, EventStopped, 0, false, t0)
	if c.Leechers != 1 {
		t.Fatalf("after stopping one port: %+v", c)
	}
	// The same (address, port) with another role is the same peer.
	b.Seeder = true
	_, _, c = ann(t, tb, ih, b, EventNone, 0, false, t0)
	if c != (Counts{Seeders: 1}) {
		t.Fatalf("same peer as seeder: %+v", c)
	}
	tb.check(t)
}

func TestAnnounce_Families(t *testing.T) {
	tb := New(Config{})
	ih := ihOf(1)
	for i := range 3 {
		ann(t, tb, ih, peer4(i, false), EventStarted, 0, false, t0)
		ann(t, tb, ih, peer6(i, false), EventStarted, 0, false, t0)
	}
	// An IPv4 and an IPv6 peer with the same bytes and port are different.
	twin, p0 := peer6(0, false), peer4(0, false)
	copy(twin.Addr[:], p0.Addr[:4])
	clear(twin.Addr[4:])
	ann(t, tb, ih, twin, EventStarted, 0, false, t0)

	t.Run("udp v4", func(t *testing.T) {
		v4, v6, c := ann(t, tb, ih, peer4(9, false), EventStarted, 0, false, t0)
		if len(v4) != 3 || len(v6) != 0 || c.Leechers != 8 {
			t.Fatalf("got %d v4, %d v6, %+v", len(v4), len(v6), c)
		}
	})
	t.Run("udp v6", func(t *testing.T) {
		v4, v6, _ := ann(t, tb, ih, peer6(9, false), EventStarted, 0, false, t0)
		if len(v4) != 0 || len(v6) != 4 {
			t.Fatalf("got %d v4, %d v6", len(v4), len(v6))
		}
	})
	t.Run("http both", func(t *testing.T) {
		v4, v6, _ := ann(t, tb, ih, peer4(10, false), EventStarted, 0, true, t0)
		if len(v4) != 4 || len(v6) != 5 {
			t.Fatalf("got %d v4, %d v6", len(v4), len(v6))
		}
	})
	t.Run("http own family first", func(t *testing.T) {
		// numwant 6 from a v6 peer: 5 other v6 peers, then 1 v4.
		v4, v6, _ := ann(t, tb, ih, peer6(10, false), EventNone, 6, true, t0)
		if len(v6) != 5 || len(v4) != 1 {
			t.Fatalf("got %d v6, %d v4", len(v6), len(v4))
		}
		v4, v6, _ = ann(t, tb, ih, peer6(10, false), EventNone, 3, true, t0)
		if len(v6) != 3 || len(v4) != 0 {
			t.Fatalf("numwant 3: got %d v6, %d v4", len(v6), len(v4))
		}
	})
	t.Run("http seeder gets leechers of both families only", func(t *testing.T) {
		ann(t, tb, ih, peer4(20, true), EventStarted, 0, false, t0)
		ann(t, tb, ih, peer6(20, true), EventStarted, 0, false, t0)
		v4, v6, _ := ann(t, tb, ih, peer6(21, true), EventStarted, 0, true, t0)
		if contains(v4, compact(peer4(20, true))) || contains(v6, compact(peer6(20, true))) {
			t.Fatal("seeder got a seeder")
		}
		if len(v4) != 5 || len(v6) != 6 {
			t.Fatalf("got %d v4, %d v6", len(v4), len(v6))
		}
	})
	tb.check(t)
}

func TestAnnounce_NumWant(t *testing.T) {
	tb := New(Config{NumWantDefault: 7, NumWantMax: 20})
	ih := ihOf(1)
	for i := range 100 {
		ann(t, tb, ih, peer4(i, false), EventStarted, 0, false, t0)
	}
	for _, tc := range []struct {
		name          string
		numWant, want int
	}{
		{"absent", 0, 7},
		{"negative", -1, 7},
		{"one", 1, 1},
		{"under cap", 15, 15},
		{"at cap", 20, 20},
		{"over cap", 1000, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v4, _, _ := ann(t, tb, ih, peer4(0, false), EventNone, tc.numWant, false, t0)
			if len(v4) != tc.want {
				t.Fatalf("numwant %d: got %d peers, want %d", tc.numWant, len(v4), tc.want)
			}
		})
	}
}

func TestAnnounce_Stopped(t *testing.T) {
	for _, n := range []int{3, 20, 600} {
		tb := New(Config{})
		ih := ihOf(n)
		for i := range n {
			ann(t, tb, ih, peer4(i, i%3 == 0), EventStarted, 0, false, t0)
		}
		before := tb.Scrape(&ih, t0)
		p := peer4(1, false)
		v4, v6, c := ann(t, tb, ih, p, EventStopped, 0, true, t0)
		if len(v4)+len(v6) != 0 {
			t.Fatalf("n=%d: stopped got %d peers", n, len(v4)+len(v6))
		}
		if c.Leechers != before.Leechers-1 || c.Seeders != before.Seeders {
			t.Fatalf("n=%d: stopped counts %+v, before %+v", n, c, before)
		}
		v4, _, _ = ann(t, tb, ih, peer4(2, false), EventNone, MaxNumWant, false, t0)
		if contains(v4, compact(p)) {
			t.Fatalf("n=%d: stopped peer still returned", n)
		}
		// Stopping again, or stopping an unknown peer, changes nothing.
		if _, _, c2 := ann(t, tb, ih, p, EventStopped, 0, false, t0); c2 != c {
			t.Fatalf("n=%d: second stop: %+v, want %+v", n, c2, c)
		}
		tb.check(t)
	}

	t.Run("unknown torrent is not created", func(t *testing.T) {
		tb := New(Config{})
		_, _, c := ann(t, tb, ihOf(5), peer4(1, false), EventStopped, 0, false, t0)
		if c != (Counts{}) || tb.Stats().Torrents != 0 {
			t.Fatalf("counts %+v, stats %+v", c, tb.Stats())
		}
	})
}

func TestAnnounce_Completed(t *testing.T) {
	tb := New(Config{})
	ih := ihOf(1)
	ann(t, tb, ih, peer4(1, false), EventStarted, 0, false, t0)
	ann(t, tb, ih, peer4(2, false), EventStarted, 0, false, t0)
	steps := []struct {
		name string
		p    Peer
		ev   Event
		want uint32
	}{
		{"leecher completes", peer4(1, true), EventCompleted, 1},
		{"repeated completed from the same seeder", peer4(1, true), EventCompleted, 1},
		{"regular announce", peer4(1, true), EventNone, 1},
		{"another peer completes", peer4(2, true), EventCompleted, 2},
		{"new peer announces completed first", peer4(3, true), EventCompleted, 3},
		{"seeder stops", peer4(1, true), EventStopped, 3},
		{"and completes again in a new session", peer4(1, true), EventCompleted, 4},
		{"IPv6 peer completes", peer6(1, true), EventCompleted, 5},
	}
	for _, s := range steps {
		_, _, c := ann(t, tb, ih, s.p, s.ev, 0, false, t0)
		if c.Downloaded != s.want {
			t.Fatalf("%s: downloaded %d, want %d", s.name, c.Downloaded, s.want)
		}
	}
	if c := tb.Scrape(&ih, t0); c.Downloaded != 5 {
		t.Fatalf("Scrape downloaded %d, want 5", c.Downloaded)
	}
	tb.check(t)
}

func TestScrape(t *testing.T) {
	tb := New(Config{PeerTimeoutSec: 100})
	ih := ihOf(1)
	if c := tb.Scrape(&ih, t0); c != (Counts{}) {
		t.Fatalf("unknown torrent: %+v", c)
	}
	ann(t, tb, ih, peer4(1, true), EventCompleted, 0, false, t0)
	ann(t, tb, ih, peer4(2, false), EventStarted, 0, false, t0+50)
	if c := tb.Scrape(&ih, t0+149); c != (Counts{Seeders: 1, Leechers: 1, Downloaded: 1}) {
		t.Fatalf("live: %+v", c)
	}
	// Every peer expired, before any Clean: no seeders or leechers.
	if c := tb.Scrape(&ih, t0+150); c != (Counts{Downloaded: 1}) {
		t.Fatalf("all expired: %+v", c)
	}
}

func TestExpiry(t *testing.T) {
	const interval = 1800
	tb := New(Config{PeerTimeoutSec: 2 * interval})
	ih := ihOf(1)
	late, gone, asker := peer4(1, true), peer4(2, true), peer4(3, false)
	ann(t, tb, ih, late, EventStarted, 0, false, t0)
	ann(t, tb, ih, gone, EventStarted, 0, false, t0)

	// A client that re-announces at 1.9 intervals is still listed.
	now := uint32(t0 + 19*interval/10)
	v4, _, _ := ann(t, tb, ih, late, EventNone, 0, false, now)
	if len(v4) != 0 {
		t.Fatalf("seeder got %d peers from a seeder-only swarm", len(v4))
	}
	v4, _, c := ann(t, tb, ih, asker, EventStarted, 0, false, now)
	if !contains(v4, compact(late)) || !contains(v4, compact(gone)) || c.Seeders != 2 {
		t.Fatalf("at 1.9 intervals: %x, %+v", v4, c)
	}

	// gone never returned: from its timeout on it is not listed, before
	// any Clean call.
	now = t0 + 2*interval
	v4, _, _ = ann(t, tb, ih, asker, EventNone, 0, false, now)
	if contains(v4, compact(gone)) || !contains(v4, compact(late)) {
		t.Fatalf("at the timeout: %x", v4)
	}
	// late keeps announcing; gone is swept by Clean.
	ann(t, tb, ih, late, EventNone, 0, false, now)
	for range 2 {
		tb.Clean(now, 1000)
	}
	if c := tb.Scrape(&ih, now); c.Seeders != 1 || c.Leechers != 1 {
		t.Fatalf("after Clean: %+v", c)
	}

	// Everybody leaves: Clean drops the torrent after the timeout.
	now += 2*interval + 1
	st := tb.Clean(now, 1000)
	if st.PeersRemoved != 2 || st.TorrentsRemoved != 1 || tb.Stats() != (Stats{}) {
		t.Fatalf("final Clean: %+v, Stats %+v", st, tb.Stats())
	}
	tb.check(t)
}

// TestExpiry_BigSwarm checks that peers of an indexed swarm are skipped when
// expired, before Clean, and swept in chunks by Clean.
func TestExpiry_BigSwarm(t *testing.T) {
	tb := New(Config{Shards: 1, PeerTimeoutSec: 100})
	ih := ihOf(1)
	n := 3 * cleanChunk
	for i := range n {
		ann(t, tb, ih, peer4(i, false), EventStarted, 0, false, t0)
	}
	fresh := map[string]bool{}
	for i := range 60 { // re-announce 60 of them later
		ann(t, tb, ih, peer4(i*7, false), EventNone, 0, false, t0+50)
		fresh[compact(peer4(i*7, false))] = true
	}
	// At t0+100 the others are dead: the sparse sampler must skip them;
	// it may come up short, but returns no dead peer.
	for range 20 {
		v4, _, _ := ann(t, tb, ih, peer4(7, false), EventNone, 10, false, t0+100)
		for _, k := range v4 {
			if !fresh[k] {
				t.Fatalf("expired peer %x returned", k)
			}
		}
	}
	st := tb.Clean(t0+100, 10)
	if st.PeersRemoved != n-60 {
		t.Fatalf("Clean removed %d, want %d", st.PeersRemoved, n-60)
	}
	v4, _, c := ann(t, tb, ih, peer4(7, false), EventNone, 100, false, t0+100)
	if len(v4) != 59 || c.Leechers != 60 {
		t.Fatalf("after Clean: %d peers, %+v", len(v4), c)
	}
	s := &tb.shards[0]
	if st := s.slab[0].st[fam4]; st == stBig {
		t.Fatal("60 peers still in a bigList after Clean")
	}
	tb.check(t)
}

func TestClean_Budget(t *testing.T) {
	tb := New(Config{Shards: 4, PeerTimeoutSec: 10})
	const torrents = 1000
	for i := range torrents {
		ann(t, tb, ihOf(i), peer4(i, false), EventStarted, 0, false, t0)
	}
	// Half the torrents have a fresh peer.
	for i := 0; i < torrents; i += 2 {
		ann(t, tb, ihOf(i), peer4(i+1, false), EventStarted, 0, false, t0+9)
	}
	now := uint32(t0 + 10)
	total := CleanStats{}
	for calls := 1; ; calls++ {
		st := tb.Clean(now, 37)
		if st.Torrents > 37 {
			t.Fatalf("call %d swept %d torrents, budget 37", calls, st.Torrents)
		}
		total.Torrents += st.Torrents
		total.TorrentsRemoved += st.TorrentsRemoved
		total.PeersRemoved += st.PeersRemoved
		tb.check(t)
		if total.Torrents >= torrents {
			break
		}
	}
	if total.TorrentsRemoved != torrents/2 || total.PeersRemoved != torrents {
		t.Fatalf("after a round: %+v", total)
	}
	want := Stats{Torrents: torrents / 2, Leechers4: torrents / 2}
	if st := tb.Stats(); st != want {
		t.Fatalf("Stats %+v, want %+v", st, want)
	}
	// A budget bigger than the table sweeps it once and stops.
	if st := tb.Clean(now, 1<<30); st.Torrents > torrents/2+cleanBatch*4 || st.Wrapped != 4 {
		t.Fatalf("big budget: %+v", st)
	}
	if st := New(Config{}).Clean(now, 100); st != (CleanStats{Wrapped: 64}) {
		t.Fatalf("empty table: %+v", st)
	}
}

// TestClean_Shrinks checks that storage follows a swarm down again and that
// every block goes back to the arena.
func TestClean_Shrinks(t *testing.T) {
	tb := New(Config{Shards: 1, PeerTimeoutSec: 10})
	ih := ihOf(1)
	for fam, mk := range []func(int, bool) Peer{peer4, peer6} {
		for i := range 1000 {
			ann(t, tb, ih, mk(i, false), EventStarted, 0, false, t0)
		}
		tr := &tb.shards[0].slab[0]
		if tr.st[fam] != stBig {
			t.Fatalf("fam %d: 1000 peers in state %d", fam, tr.st[fam])
		}
	}
	tb.check(t)
	steps := []struct{ keep, st4, st6 int }{
		{600, stBigInt, stBigInt},
		{100, int(stateFor(fam4, 150)), int(stateFor(fam6, 150))},
		{10, int(stateFor(fam4, 15)), int(stateFor(fam6, 15))},
		{2, int(stInline), int(stateFor(fam6, 3))},
		{0, int(stEmpty), int(stEmpty)},
	}
	now := uint32(t0)
	for _, s := range steps {
		now += 5
		for i := range s.keep {
			ann(t, tb, ih, peer4(i, false), EventNone, 0, false, now)
			ann(t, tb, ih, peer6(i, false), EventNone, 0, false, now)
		}
		now += 6 // the others expire
		tb.Clean(now, 10)
		tb.check(t)
		if s.keep == 0 {
			break
		}
		tr := &tb.shards[0].slab[0]
		if int(tr.n[fam4]) != s.keep || int(tr.st[fam4]) != s.st4 || int(tr.st[fam6]) != s.st6 {
			t.Fatalf("keep %d: n %d, states %d %d, want %d %d", s.keep, tr.n[fam4], tr.st[fam4], tr.st[fam6], s.st4, s.st6)
		}
	}
	tb.Clean(now+10, 10)
	sh := &tb.shards[0]
	if len(sh.slab) != 0 || sh.arena.blocks != ([2][numClasses]int{}) || len(sh.bigFree) != len(sh.bigs) {
		t.Fatalf("left: %d torrents, blocks %v, bigs %d/%d free", len(sh.slab), sh.arena.blocks, len(sh.bigFree), len(sh.bigs))
	}
}

const stBigInt = int(stBig)

// TestBigSwarm runs 200k peers through one torrent: announce, role changes,
// re-announce, stop, with the index checked throughout.
func TestBigSwarm(t *testing.T) {
	n := 200_000
	if testing.Short() || raceEnabled {
		n = 20_000
	}
	tb := New(Config{Shards: 16})
	ih := ihOf(42)
	for i := range n {
		_, _, c := ann(t, tb, ih, peer4(i, i%4 == 0), EventStarted, 0, false, t0)
		if int(c.Seeders+c.Leechers) != i+1 {
			t.Fatalf("peer %d: counts %+v", i, c)
		}
	}
	seeders := (n + 3) / 4
	if c := tb.Scrape(&ih, t0); int(c.Seeders) != seeders || int(c.Leechers) != n-seeders {
		t.Fatalf("full: %+v", c)
	}
	tb.check(t)

	// Every other peer re-announces; a tenth change role; a third stop.
	r := rand.New(rand.NewPCG(1, 2))
	role := make([]int8, n) // 1 seeder, 0 leecher, -1 gone
	for i := range n {
		if i%4 == 0 {
			role[i] = 1
		}
	}
	for _, i := range r.Perm(n) {
		switch {
		case i%3 == 0:
			ann(t, tb, ih, peer4(i, role[i] == 1), EventStopped, 0, false, t0+1)
			role[i] = -1
		case i%10 == 1:
			role[i] = 1 - role[i]
			ann(t, tb, ih, peer4(i, role[i] == 1), EventNone, 0, false, t0+1)
		case i%2 == 0:
			ann(t, tb, ih, peer4(i, role[i] == 1), EventNone, 0, false, t0+1)
		}
	}
	var s, l int
	for _, x := range role {
		switch x {
		case 1:
			s++
		case 0:
			l++
		}
	}
	if c := tb.Scrape(&ih, t0+1); int(c.Seeders) != s || int(c.Leechers) != l {
		t.Fatalf("after churn: %+v, want %d seeders %d leechers", c, s, l)
	}
	tb.check(t)

	// Replies: right size, right kind, no self, no stopped peer.
	for _, i := range []int{1, 2, 4, 5, 8, 11} {
		if role[i] < 0 {
			continue
		}
		p := peer4(i, role[i] == 1)
		v4, _, _ := ann(t, tb, ih, p, EventNone, 200, false, t0+1)
		if len(v4) != 200 {
			t.Fatalf("peer %d: %d peers", i, len(v4))
		}
		for _, k := range v4 {
			j := int(be.Uint32(([]byte(k))[:4]) &^ (10 << 24))
			if j == i || role[j] < 0 || (p.Seeder && role[j] == 1) {
				t.Fatalf("peer %d (role %d) got peer %d (role %d)", i, role[i], j, role[j])
			}
		}
	}
}

// TestConcurrent runs announces, scrapes, Stats and Clean from many
// goroutines on a few hot torrents; run it with -race.
func TestConcurrent(t *testing.T) {
	defer func(c int) { cleanChunk = c }(cleanChunk)
	cleanChunk = 16 // let go of the lock often inside big swarms
	tb := New(Config{Shards: 4, PeerTimeoutSec: 30})
	const (
		workers  = 16
		torrents = 8
		peers    = 600 // per torrent: enough to cross into a bigList
	)
	iters := 5000
	if testing.Short() {
		iters = 500
	}
	for i := range peers { // one big swarm from the start, for Clean to chew on
		ann(t, tb, ihOf(0), peer4(i, i%2 == 0), EventStarted, 0, false, t0)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var d4, d6 []byte
			var a AnnounceArgs
			for it := range iters {
				now := uint32(t0 + it/40)
				ih := ihOf(r.IntN(torrents))
				switch r.IntN(20) {
				case 0:
					tb.Scrape(&ih, now)
					continue
				case 1:
					if w < 2 { // concurrent Clean calls are serialised
						tb.Clean(now, 3)
					}
					continue
				case 2:
					tb.Stats()
					continue
				}
				i := r.IntN(peers)
				p := peer4(i, r.IntN(3) == 0)
				if i%5 == 0 {
					p = peer6(i, p.Seeder)
				}
				a = AnnounceArgs{InfoHash: ih, Peer: p, Event: Event(r.IntN(4)), NumWant: r.IntN(60), BothFamilies: r.IntN(2) == 0}
				d4, d6, _ = tb.Announce(d4[:0], d6[:0], &a, now)
				if len(d4)%6 != 0 || len(d6)%18 != 0 || len(d4)/6+len(d6)/18 > max(a.NumWant, 50) {
					t.Errorf("reply of %d+%d bytes", len(d4), len(d6))
					return
				}
			}
		})
	}
	wg.Wait()
	tb.check(t)
	bigs := 0
	for i := range tb.shards {
		bigs += len(tb.shards[i].bigs)
	}
	if bigs == 0 {
		t.Error("no swarm grew into a bigList: the test misses that path")
	}
	st := tb.Stats()
	if st.Torrents == 0 || st.Torrents > torrents || st.Leechers4+st.Seeders4 > torrents*peers {
		t.Fatalf("Stats %+v", st)
	}
}
