package udp

import "testing"

func benchParse(b *testing.B, pkt []byte) {
	b.Helper()
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if err := r.Parse(pkt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseConnect(b *testing.B) {
	benchParse(b, readHex(b, "connect_request.hex"))
}

func BenchmarkParseAnnounce(b *testing.B) {
	benchParse(b, readHex(b, "announce_v4.hex"))
}

// BenchmarkParseAnnounceBEP41 is the qBittorrent/libtorrent shape: one
// URLData option after the 98 bytes.
func BenchmarkParseAnnounceBEP41(b *testing.B) {
	benchParse(b, readHex(b, "announce_bep41.hex"))
}

func BenchmarkParseScrape(b *testing.B) {
	benchParse(b, readHex(b, "scrape_3.hex"))
}

func BenchmarkParseScrapeFull(b *testing.B) {
	benchParse(b, scrapePacket(MaxScrapeHashes, 0))
}

// BenchmarkParseMixed alternates a full scrape, an announce with URLData and
// a connect in one Request, the worst case for zeroing stale fields.
func BenchmarkParseMixed(b *testing.B) {
	pkts := [][]byte{
		scrapePacket(MaxScrapeHashes, 0),
		readHex(b, "announce_bep41_chunked.hex"),
		readHex(b, "connect_request.hex"),
	}
	n := 0
	for _, p := range pkts {
		n += len(p)
	}
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, p := range pkts {
			if err := r.Parse(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAppendAnnounce encodes a reply with 50 IPv4 peers.
func BenchmarkAppendAnnounce(b *testing.B) {
	peers := make([]byte, 50*PeerSizeV4)
	dst := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(AnnounceReplyHeaderSize + len(peers)))
	for b.Loop() {
		dst = AppendAnnounce(dst[:0], 1, 1800, 20, 30, peers)
	}
}

// BenchmarkAppendScrape encodes a reply for three info hashes.
func BenchmarkAppendScrape(b *testing.B) {
	dst := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(ScrapeReplyHeaderSize + 3*ScrapeEntrySize)
	for b.Loop() {
		dst = AppendScrapeHeader(dst[:0], 1)
		for range 3 {
			dst = AppendScrapeEntry(dst, 1, 2, 3)
		}
	}
}
