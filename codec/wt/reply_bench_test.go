package wt

import "testing"

// BenchmarkAppendOffer relays one offer of the 10-offer fixture (~800-byte
// SDP), the per-receiver cost of an announce.
func BenchmarkAppendOffer(b *testing.B) {
	r := parsed(b, "announce_started_10offers.json")
	o := &r.Offers[0]
	dst := make([]byte, 0, 4096)
	dst = AppendOffer(dst, &r.InfoHash, &r.PeerID, &o.ID, o.SDP)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendOffer(dst[:0], &r.InfoHash, &r.PeerID, &o.ID, o.SDP)
	}
}

func BenchmarkAppendAnnounceReply(b *testing.B) {
	ih := id20(b, ihHex)
	dst := AppendAnnounceReply(make([]byte, 0, 256), &ih, 1234, 5678, 120)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendAnnounceReply(dst[:0], &ih, 1234, 5678, 120)
	}
}

// BenchmarkAppendScrape encodes a reply for three info hashes.
func BenchmarkAppendScrape(b *testing.B) {
	ih := id20(b, ihHex)
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(3 * 20)
	for b.Loop() {
		dst = AppendScrapeHeader(dst[:0])
		for range 3 {
			dst = AppendScrapeEntry(dst, &ih, 1, 2, 3)
		}
		dst = AppendScrapeFooter(dst)
	}
}
