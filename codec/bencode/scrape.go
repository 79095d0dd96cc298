package bencode

import (
	"bytes"
	"slices"
)

// ScrapeFile is one torrent's entry of a scrape response (BEP 48); an
// unknown torrent gets zero counts. It is a plain value, safe to copy and
// share.
type ScrapeFile struct {
	InfoHash   [20]byte
	Complete   int64 // seeders
	Downloaded int64 // times completed
	Incomplete int64 // leechers
}

// AppendScrape appends a scrape response (BEP 48):
//
//	d5:filesd<20 raw bytes>d8:completei..e10:downloadedi..e10:incompletei..ee...ee
//
// Each key is the 20 raw info hash bytes, never an escaped or UTF-8 form.
// Bencode dict keys must be sorted, so AppendScrape sorts files in place by
// InfoHash (raw byte order); the sort is stable, and a hash that occurs more
// than once is written once, with the counts of its first occurrence. No
// files gives "d5:filesdee". It does not allocate when dst has the capacity.
func AppendScrape(dst []byte, files []ScrapeFile) []byte {
	// Stable and in place (insertion sort in blocks of 20, then in-place
	// merges): no allocation, a deterministic winner among duplicates, and
	// O(n log² n) for a full scrape. A hand-written insertion sort is 80 ns
	// faster for 10 files but 1-2 µs slower for 74 (BenchmarkAppendScrape*).
	slices.SortStableFunc(files, compareInfoHash)
	dst = append(dst, "d5:filesd"...)
	for i := range files {
		f := &files[i]
		if i > 0 && f.InfoHash == files[i-1].InfoHash {
			continue
		}
		dst = append(dst, "20:"...)
		dst = append(dst, f.InfoHash[:]...)
		dst = append(dst, "d8:complete"...)
		dst = AppendInt(dst, f.Complete)
		dst = append(dst, "10:downloaded"...)
		dst = AppendInt(dst, f.Downloaded)
		dst = append(dst, "10:incomplete"...)
		dst = AppendInt(dst, f.Incomplete)
		dst = append(dst, 'e')
	}
	return append(dst, "ee"...)
}

// compareInfoHash orders files as bencode orders their keys: raw, unsigned
// bytes. It is a named function, not a closure, so sorting allocates nothing.
func compareInfoHash(a, b ScrapeFile) int {
	return bytes.Compare(a.InfoHash[:], b.InfoHash[:])
}
