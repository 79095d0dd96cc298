package bencode

import (
	"math/rand/v2"
	"testing"
)

// benchScrape encodes n files with random hashes. Each iteration restores
// the unsorted order first (a 44-byte-per-file copy, included in the time),
// so every run pays for the sort, as a real request does.
func benchScrape(b *testing.B, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(uint64(n), 5))
	unsorted := make([]ScrapeFile, n)
	for i := range unsorted {
		for j := range unsorted[i].InfoHash {
			unsorted[i].InfoHash[j] = byte(r.Uint32())
		}
		unsorted[i].Complete, unsorted[i].Downloaded, unsorted[i].Incomplete = int64(r.IntN(5000)), int64(r.IntN(100000)), int64(r.IntN(5000))
	}
	files := make([]ScrapeFile, n)
	copy(files, unsorted)
	dst := AppendScrape(nil, files)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		copy(files, unsorted)
		dst = AppendScrape(dst[:0], files)
	}
}

func BenchmarkAppendScrape10(b *testing.B) { benchScrape(b, 10) }

// BenchmarkAppendScrape74 is the UDP bound (BEP 15) applied to HTTP.
func BenchmarkAppendScrape74(b *testing.B) { benchScrape(b, 74) }
