package swarm

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

func TestNewRTC_Defaults(t *testing.T) {
	f := func(in, want RTCConfig) {
		t.Helper()
		if got := NewRTC(in).Config(); got != want {
			t.Errorf("NewRTC(%+v).Config() = %+v, want %+v", in, got, want)
		}
	}
	f(RTCConfig{}, RTCConfig{Shards: 64, NumWantMax: 10, PeerTimeoutSec: 1200, OfferTTLSec: 120, MaxOffersPerPeer: 40})
	f(RTCConfig{Shards: 48, NumWantMax: 5, PeerTimeoutSec: 300, OfferTTLSec: 30, MaxOffersPerPeer: 7},
		RTCConfig{Shards: 64, NumWantMax: 5, PeerTimeoutSec: 300, OfferTTLSec: 30, MaxOffersPerPeer: 7})
	f(RTCConfig{NumWantMax: 500, MaxOffersPerPeer: 3},
		RTCConfig{Shards: 64, NumWantMax: MaxRTCNumWant, PeerTimeoutSec: 1200, OfferTTLSec: 120, MaxOffersPerPeer: MaxRTCNumWant})
	f(RTCConfig{Shards: 1 << 30, PeerTimeoutSec: 1 << 31, OfferTTLSec: 1 << 31, MaxOffersPerPeer: 1 << 20},
		RTCConfig{Shards: MaxShards, NumWantMax: 10, PeerTimeoutSec: MaxPeerTimeoutSec, OfferTTLSec: MaxPeerTimeoutSec, MaxOffersPerPeer: MaxRTCOffersPerPeer})
}

func TestRTCConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		cfg  RTCConfig
		errs int
	}{
		{RTCConfig{}, 0},
		{RTCConfig{Shards: 128, NumWantMax: 82, PeerTimeoutSec: 240, OfferTTLSec: 60, MaxOffersPerPeer: 82}, 0},
		{RTCConfig{MaxOffersPerPeer: 10}, 0}, // the default NumWantMax is 10
		{RTCConfig{MaxOffersPerPeer: 9}, 1},
		{RTCConfig{NumWantMax: 20, MaxOffersPerPeer: 19}, 1},
		{RTCConfig{Shards: 3}, 1},
		{RTCConfig{NumWantMax: 83}, 1},
		{RTCConfig{PeerTimeoutSec: 1 << 30}, 1},
		{RTCConfig{OfferTTLSec: 1 << 30}, 1},
		{RTCConfig{MaxOffersPerPeer: MaxRTCOffersPerPeer + 1}, 1},
		{RTCConfig{Shards: -1, NumWantMax: -1, PeerTimeoutSec: 1 << 31, OfferTTLSec: 1 << 31, MaxOffersPerPeer: -1}, 5},
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

func TestRTC_RecordSizes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"rtcTorrent", unsafe.Sizeof(rtcTorrent{}), 44},
		{"rtcRec", unsafe.Sizeof(rtcRec{}), 48},
		{"rtcOffer", unsafe.Sizeof(rtcOffer{}), 56},
	} {
		if tc.got != tc.want {
			t.Errorf("%s is %d bytes, want %d (update the comments)", tc.name, tc.got, tc.want)
		}
	}
	if sz := unsafe.Sizeof(rtcShard{}); sz%128 != 0 {
		t.Errorf("rtcShard is %d bytes, want a multiple of 128", sz)
	}
}

func TestConn_Pack(t *testing.T) {
	for _, tc := range []struct {
		loop uint16
		slot uint32
		gen  uint16
	}{{0, 0, 0}, {1, 2, 3}, {0xFFFF, 0xFFFFFFFF, 0xFFFF}, {7, 1 << 31, 1 << 15}} {
		c := MakeConn(tc.loop, tc.slot, tc.gen)
		if c.Loop() != tc.loop || c.Slot() != tc.slot || c.Gen() != tc.gen {
			t.Errorf("MakeConn(%d, %d, %d) = %#x unpacks to %d, %d, %d", tc.loop, tc.slot, tc.gen, uint64(c), c.Loop(), c.Slot(), c.Gen())
		}
	}
	// A reused slot has another generation, so another Conn.
	if MakeConn(1, 5, 1) == MakeConn(1, 5, 2) || MakeConn(1, 5, 1) == MakeConn(2, 5, 1) {
		t.Error("distinct connections share a Conn")
	}
}

func TestRTCAnnounce_Counts(t *testing.T) {
	tb := NewRTC(RTCConfig{})
	ih := ihOf(1)
	f := func(i int, seeder bool, ev Event, want Counts) {
		t.Helper()
		if _, c := rtcAnn(t, tb, ih, i, seeder, ev, 0, t0); c != want {
			t.Fatalf("peer %d seeder=%v event %d: %+v, want %+v", i, seeder, ev, c, want)
		}
		if c := tb.Scrape(&ih, t0); c != want {
			t.Fatalf("Scrape %+v, want %+v", c, want)
		}
	}
	f(1, false, EventStarted, Counts{Leechers: 1})
	f(2, true, EventStarted, Counts{Seeders: 1, Leechers: 1})
	f(3, false, EventNone, Counts{Seeders: 1, Leechers: 2})
	f(1, false, EventStarted, Counts{Seeders: 1, Leechers: 2}) // started again: an update
	// completed marks a seeder even with left > 0, and counts once.
	f(1, false, EventCompleted, Counts{Seeders: 2, Leechers: 1, Downloaded: 1})
	f(1, true, EventCompleted, Counts{Seeders: 2, Leechers: 1, Downloaded: 1})
	// A seeder that announces left > 0 is a leecher again (and may complete again).
	f(1, false, EventNone, Counts{Seeders: 1, Leechers: 2, Downloaded: 1})
	f(1, true, EventCompleted, Counts{Seeders: 2, Leechers: 1, Downloaded: 2})
	// A seeder by left == 0 that then says completed is not counted.
	f(3, true, EventNone, Counts{Seeders: 3, Downloaded: 2})
	f(3, true, EventCompleted, Counts{Seeders: 3, Downloaded: 2})
	// stopped removes; a new session counts its completed again.
	f(1, true, EventStopped, Counts{Seeders: 2, Downloaded: 2})
	f(1, true, EventStopped, Counts{Seeders: 2, Downloaded: 2}) // unknown peer: nothing
	f(1, false, EventCompleted, Counts{Seeders: 3, Downloaded: 3})
	// A completed from a peer never seen counts (bittorrent-tracker treats it as a start).
	f(4, false, EventCompleted, Counts{Seeders: 4, Downloaded: 4})

	// stopped never creates a torrent.
	other := ihOf(2)
	rtcAnn(t, tb, other, 1, false, EventStopped, 5, t0)
	if st := tb.Stats(); st.Torrents != 1 || st.Seeders != 4 || st.Leechers != 0 {
		t.Fatalf("Stats %+v", st)
	}
	tb.check(t)
}

func TestRTCAnnounce_PeerIDTaken(t *testing.T) {
	tb := NewRTC(RTCConfig{PeerTimeoutSec: 600})
	ih := ihOf(1)
	rtcAnn(t, tb, ih, 1, false, EventStarted, 0, t0)
	rtcAnn(t, tb, ih, 2, false, EventStarted, 0, t0)
	rtcAnn(t, tb, ih, 3, false, EventStarted, 0, t0)
	owner, thief := rtcConn(1), MakeConn(3, 99, 1)
	a := RTCAnnounce{InfoHash: ih, PeerID: rtcID(1), Conn: thief, Seeder: true, Event: EventCompleted, NumWant: 5}
	for _, ev := range []Event{EventStarted, EventNone, EventCompleted, EventStopped} {
		a.Event = ev
		dst, c, err := tb.Announce(nil, &a, t0+1)
		if !errors.Is(err, ErrPeerIDTaken) || len(dst) != 0 || c != (Counts{}) {
			t.Fatalf("event %d from another connection: %v, %d targets, %+v", ev, err, len(dst), c)
		}
	}
	if c := tb.Scrape(&ih, t0+1); c != (Counts{Leechers: 3}) {
		t.Fatalf("a refused announce changed the torrent: %+v", c)
	}
	// The same connection with the same peer_id is an update; the same
	// connection may also be another peer (two clients share a socket).
	a.Conn, a.Event = owner, EventNone
	if _, _, err := tb.Announce(nil, &a, t0+2); err != nil {
		t.Fatal(err)
	}
	shared := RTCAnnounce{InfoHash: ih, PeerID: rtcID(9), Conn: owner}
	if _, c, err := tb.Announce(nil, &shared, t0+2); err != nil || c != (Counts{Seeders: 1, Leechers: 3}) {
		t.Fatalf("second peer on one connection: %v %+v", err, c)
	}
	// The binding is per torrent.
	b := a
	b.InfoHash, b.Conn = ihOf(2), thief
	if _, _, err := tb.Announce(nil, &b, t0+2); err != nil {
		t.Fatalf("same peer_id, other torrent, other connection: %v", err)
	}
	// Remove from the wrong connection does nothing; from the owner it frees
	// the peer_id.
	id := rtcID(1)
	if tb.Remove(&ih, &id, thief) {
		t.Fatal("Remove from another connection removed the peer")
	}
	if !tb.Remove(&ih, &id, owner) || tb.Remove(&ih, &id, owner) {
		t.Fatal("Remove from the owner: want true once")
	}
	a.Conn = thief
	if _, _, err := tb.Announce(nil, &a, t0+3); err != nil {
		t.Fatalf("after the owner left: %v", err)
	}
	// An expired binding can be taken over; its offers go with it.
	peer2 := rtcPeerOf(2)
	peer3 := rtcPeerOf(3)
	o := offerID(1)
	if err := tb.RegisterOffer(&ih, &o, &peer2, &peer3, t0+590); err != nil {
		t.Fatal(err)
	}
	late := RTCAnnounce{InfoHash: ih, PeerID: rtcID(2), Conn: thief}
	if _, _, err := tb.Announce(nil, &late, t0+599); !errors.Is(err, ErrPeerIDTaken) {
		t.Fatalf("binding one second before expiry: %v", err)
	}
	if _, _, err := tb.Announce(nil, &late, t0+600); err != nil {
		t.Fatalf("expired binding: %v", err)
	}
	if _, err := tb.TakeOffer(&ih, &o, &peer3, &peer2.PeerID, t0+600); !errors.Is(err, ErrUnknownOffer) {
		t.Fatalf("an offer of the expired binding survived: %v", err)
	}
	tb.check(t)
}

// TestRTCAnnounce_Targets checks, for swarms of every size (each sampling
// regime), that targets are distinct live peers other than the announcer,
// with their own connections, leechers only for a seeder, as many as
// wanted and available.
func TestRTCAnnounce_Targets(t *testing.T) {
	for _, size := range []int{1, 2, 3, 8, 25, 100, 400} {
		tb := NewRTC(RTCConfig{NumWantMax: MaxRTCNumWant})
		ih := ihOf(size)
		seeder := func(i int) bool { return i%3 == 0 }
		dead := func(i int) bool { return i%7 == 6 }
		candidates := func(i int) int {
			n := 0
			for j := range size {
				if j != i && !dead(j) && (!seeder(i) || !seeder(j)) {
					n++
				}
			}
			return n
		}
		for i := range size {
			now := uint32(t0 + 100)
			if dead(i) {
				now = t0 - 1200 // expires at t0
			}
			rtcAnn(t, tb, ih, i, seeder(i), EventStarted, 0, now)
		}
		for _, i := range []int{0, min(1, size-1), size - 1} {
			for _, numWant := range []int{-1, 0, 1, 5, 10, 50, MaxRTCNumWant, 1000} {
				self := rtcPeerOf(i)
				a := RTCAnnounce{InfoHash: ih, PeerID: self.PeerID, Conn: self.Conn, Seeder: seeder(i), NumWant: numWant}
				dst, _, err := tb.Announce(nil, &a, t0+1)
				if err != nil {
					t.Fatal(err)
				}
				cand := candidates(i)
				if want := min(max(numWant, 0), MaxRTCNumWant, cand); len(dst) != want {
					t.Fatalf("size %d peer %d numwant %d: %d targets, want %d", size, i, numWant, len(dst), want)
				}
				seen := map[[20]byte]bool{}
				for _, p := range dst {
					j := int(p.Conn.Slot())
					switch {
					case seen[p.PeerID]:
						t.Fatalf("size %d: target %d twice", size, j)
					case p != rtcPeerOf(j):
						t.Fatalf("size %d: target %+v is not a listed peer", size, p)
					case j == i:
						t.Fatalf("size %d: peer %d got itself", size, i)
					case dead(j):
						t.Fatalf("size %d: expired peer %d is a target", size, j)
					case seeder(i) && seeder(j):
						t.Fatalf("size %d: seeder %d got seeder %d", size, i, j)
					}
					seen[p.PeerID] = true
				}
			}
		}
		// No targets on stopped; OfferIDs caps the count.
		a := RTCAnnounce{InfoHash: ih, PeerID: rtcID(1), Conn: rtcConn(1), NumWant: 10, OfferIDs: make([][20]byte, 2)}
		if dst, _, _ := tb.Announce(nil, &a, t0+1); len(dst) != min(2, candidates(1)) {
			t.Fatalf("size %d: %d targets for 2 offers", size, len(dst))
		}
		a.Event = EventStopped
		if dst, _, _ := tb.Announce(nil, &a, t0+1); len(dst) != 0 {
			t.Fatalf("size %d: stopped got %d targets", size, len(dst))
		}
		tb.check(t)
	}
}

// TestRTCAnnounce_TargetsUniform checks, in each sampling regime, that every
// candidate is chosen equally often (chi-square).
func TestRTCAnnounce_TargetsUniform(t *testing.T) {
	trials := 20000
	if raceEnabled { // statistics gain nothing from the race detector
		trials = 4000
	}
	for _, tc := range []struct {
		name    string
		n, k    int
		seeders int // peers [0, seeders) are seeders
		self    int
	}{
		{name: "all", n: 6, k: 10, self: 2},
		{name: "dense", n: 30, k: 20, self: 0},
		{name: "sparse", n: 100, k: 10, self: 50},
		{name: "sparse big set", n: 400, k: 60, self: 399},
		{name: "seeder dense", n: 30, k: 10, seeders: 10, self: 0},
		{name: "seeder sparse", n: 200, k: 10, seeders: 100, self: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := NewRTC(RTCConfig{NumWantMax: MaxRTCNumWant})
			ih := ihOf(1)
			for i := range tc.n {
				rtcAnn(t, tb, ih, i, i < tc.seeders, EventStarted, 0, t0)
			}
			a := RTCAnnounce{InfoHash: ih, PeerID: rtcID(tc.self), Conn: rtcConn(tc.self), Seeder: tc.self < tc.seeders, NumWant: tc.k}
			counts := make([]int, tc.n)
			var dst []RTCPeer
			for range trials {
				dst, _, _ = tb.Announce(dst[:0], &a, t0)
				for _, p := range dst {
					counts[p.Conn.Slot()]++
				}
			}
			cand := tc.n - 1
			if a.Seeder {
				cand = tc.n - tc.seeders
			}
			want := min(tc.k, cand)
			exp := float64(trials) * float64(want) / float64(cand)
			chi := 0.0
			for i, c := range counts {
				if i == tc.self || (a.Seeder && i < tc.seeders) {
					if c != 0 {
						t.Fatalf("peer %d is not a candidate but was chosen %d times", i, c)
					}
					continue
				}
				chi += (float64(c) - exp) * (float64(c) - exp) / exp
			}
			if cand > want && chi > chiSquareBound(cand-1) {
				t.Fatalf("chi-square %.1f over %d candidates (bound %.1f): %v", chi, cand, chiSquareBound(cand-1), counts)
			}
		})
	}
}

func TestRTCOffer_Answer(t *testing.T) {
	tb := NewRTC(RTCConfig{})
	ih, other := ihOf(1), ihOf(2)
	a, b, c := rtcPeerOf(1), rtcPeerOf(2), rtcPeerOf(3)
	rtcAnn(t, tb, ih, 2, false, EventStarted, 0, t0)
	rtcAnn(t, tb, ih, 3, true, EventStarted, 0, t0)
	rtcAnn(t, tb, other, 2, false, EventStarted, 0, t0)
	// a's announce relays two offers, one to each other peer, and
	// registers them: OfferIDs[i] goes to dst[i].
	ids := [][20]byte{offerID(1), offerID(2), offerID(3)}
	ann := RTCAnnounce{InfoHash: ih, PeerID: a.PeerID, Conn: a.Conn, NumWant: 3, OfferIDs: ids}
	dst, _, err := tb.Announce(nil, &ann, t0)
	if err != nil || len(dst) != 2 {
		t.Fatalf("%v, %d targets", err, len(dst))
	}
	toB, toC := &ids[0], &ids[1]
	if dst[0] == c {
		toB, toC = toC, toB
	}
	if st := tb.Stats(); st.Offers != 2 {
		t.Fatalf("%d offers pending, want 2", st.Offers)
	}
	bad := []struct {
		name     string
		ih       *InfoHash
		id       *[20]byte
		answerer RTCPeer
		to       [20]byte
	}{
		{"other torrent", &other, toB, b, a.PeerID},
		{"unknown offer_id", &ih, &ids[2], b, a.PeerID},
		{"offer sent to someone else", &ih, toC, b, a.PeerID},
		{"answerer on another connection", &ih, toB, RTCPeer{PeerID: b.PeerID, Conn: c.Conn}, a.PeerID},
		{"to_peer_id not the offerer", &ih, toB, b, c.PeerID},
		{"to_peer_id unknown", &ih, toB, b, rtcID(77)},
		{"answer to oneself", &ih, toB, b, b.PeerID},
	}
	for _, tc := range bad {
		if conn, err := tb.TakeOffer(tc.ih, tc.id, &tc.answerer, &tc.to, t0+1); !errors.Is(err, ErrUnknownOffer) || conn != 0 {
			t.Errorf("%s: %#x, %v", tc.name, uint64(conn), err)
		}
	}
	conn, err := tb.TakeOffer(&ih, toB, &b, &a.PeerID, t0+1)
	if err != nil || conn != a.Conn {
		t.Fatalf("answer from b: %#x, %v; want a's connection", uint64(conn), err)
	}
	if _, err := tb.TakeOffer(&ih, toB, &b, &a.PeerID, t0+1); !errors.Is(err, ErrUnknownOffer) {
		t.Fatalf("second answer to one offer: %v", err)
	}
	if conn, err := tb.TakeOffer(&ih, toC, &c, &a.PeerID, t0+119); err != nil || conn != a.Conn {
		t.Fatalf("answer from c just in time: %#x, %v", uint64(conn), err)
	}
	if st := tb.Stats(); st.Offers != 0 {
		t.Fatalf("%d offers pending, want 0", st.Offers)
	}

	// The TTL: fresh for OfferTTLSec after registration, then gone.
	o := offerID(10)
	if err := tb.RegisterOffer(&ih, &o, &a, &b, t0+200); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, t0+320); !errors.Is(err, ErrUnknownOffer) {
		t.Fatalf("answer at the TTL: %v", err)
	}
	if err := tb.RegisterOffer(&ih, &o, &a, &b, t0+200); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, t0+319); err != nil {
		t.Fatalf("answer a second before the TTL: %v", err)
	}

	// Loops read a shared clock that may lag by a second: an offer behind a
	// younger one in the list is still checked for expiry.
	o1, o2 := offerID(11), offerID(12)
	tb.RegisterOffer(&ih, &o1, &a, &b, t0+400)
	tb.RegisterOffer(&ih, &o2, &a, &c, t0+399) // expires first, but is second
	if _, err := tb.TakeOffer(&ih, &o2, &c, &a.PeerID, t0+519); !errors.Is(err, ErrUnknownOffer) {
		t.Fatalf("expired offer behind a fresh one: %v", err)
	}
	if _, err := tb.TakeOffer(&ih, &o1, &b, &a.PeerID, t0+519); err != nil {
		t.Fatalf("fresh offer: %v", err)
	}

	// Only a live peer on its own connection registers offers.
	for _, tc := range []struct {
		name string
		ih   *InfoHash
		from RTCPeer
		now  uint32
	}{
		{"unknown torrent", &other, a, t0},
		{"unknown peer", &ih, rtcPeerOf(50), t0},
		{"other connection", &ih, RTCPeer{PeerID: a.PeerID, Conn: b.Conn}, t0},
		{"expired peer", &ih, a, t0 + 1200},
	} {
		if err := tb.RegisterOffer(tc.ih, &o, &tc.from, &b, tc.now); !errors.Is(err, ErrUnknownPeer) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	tb.check(t)
}

// TestRTCOffer_OffererGone checks that the offers of a peer that stopped,
// or whose connection closed, cannot be answered.
func TestRTCOffer_OffererGone(t *testing.T) {
	for _, how := range []string{"stopped", "closed", "expired"} {
		t.Run(how, func(t *testing.T) {
			tb := NewRTC(RTCConfig{OfferTTLSec: 5000}) // only the offerer's fate matters
			ih := ihOf(1)
			a, b := rtcPeerOf(1), rtcPeerOf(2)
			rtcAnn(t, tb, ih, 1, false, EventStarted, 0, t0)
			rtcAnn(t, tb, ih, 2, false, EventStarted, 0, t0+100)
			o := offerID(1)
			if err := tb.RegisterOffer(&ih, &o, &a, &b, t0+100); err != nil {
				t.Fatal(err)
			}
			now := uint32(t0 + 101)
			switch how {
			case "stopped":
				rtcAnn(t, tb, ih, 1, false, EventStopped, 0, now)
			case "closed":
				tb.Remove(&ih, &a.PeerID, a.Conn)
			case "expired": // a's last announce was at t0: expired, not yet swept
				now = t0 + 1200
			}
			if _, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, now); !errors.Is(err, ErrUnknownOffer) {
				t.Fatalf("answer after the offerer %s: %v", how, err)
			}
			// The same peer_id back on a new connection (new generation) has
			// no offers.
			if how != "expired" {
				back := RTCAnnounce{InfoHash: ih, PeerID: a.PeerID, Conn: MakeConn(a.Conn.Loop(), a.Conn.Slot(), a.Conn.Gen()+1)}
				if _, _, err := tb.Announce(nil, &back, now); err != nil {
					t.Fatal(err)
				}
				if _, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, now); !errors.Is(err, ErrUnknownOffer) {
					t.Fatalf("old offer answered on the new connection: %v", err)
				}
			}
			tb.check(t)
		})
	}
}

// TestRTCOffer_Bounded checks that a peer's pending offers are capped, the
// oldest dropped first.
func TestRTCOffer_Bounded(t *testing.T) {
	tb := NewRTC(RTCConfig{NumWantMax: 4, MaxOffersPerPeer: 12})
	ih := ihOf(1)
	a, b := rtcPeerOf(1), rtcPeerOf(2)
	rtcAnn(t, tb, ih, 1, false, EventStarted, 0, t0)
	rtcAnn(t, tb, ih, 2, false, EventStarted, 0, t0)
	for n := range 20 {
		o := offerID(n)
		if err := tb.RegisterOffer(&ih, &o, &a, &b, t0); err != nil {
			t.Fatal(err)
		}
	}
	if st := tb.Stats(); st.Offers != 12 || st.OffersDropped != 8 {
		t.Fatalf("Stats %+v, want 12 offers and 8 dropped", st)
	}
	for n := range 20 {
		o := offerID(n)
		_, err := tb.TakeOffer(&ih, &o, &b, &a.PeerID, t0+1)
		if dropped := n < 8; dropped != errors.Is(err, ErrUnknownOffer) {
			t.Fatalf("offer %d: %v", n, err)
		}
	}
	// Announces with offers are bounded the same way, whatever the rate.
	ids := make([][20]byte, 4)
	ann := RTCAnnounce{InfoHash: ih, PeerID: a.PeerID, Conn: a.Conn, NumWant: 4, OfferIDs: ids}
	for range 100 {
		if _, _, err := tb.Announce(nil, &ann, t0+2); err != nil {
			t.Fatal(err)
		}
	}
	if st := tb.Stats(); st.Offers != 12 {
		t.Fatalf("%d offers pending, want 12", st.Offers)
	}
	// Expired offers make room before the oldest live one is dropped.
	tb2 := NewRTC(RTCConfig{NumWantMax: 1, MaxOffersPerPeer: 2, OfferTTLSec: 10})
	rtcAnn(t, tb2, ih, 1, false, EventStarted, 0, t0)
	for n, now := range []uint32{t0, t0 + 5, t0 + 11} { // the first has expired by the third
		o := offerID(n)
		tb2.RegisterOffer(&ih, &o, &a, &b, now)
	}
	if st := tb2.Stats(); st.Offers != 2 || st.OffersDropped != 0 {
		t.Fatalf("Stats %+v, want 2 offers and none dropped", st)
	}
	tb.check(t)
	tb2.check(t)
}

// TestRTCRemove_Conn plays the engine's close path: a connection that
// announced on several torrents, two of them with two peer_ids, is closed.
func TestRTCRemove_Conn(t *testing.T) {
	tb := NewRTC(RTCConfig{Shards: 4})
	conn := MakeConn(1, 7, 3)
	type announced struct {
		ih InfoHash
		id [20]byte
	}
	var mine []announced // what the engine keeps per connection
	for ti := range 3 {
		ih := ihOf(ti)
		rtcAnn(t, tb, ih, 100, false, EventStarted, 0, t0) // another peer on each
		for p := range 1 + ti%2 {
			a := RTCAnnounce{InfoHash: ih, PeerID: rtcID(p), Conn: conn}
			if _, _, err := tb.Announce(nil, &a, t0); err != nil {
				t.Fatal(err)
			}
			mine = append(mine, announced{ih, a.PeerID})
			o := offerID(ti*10 + p)
			other := rtcPeerOf(100)
			if err := tb.RegisterOffer(&ih, &o, &RTCPeer{PeerID: a.PeerID, Conn: conn}, &other, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := tb.Stats(); st.Leechers != 3+4 || st.Offers != 4 {
		t.Fatalf("Stats %+v", st)
	}
	for _, m := range mine {
		if !tb.Remove(&m.ih, &m.id, conn) {
			t.Fatalf("Remove %x: not removed", m.id)
		}
	}
	if st := tb.Stats(); st.Leechers != 3 || st.Offers != 0 || st.Torrents != 3 {
		t.Fatalf("after close: Stats %+v", st)
	}
	for ti := range 3 {
		ih, o, answerer := ihOf(ti), offerID(ti*10), rtcPeerOf(100)
		id := rtcID(0)
		if _, err := tb.TakeOffer(&ih, &o, &answerer, &id, t0); !errors.Is(err, ErrUnknownOffer) {
			t.Fatalf("offer of a closed connection answered: %v", err)
		}
	}
	tb.check(t)
}

func TestRTCScrape(t *testing.T) {
	tb := NewRTC(RTCConfig{PeerTimeoutSec: 100})
	ih, unknown := ihOf(1), ihOf(2)
	rtcAnn(t, tb, ih, 1, true, EventCompleted, 0, t0)
	rtcAnn(t, tb, ih, 2, false, EventStarted, 0, t0+50)
	for _, tc := range []struct {
		ih   *InfoHash
		now  uint32
		want Counts
	}{
		{&ih, t0 + 1, Counts{Seeders: 1, Leechers: 1, Downloaded: 1}},
		{&unknown, t0 + 1, Counts{}},
		{&ih, t0 + 149, Counts{Seeders: 1, Leechers: 1, Downloaded: 1}}, // the expired seeder is not swept yet
		{&ih, t0 + 150, Counts{Downloaded: 1}},                          // every peer expired
	} {
		if got := tb.Scrape(tc.ih, tc.now); got != tc.want {
			t.Errorf("Scrape at +%d: %+v, want %+v", tc.now-t0, got, tc.want)
		}
	}
}

func TestRTCClean(t *testing.T) {
	tb := NewRTC(RTCConfig{Shards: 1, PeerTimeoutSec: 100, OfferTTLSec: 30})
	ih, small := ihOf(1), ihOf(2)
	for i := range 100 {
		rtcAnn(t, tb, ih, i, i%4 == 0, EventStarted, 0, t0)
	}
	for i := range 5 { // peers 0-4 stay
		rtcAnn(t, tb, ih, i, i%4 == 0, EventNone, 0, t0+50)
	}
	rtcAnn(t, tb, small, 1, false, EventStarted, 0, t0)
	// Offers: one that will expire from a live peer, one from a peer that
	// will expire.
	p0, p1, p50 := rtcPeerOf(0), rtcPeerOf(1), rtcPeerOf(50)
	o1, o2 := offerID(1), offerID(2)
	tb.RegisterOffer(&ih, &o1, &p1, &p0, t0+50)
	tb.RegisterOffer(&ih, &o2, &p50, &p0, t0+50)
	if st := tb.Clean(t0+90, 1000); st.PeersRemoved != 0 || st.OffersRemoved != 2 || st.Torrents != 2 {
		t.Fatalf("Clean at +90: %+v", st)
	}
	tr := &tb.shards[0].slab[tb.shards[0].torrents[ih]]
	if tr.class != rtcClassFor(100) {
		t.Fatalf("class %d before expiry", tr.class)
	}
	st := tb.Clean(t0+100, 1000)
	want := RTCCleanStats{CleanStats: CleanStats{Torrents: 2, PeersRemoved: 96, TorrentsRemoved: 1, Wrapped: 1}}
	if st != want {
		t.Fatalf("Clean at +100: %+v, want %+v", st, want)
	}
	tr = &tb.shards[0].slab[tb.shards[0].torrents[ih]]
	if tr.n != 5 || tr.class != rtcClassFor(10) {
		t.Fatalf("after expiry: %d peers in class %d, want 5 in %d", tr.n, tr.class, rtcClassFor(10))
	}
	if c := tb.Scrape(&ih, t0+100); c != (Counts{Seeders: 2, Leechers: 3}) {
		t.Fatalf("Scrape %+v", c)
	}
	tb.check(t)
	// The empty torrent goes once its last announce is a timeout old; the
	// shard then gives its pools back.
	tb.Clean(t0+150, 1000)
	if st := tb.Stats(); st.Torrents != 0 || st.Seeders+st.Leechers != 0 {
		t.Fatalf("Stats %+v", st)
	}
	tb.check(t)

	// Clean is incremental: maxTorrents per call, round the shards.
	tb = NewRTC(RTCConfig{Shards: 4, PeerTimeoutSec: 100})
	for ti := range 100 {
		rtcAnn(t, tb, ihOf(ti), 1, false, EventStarted, 0, t0)
	}
	total := RTCCleanStats{}
	for calls := 1; total.TorrentsRemoved < 100; calls++ {
		st := tb.Clean(t0+100, 10)
		if st.Torrents > 10 || calls > 10 {
			t.Fatalf("call %d: %+v", calls, st)
		}
		total.TorrentsRemoved += st.TorrentsRemoved
	}
	tb.check(t)
}

// TestRTCAnnounce_Growth grows one torrent through many block classes and
// empties it again.
func TestRTCAnnounce_Growth(t *testing.T) {
	tb := NewRTC(RTCConfig{Shards: 1})
	ih := ihOf(1)
	for i := range 2400 {
		rtcAnn(t, tb, ih, i, i%2 == 0, EventStarted, 0, t0)
	}
	tb.check(t)
	for i := range 2400 {
		if i%3 == 0 {
			id := rtcID(i)
			tb.Remove(&ih, &id, rtcConn(i))
		}
	}
	if c := tb.Scrape(&ih, t0); c != (Counts{Seeders: 800, Leechers: 800}) {
		t.Fatalf("Scrape %+v", c)
	}
	tb.check(t)
}

// TestRTC_Concurrent runs announces with offers, answers, removals, scrapes,
// Stats and Clean from many goroutines on a few torrents; run it with -race.
func TestRTC_Concurrent(t *testing.T) {
	tb := NewRTC(RTCConfig{Shards: 4, PeerTimeoutSec: 30, OfferTTLSec: 5})
	const (
		workers  = 16
		torrents = 6
		peers    = 200 // per worker
	)
	iters := 5000
	if testing.Short() || raceEnabled { // interleavings, not volume
		iters = 800
	}
	var answered atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 8))
			var dst []RTCPeer
			ids := make([][20]byte, MaxRTCNumWant)
			var a RTCAnnounce
			for it := range iters {
				now := uint32(t0 + it/10)
				ih := ihOf(r.IntN(torrents))
				i := w*peers + r.IntN(peers) // each worker has its own peers, on their own connections
				me := rtcPeerOf(i)
				switch r.IntN(20) {
				case 0:
					tb.Scrape(&ih, now)
					continue
				case 1:
					if w < 2 {
						tb.Clean(now, 3)
					}
					continue
				case 2:
					tb.Stats()
					continue
				case 3, 4:
					tb.Remove(&ih, &me.PeerID, me.Conn)
					continue
				}
				for k := range ids {
					ids[k] = offerID(r.IntN(1000))
				}
				n := r.IntN(12)
				a = RTCAnnounce{InfoHash: ih, PeerID: me.PeerID, Conn: me.Conn, Seeder: r.IntN(3) == 0,
					Event: Event(r.IntN(4)), NumWant: n, OfferIDs: ids[:n]}
				if r.IntN(50) == 0 {
					a.Conn = MakeConn(9, 9, 9) // a thief
				}
				var err error
				dst, _, err = tb.Announce(dst[:0], &a, now)
				if err != nil && !errors.Is(err, ErrPeerIDTaken) {
					t.Errorf("announce: %v", err)
					return
				}
				// Answer the offers as their targets would (any worker's
				// peers: the targets may belong to other goroutines).
				for k, p := range dst {
					switch _, err := tb.TakeOffer(&ih, &ids[k], &p, &me.PeerID, now); {
					case err == nil:
						answered.Add(1)
					case !errors.Is(err, ErrUnknownOffer):
						t.Errorf("take: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	tb.check(t)
	st := tb.Stats()
	if st.Torrents > torrents || st.Seeders+st.Leechers > workers*peers*torrents || answered.Load() == 0 {
		t.Fatalf("Stats %+v, %d offers answered", st, answered.Load())
	}
}
