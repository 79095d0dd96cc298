package swarm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"unsafe"
)

// workload is a precomputed sequence of announces, so that the benchmark
// loop measures the table, not the generator.
type workload []AnnounceArgs

const workloadLen = 1 << 16

// uniformWorkload re-announces random peers of torrents torrents with
// peers peers each (a fifth of them seeders).
func uniformWorkload(torrents, peers int) workload {
	r := rand.New(rand.NewPCG(1, 1))
	w := make(workload, workloadLen)
	for i := range w {
		p := r.IntN(peers)
		w[i] = AnnounceArgs{InfoHash: ihOf(r.IntN(torrents)), Peer: peer4(p, p%5 == 0)}
	}
	return w
}

// skewedWorkload picks torrents by a Zipf law (s = 1.1): the hottest
// torrents get most announces and grow into big swarms, and their shards
// into contended locks.
func skewedWorkload(torrents, peers int) workload {
	r := rand.New(rand.NewPCG(2, 2))
	z := rand.NewZipf(r, 1.1, 1, uint64(torrents-1))
	w := make(workload, workloadLen)
	for i := range w {
		p := r.IntN(peers)
		w[i] = AnnounceArgs{InfoHash: ihOf(int(z.Uint64())), Peer: peer4(p, p%5 == 0)}
	}
	return w
}

// warm runs w twice, so that every announce of the benchmark is to a known
// torrent and peer.
func (w workload) warm(tb *Table) {
	var d4, d6 []byte
	for range 2 {
		for i := range w {
			d4, d6, _ = tb.Announce(d4[:0], d6[:0], &w[i], t0)
		}
	}
}

func (w workload) bench(b *testing.B, tb *Table) {
	b.Run("serial", func(b *testing.B) {
		d4, d6 := make([]byte, 0, 6*MaxNumWant), make([]byte, 0, 18*MaxNumWant)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			d4, d6, _ = tb.Announce(d4[:0], d6[:0], &w[i&(workloadLen-1)], t0)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			d4, d6 := make([]byte, 0, 6*MaxNumWant), make([]byte, 0, 18*MaxNumWant)
			i := rand.IntN(workloadLen)
			for pb.Next() {
				d4, d6, _ = tb.Announce(d4[:0], d6[:0], &w[i&(workloadLen-1)], t0)
				i++
			}
		})
	})
}

// BenchmarkAnnounce measures a re-announce to a warm table (numwant 50, the
// default), the common case.
//
//   - uniform: 10k torrents × 20 peers: the reply is the whole swarm.
//   - skewed: Zipf-chosen torrents of up to 1000 peers.
//   - big: one torrent of 200k peers (indexed find, sparse sampling).
func BenchmarkAnnounce(b *testing.B) {
	b.Run("uniform", func(b *testing.B) {
		tb := New(Config{})
		w := uniformWorkload(10_000, 20)
		w.warm(tb)
		w.bench(b, tb)
	})
	b.Run("skewed", func(b *testing.B) {
		tb := New(Config{})
		w := skewedWorkload(10_000, 1000)
		w.warm(tb)
		w.bench(b, tb)
	})
	b.Run("big", func(b *testing.B) {
		tb := New(Config{})
		var d4, d6 []byte
		for i := range 200_000 {
			a := AnnounceArgs{InfoHash: ihOf(0), Peer: peer4(i, i%5 == 0)}
			d4, d6, _ = tb.Announce(d4[:0], d6[:0], &a, t0)
		}
		uniformWorkload(1, 200_000).bench(b, tb)
	})
}

// BenchmarkScrape measures Scrape of known torrents.
func BenchmarkScrape(b *testing.B) {
	tb := New(Config{})
	w := uniformWorkload(10_000, 20)
	w.warm(tb)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			tb.Scrape(&w[i&(workloadLen-1)].InfoHash, t0)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(workloadLen)
			for pb.Next() {
				tb.Scrape(&w[i&(workloadLen-1)].InfoHash, t0)
				i++
			}
		})
	})
}

// BenchmarkFill announces peers IPv4 peers, each to a torrent chosen at
// random among torrents (about peers/torrents per torrent, Poisson
// distributed), into a new table, and reports the live heap per peer:
// everything the table holds (map, slab, arena, index), divided by peers.
//
// The 10M peers / 1M torrents case needs about 1 GiB and a minute; it runs
// only with SWARM_BENCH_BIG=1:
//
//	SWARM_BENCH_BIG=1 go test -run='^$' -bench=Fill/10M -benchtime=1x ./swarm/
func BenchmarkFill(b *testing.B) {
	for _, tc := range []struct {
		name            string
		peers, torrents int
		big             bool
	}{
		{"1M_peers_100k_torrents", 1_000_000, 100_000, false},
		{"10M_peers_1M_torrents", 10_000_000, 1_000_000, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if tc.big && os.Getenv("SWARM_BENCH_BIG") == "" {
				b.Skip("set SWARM_BENCH_BIG=1 to run")
			}
			ihs := make([]InfoHash, tc.torrents)
			for i := range ihs {
				ihs[i] = ihOf(i)
			}
			r := rand.New(rand.NewPCG(3, 3))
			which := make([]int32, tc.peers)
			for i := range which {
				which[i] = int32(r.IntN(tc.torrents))
			}
			b.ReportAllocs()
			var perPeer, slab, arena float64
			for b.Loop() {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				tb := New(Config{})
				var a AnnounceArgs
				var d4 []byte
				for i, ti := range which {
					a.InfoHash = ihs[ti]
					a.Peer = peer4(i, i%5 == 0)
					d4, _, _ = tb.Announce(d4[:0], nil, &a, t0)
				}
				runtime.GC()
				runtime.ReadMemStats(&ms)
				perPeer = float64(ms.HeapAlloc-before) / float64(tc.peers)
				sl, ar := tb.heapParts()
				slab, arena = float64(sl)/float64(tc.peers), float64(ar)/float64(tc.peers)
				if st := tb.Stats(); st.Seeders4+st.Leechers4 != uint64(tc.peers) {
					b.Fatalf("Stats %+v", st)
				}
				runtime.KeepAlive(tb)
			}
			b.ReportMetric(perPeer, "B/peer")
			b.ReportMetric(slab, "slab-B/peer")   // torrent records, with append's slack
			b.ReportMetric(arena, "arena-B/peer") // peer records (10 B each), free blocks, chunk tails
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tc.peers), "ns/announce")
		})
	}
}

// BenchmarkFind compares the linear scan of a pooled list with the index
// of a bigList, for both families, to place maxPooled.
func BenchmarkFind(b *testing.B) {
	for _, fam := range []struct {
		name string
		rs   int
	}{{"v4", rec4}, {"v6", rec6}} {
		for _, n := range []int{8, 32, 64, 128, 256, 512, 1024} {
			l := listOfSize(fam.rs, n, nil)
			keys := make([][]byte, 256)
			r := rand.New(rand.NewPCG(4, 4))
			for i := range keys {
				keys[i] = append([]byte(nil), l.key(r.IntN(n))...)
			}
			ix := listOfSize(fam.rs, n, nil)
			ix.idx = make([]uint32, 2*bigCapFor(n))
			for i := range n {
				ix.indexAdd(i)
			}
			for _, v := range []struct {
				name string
				l    *plist
			}{{"scan", l}, {"index", ix}} {
				b.Run(fmt.Sprintf("%s/%s/%d", fam.name, v.name, n), func(b *testing.B) {
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						if v.l.find(keys[i&255], t0) < 0 {
							b.Fatal("not found")
						}
						i++
					}
				})
			}
		}
	}
}

// heapParts returns the bytes held by the torrent slabs and the peer
// arenas and bigLists; the rest of the heap is mostly the maps.
func (t *Table) heapParts() (slab, arena int) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		slab += cap(s.slab) * int(unsafe.Sizeof(torrent{}))
		arena += len(s.arena.chunks) * chunkBytes
		for _, b := range s.bigs {
			arena += cap(b.recs) + 4*cap(b.idx)
		}
		s.mu.Unlock()
	}
	return slab, arena
}
