package swarm

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// rtcWorkload is a precomputed sequence of WebTorrent announces, so that
// the benchmark loop measures the table, not the generator.
type rtcWorkload []RTCAnnounce

// rtcPeerN is test peer n (peer i of torrent t is n = t*peers + i).
func rtcPeerN(n int) RTCPeer { return RTCPeer{PeerID: rtcID(n), Conn: rtcConn(n)} }

// newRTCWorkload re-announces random peers (a fifth of them seeders) of
// torrents torrents with peers peers each, torrents chosen uniformly or
// (skewed) by a Zipf law, s = 1.1; each announce wants numWant targets and,
// with offers, registers its offers.
func newRTCWorkload(torrents, peers, numWant int, offers, skewed bool) rtcWorkload {
	r := rand.New(rand.NewPCG(5, 5))
	pick := func() int { return r.IntN(torrents) }
	if skewed {
		z := rand.NewZipf(r, 1.1, 1, uint64(torrents-1))
		pick = func() int { return int(z.Uint64()) }
	}
	w := make(rtcWorkload, workloadLen)
	var ids [][20]byte
	if offers {
		ids = make([][20]byte, numWant)
		for i := range ids {
			ids[i] = offerID(i)
		}
	}
	for i := range w {
		ti, p := pick(), r.IntN(peers)
		me := rtcPeerN(ti*peers + p)
		w[i] = RTCAnnounce{InfoHash: ihOf(ti), PeerID: me.PeerID, Conn: me.Conn, Seeder: p%5 == 0, NumWant: numWant, OfferIDs: ids}
	}
	return w
}

// newRTCTable returns a table holding torrents torrents of peers peers.
func newRTCTable(torrents, peers int) *RTCTable {
	tb := NewRTC(RTCConfig{})
	for ti := range torrents {
		for i := range peers {
			me := rtcPeerN(ti*peers + i)
			a := RTCAnnounce{InfoHash: ihOf(ti), PeerID: me.PeerID, Conn: me.Conn, Seeder: i%5 == 0}
			if _, _, err := tb.Announce(nil, &a, t0); err != nil {
				panic(err)
			}
		}
	}
	return tb
}

func (w rtcWorkload) bench(b *testing.B, tb *RTCTable) {
	for range 2 { // warm: offer pools reach their steady size
		var dst []RTCPeer
		for i := range w {
			dst, _, _ = tb.Announce(dst[:0], &w[i], t0)
		}
	}
	b.Run("serial", func(b *testing.B) {
		dst := make([]RTCPeer, 0, MaxRTCNumWant)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			dst, _, _ = tb.Announce(dst[:0], &w[i&(workloadLen-1)], t0)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			dst := make([]RTCPeer, 0, MaxRTCNumWant)
			i := rand.IntN(workloadLen)
			for pb.Next() {
				dst, _, _ = tb.Announce(dst[:0], &w[i&(workloadLen-1)], t0)
				i++
			}
		})
	})
}

// BenchmarkRTCAnnounce measures a re-announce to a warm table wanting 10
// offer targets, on torrents of 100 peers:
//
//   - one_torrent: every announce on one torrent (one hot lock in parallel).
//   - uniform: 1000 torrents, chosen uniformly.
//   - skewed: 1000 torrents chosen by a Zipf law (s = 1.1).
//   - offers: 100 torrents, chosen uniformly, and the 10 offers are
//     registered too (each peer keeps MaxOffersPerPeer pending: none is
//     answered).
//   - big: one torrent of 10k peers (found through the index).
func BenchmarkRTCAnnounce(b *testing.B) {
	for _, tc := range []struct {
		name            string
		torrents, peers int
		offers, skewed  bool
	}{
		{"one_torrent", 1, 100, false, false},
		{"uniform", 1000, 100, false, false},
		{"skewed", 1000, 100, false, true},
		{"offers", 100, 100, true, false},
		{"big", 1, 10_000, false, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tb := newRTCTable(tc.torrents, tc.peers)
			newRTCWorkload(tc.torrents, tc.peers, 10, tc.offers, tc.skewed).bench(b, tb)
		})
	}
}

// BenchmarkRTCOffer measures RegisterOffer then TakeOffer of the same offer
// (an offer relayed and answered), on 1000 torrents of 100 peers.
func BenchmarkRTCOffer(b *testing.B) {
	const torrents, peers = 1000, 100
	tb := newRTCTable(torrents, peers)
	type pair struct {
		ih       InfoHash
		from, to RTCPeer
		id       [20]byte
	}
	r := rand.New(rand.NewPCG(6, 6))
	w := make([]pair, workloadLen)
	for i := range w {
		ti := r.IntN(torrents)
		f, t := r.IntN(peers), r.IntN(peers-1)
		if t >= f {
			t++
		}
		w[i] = pair{ihOf(ti), rtcPeerN(ti*peers + f), rtcPeerN(ti*peers + t), offerID(i)}
	}
	run := func(p *pair) {
		if err := tb.RegisterOffer(&p.ih, &p.id, &p.from, &p.to, t0); err != nil {
			panic(err)
		}
		if _, err := tb.TakeOffer(&p.ih, &p.id, &p.to, &p.from.PeerID, t0); err != nil {
			panic(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			run(&w[i&(workloadLen-1)])
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(workloadLen)
			for pb.Next() {
				run(&w[i&(workloadLen-1)])
				i++
			}
		})
	})
}

// BenchmarkRTCFill announces peers into a new table and reports the live
// heap per peer (map, slab, peer blocks, and the index of big torrents);
// then each peer announces again with 10 offers, one to each of up to 10
// other peers, and it reports the heap added per pending offer. Shapes:
// 10 peers on each of 10k torrents, and 1,000 on each of 100 (indexed).
func BenchmarkRTCFill(b *testing.B) {
	const offers = 10
	ids := make([][20]byte, offers)
	for i := range ids {
		ids[i] = offerID(i)
	}
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for _, shape := range []struct {
		name            string
		torrents, peers int
	}{
		{"10_peers", 10_000, 10},
		{"1000_peers", 100, 1000},
	} {
		b.Run(shape.name, func(b *testing.B) {
			torrents, peers := shape.torrents, shape.peers
			b.ReportAllocs()
			var perPeer, perOffer float64
			for b.Loop() {
				before := heap()
				tb := NewRTC(RTCConfig{})
				var dst []RTCPeer
				for pass := range 2 {
					for ti := range torrents {
						for i := range peers {
							me := rtcPeerN(ti*peers + i)
							a := RTCAnnounce{InfoHash: ihOf(ti), PeerID: me.PeerID, Conn: me.Conn}
							if pass == 1 {
								a.NumWant, a.OfferIDs = offers, ids
							}
							dst, _, _ = tb.Announce(dst[:0], &a, t0)
						}
					}
					if pass == 0 {
						peersDone := heap()
						perPeer = float64(peersDone-before) / float64(torrents*peers)
						before = peersDone
					}
				}
				st := tb.Stats()
				perOffer = float64(heap()-before) / float64(st.Offers)
				if int(st.Leechers) != torrents*peers || int(st.Offers) != torrents*peers*min(offers, peers-1) {
					b.Fatalf("Stats %+v", st)
				}
				runtime.KeepAlive(tb)
			}
			b.ReportMetric(perPeer, "B/peer")
			b.ReportMetric(perOffer, "B/offer")
		})
	}
}
