//go:build !race

package swarm

import "testing"

// TestAllocs_Announce checks that an announce to a known torrent allocates
// nothing when dst has room, in every storage state and reply regime.
func TestAllocs_Announce(t *testing.T) {
	tb := New(Config{})
	for i := range 2 { // inline
		ann(t, tb, ihOf(1), peer4(i, false), EventStarted, 0, false, t0)
	}
	for i := range 40 { // arena, both families
		ann(t, tb, ihOf(2), peer4(i, i%2 == 0), EventStarted, 0, false, t0)
		ann(t, tb, ihOf(2), peer6(i, i%2 == 0), EventStarted, 0, false, t0)
	}
	for i := range 5000 { // bigList
		ann(t, tb, ihOf(3), peer4(i, i%3 == 0), EventStarted, 0, false, t0)
	}
	d4, d6 := make([]byte, 0, 6*MaxNumWant), make([]byte, 0, 18*MaxNumWant)
	for _, tc := range []struct {
		name string
		a    AnnounceArgs
	}{
		{"inline", AnnounceArgs{InfoHash: ihOf(1), Peer: peer4(0, false)}},
		{"arena leecher", AnnounceArgs{InfoHash: ihOf(2), Peer: peer4(1, false)}},
		{"arena seeder", AnnounceArgs{InfoHash: ihOf(2), Peer: peer4(0, true)}},
		{"arena v6 both families", AnnounceArgs{InfoHash: ihOf(2), Peer: peer6(1, false), BothFamilies: true, NumWant: 60}},
		{"big", AnnounceArgs{InfoHash: ihOf(3), Peer: peer4(1, false)}},
		{"big max numwant", AnnounceArgs{InfoHash: ihOf(3), Peer: peer4(1, false), NumWant: MaxNumWant}},
		{"big seeder", AnnounceArgs{InfoHash: ihOf(3), Peer: peer4(0, true), Event: EventCompleted}},
		{"big role change", AnnounceArgs{InfoHash: ihOf(3), Peer: peer4(5, false)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			n := testing.AllocsPerRun(1000, func() {
				d4, d6, _ = tb.Announce(d4[:0], d6[:0], &a, t0+1)
				if tc.name == "big role change" {
					a.Peer.Seeder = !a.Peer.Seeder
				}
			})
			if n != 0 {
				t.Fatalf("%v allocations per announce", n)
			}
		})
	}
	t.Run("stop and start", func(t *testing.T) {
		a := AnnounceArgs{InfoHash: ihOf(2), Peer: peer4(3, false)}
		n := testing.AllocsPerRun(1000, func() {
			a.Event = EventStopped
			d4, d6, _ = tb.Announce(d4[:0], d6[:0], &a, t0+1)
			a.Event = EventStarted
			d4, d6, _ = tb.Announce(d4[:0], d6[:0], &a, t0+1)
		})
		if n != 0 {
			t.Fatalf("%v allocations per stop+start", n)
		}
	})
}

func TestAllocs_Scrape(t *testing.T) {
	tb := New(Config{})
	ann(t, tb, ihOf(1), peer4(1, false), EventStarted, 0, false, t0)
	known, unknown := ihOf(1), ihOf(2)
	if n := testing.AllocsPerRun(1000, func() {
		tb.Scrape(&known, t0)
		tb.Scrape(&unknown, t0)
	}); n != 0 {
		t.Fatalf("%v allocations per scrape", n)
	}
}

func TestAllocs_Clean(t *testing.T) {
	tb := New(Config{})
	for i := range 1000 {
		ann(t, tb, ihOf(i%100), peer4(i, false), EventStarted, 0, false, t0)
	}
	if n := testing.AllocsPerRun(100, func() { tb.Clean(t0+1, 50) }); n != 0 {
		t.Fatalf("%v allocations per Clean with nothing to do", n)
	}
}
