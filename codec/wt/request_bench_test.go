package wt

import "testing"

func benchParse(b *testing.B, msg []byte) {
	b.Helper()
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := r.Parse(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAnnounce10Offers is the largest message a
// bittorrent-tracker client sends: 10 offers with ~800-byte SDPs, 8.7 KB.
func BenchmarkParseAnnounce10Offers(b *testing.B) {
	benchParse(b, readFixture(b, "announce_started_10offers.json"))
}

// BenchmarkParseAnnounceNoOffers is a completed/stopped announce.
func BenchmarkParseAnnounceNoOffers(b *testing.B) {
	benchParse(b, readFixture(b, "announce_completed.json"))
}

func BenchmarkParseAnswer(b *testing.B) {
	benchParse(b, readFixture(b, "answer.json"))
}

func BenchmarkParseScrape(b *testing.B) {
	benchParse(b, readFixture(b, "scrape_many.json"))
}

// BenchmarkParseError is a message rejected at its end, which costs a full
// scan.
func BenchmarkParseError(b *testing.B) {
	msg := append(readFixture(b, "announce_started_10offers.json"), 'x')
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := r.Parse(msg); err != ErrJSON {
			b.Fatal(err)
		}
	}
}
