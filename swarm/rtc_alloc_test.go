//go:build !race

package swarm

import "testing"

// TestAllocs_RTCAnnounce checks that an announce to a known torrent
// allocates nothing when dst has room: every sampling regime, seeders,
// offers registered, role changes and stop/start.
func TestAllocs_RTCAnnounce(t *testing.T) {
	tb := NewRTC(RTCConfig{NumWantMax: MaxRTCNumWant})
	sizes := []int{3, 100, 1000}
	for ti, n := range sizes {
		for i := range n {
			rtcAnn(t, tb, ihOf(ti), i, i%5 == 0, EventStarted, 0, t0)
		}
	}
	dst := make([]RTCPeer, 0, MaxRTCNumWant)
	ids := make([][20]byte, MaxRTCNumWant)
	for i := range ids {
		ids[i] = offerID(i)
	}
	for _, tc := range []struct {
		name string
		a    RTCAnnounce
	}{
		{"tiny", RTCAnnounce{InfoHash: ihOf(0), PeerID: rtcID(1), Conn: rtcConn(1), NumWant: 10}},
		{"100 peers 10 targets", RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(1), Conn: rtcConn(1), NumWant: 10}},
		{"100 peers all", RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(1), Conn: rtcConn(1), NumWant: MaxRTCNumWant}},
		{"100 peers seeder", RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(0), Conn: rtcConn(0), Seeder: true, NumWant: 10}},
		{"100 peers 10 offers", RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(2), Conn: rtcConn(2), NumWant: 10, OfferIDs: ids[:10]}},
		{"1000 peers max offers", RTCAnnounce{InfoHash: ihOf(2), PeerID: rtcID(2), Conn: rtcConn(2), NumWant: MaxRTCNumWant, OfferIDs: ids}},
		{"role change", RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(3), Conn: rtcConn(3), NumWant: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			for range 10 { // offers: reach the per-peer cap, so that the pool stops growing
				dst, _, _ = tb.Announce(dst[:0], &a, t0+1)
			}
			n := testing.AllocsPerRun(1000, func() {
				var err error
				dst, _, err = tb.Announce(dst[:0], &a, t0+1)
				if err != nil {
					t.Fatal(err)
				}
				if tc.name == "role change" {
					a.Seeder = !a.Seeder
				}
			})
			if n != 0 {
				t.Fatalf("%v allocations per announce", n)
			}
		})
	}
	t.Run("stop and start", func(t *testing.T) {
		a := RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(4), Conn: rtcConn(4), NumWant: 10}
		n := testing.AllocsPerRun(1000, func() {
			a.Event = EventStopped
			dst, _, _ = tb.Announce(dst[:0], &a, t0+1)
			a.Event = EventStarted
			dst, _, _ = tb.Announce(dst[:0], &a, t0+1)
		})
		if n != 0 {
			t.Fatalf("%v allocations per stop+start", n)
		}
	})
	t.Run("refused", func(t *testing.T) {
		a := RTCAnnounce{InfoHash: ihOf(1), PeerID: rtcID(5), Conn: MakeConn(9, 9, 9), NumWant: 10}
		n := testing.AllocsPerRun(1000, func() {
			if _, _, err := tb.Announce(dst[:0], &a, t0+1); err != ErrPeerIDTaken {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Fatalf("%v allocations per refused announce", n)
		}
	})
}

// TestAllocs_RTCOffer checks that registering and taking an offer, and
// Remove, Scrape and an idle Clean, allocate nothing on a warm table.
func TestAllocs_RTCOffer(t *testing.T) {
	tb := NewRTC(RTCConfig{})
	ih := ihOf(1)
	for i := range 100 {
		rtcAnn(t, tb, ih, i, false, EventStarted, 0, t0)
	}
	a, b := rtcPeerOf(1), rtcPeerOf(2)
	o := offerID(1)
	n := testing.AllocsPerRun(1000, func() {
		if err := tb.RegisterOffer(&ih, &o, &a, &b, t0+1); err != nil {
			t.Fatal(err)
		}
		if _, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, t0+1); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per RegisterOffer+TakeOffer", n)
	}
	unknown := ihOf(2)
	n = testing.AllocsPerRun(1000, func() {
		tb.TakeOffer(&ih, &o, &b, &a.PeerID, t0+1) // no such offer
		tb.Scrape(&ih, t0+1)
		tb.Scrape(&unknown, t0+1)
		tb.Remove(&ih, &a.PeerID, b.Conn) // not its connection
		tb.Clean(t0+1, 10)
	})
	if n != 0 {
		t.Fatalf("%v allocations per failed TakeOffer, Scrape, Remove, Clean", n)
	}
}
