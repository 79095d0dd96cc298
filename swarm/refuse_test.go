package swarm

import "testing"

// refuseOdd refuses the torrents ihOf(i) of odd i (their last byte).
func refuseOdd(ih *InfoHash) bool { return ih[19]&1 == 1 }

func TestCleanRefused(t *testing.T) {
	tb := New(Config{Shards: 4, PeerTimeoutSec: 100})
	const torrents = 300
	for i := range torrents {
		n := 1 + i%3
		if i == 1 {
			n = 2*maxPooled + 5 // a bigList among the refused
		}
		for p := range n {
			ann(t, tb, ihOf(i), peer4(p, p%2 == 0), EventStarted, 0, false, t0)
			ann(t, tb, ihOf(i), peer6(p, false), EventStarted, 0, false, t0)
		}
	}
	before := tb.Stats()
	var st CleanStats
	for range 100 { // bounded steps until every shard has wrapped
		s := tb.CleanRefused(t0+1, 37, refuseOdd)
		if s.Torrents > 37 {
			t.Fatalf("one step swept %d torrents, budget 37", s.Torrents)
		}
		st.TorrentsRefused += s.TorrentsRefused
		st.PeersRemoved += s.PeersRemoved
		st.Wrapped += s.Wrapped
		if st.Wrapped > 4 {
			break
		}
	}
	tb.check(t)
	if st.TorrentsRefused != torrents/2 {
		t.Fatalf("refused %d torrents, want %d", st.TorrentsRefused, torrents/2)
	}
	after := tb.Stats()
	if after.Torrents != torrents/2 {
		t.Fatalf("%d torrents left, want %d", after.Torrents, torrents/2)
	}
	peers := func(s Stats) int { return int(s.Seeders4 + s.Leechers4 + s.Seeders6 + s.Leechers6) }
	if got := peers(before) - peers(after); got != st.PeersRemoved {
		t.Fatalf("PeersRemoved %d, but the table lost %d peers", st.PeersRemoved, got)
	}
	for i := range torrents {
		c := tb.Scrape(new(ihOf(i)), t0+1)
		if refused := i%2 == 1; refused != (c == Counts{}) {
			t.Fatalf("torrent %d: counts %+v after the sweep", i, c)
		}
	}
	// A refused torrent announced again comes back: the table holds no
	// list; the engine refuses the announce before it reaches the table.
	ann(t, tb, ihOf(1), peer4(1, false), EventStarted, 0, false, t0+2)
	tb.check(t)
}

func TestRTCCleanRefused(t *testing.T) {
	tb := NewRTC(RTCConfig{Shards: 2, PeerTimeoutSec: 100, OfferTTLSec: 30})
	for i := range 40 {
		for p := range 1 + i%5 {
			rtcAnn(t, tb, ihOf(i), 100*i+p, p == 0, EventStarted, 0, t0)
		}
	}
	ih1 := ihOf(1)
	a, b := rtcPeerOf(100), rtcPeerOf(101)
	o := offerID(1)
	if err := tb.RegisterOffer(&ih1, &o, &a, &b, t0); err != nil {
		t.Fatal(err)
	}
	st := tb.CleanRefused(t0+1, 1000, refuseOdd)
	tb.check(t)
	if st.TorrentsRefused != 20 || st.OffersRemoved != 1 || st.TorrentsRemoved != 0 {
		t.Fatalf("CleanRefused: %+v", st)
	}
	if s := tb.Stats(); s.Torrents != 20 || s.Offers != 0 {
		t.Fatalf("after CleanRefused: %+v", s)
	}
	if c := tb.Scrape(&ih1, t0+1); c != (Counts{}) {
		t.Fatalf("refused torrent still counts %+v", c)
	}
}

func TestSetNumWant(t *testing.T) {
	tb := New(Config{NumWantDefault: 5, NumWantMax: 10})
	ih := ihOf(1)
	for p := range 60 {
		ann(t, tb, ih, peer4(p, true), EventStarted, 0, false, t0)
	}
	got := func(numWant int) int {
		v4, _, _ := ann(t, tb, ih, peer4(1000, false), EventNone, numWant, false, t0)
		return len(v4)
	}
	if n, m := got(0), got(50); n != 5 || m != 10 {
		t.Fatalf("before SetNumWant: default %d, max %d; want 5, 10", n, m)
	}
	tb.SetNumWant(20, 40)
	if n, m := got(0), got(50); n != 20 || m != 40 {
		t.Fatalf("after SetNumWant(20, 40): default %d, max %d", n, m)
	}
	if c := tb.Config(); c.NumWantDefault != 20 || c.NumWantMax != 40 {
		t.Fatalf("Config() = %+v", c)
	}
	tb.SetNumWant(100, 0) // default capped by the default max
	if c := tb.Config(); c.NumWantDefault != 100 || c.NumWantMax != DefaultNumWantMax {
		t.Fatalf("SetNumWant(100, 0): %+v", c)
	}
	tb.SetNumWant(0, MaxNumWant+1)
	if c := tb.Config(); c.NumWantDefault != DefaultNumWant || c.NumWantMax != MaxNumWant {
		t.Fatalf("SetNumWant(0, MaxNumWant+1): %+v", c)
	}
}
