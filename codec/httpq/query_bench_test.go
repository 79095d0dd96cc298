package httpq

import (
	"strings"
	"testing"
)

// BenchmarkAnnounceParseQuery decodes one captured announce query per op.
func BenchmarkAnnounceParseQuery(b *testing.B) {
	for _, h := range benchHeads {
		b.Run(h.name, func(b *testing.B) {
			q := fixtureQuery(b, h.file)
			var a Announce
			b.ReportAllocs()
			b.SetBytes(int64(len(q)))
			for b.Loop() {
				if err := a.ParseQuery(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScrapeParseQuery decodes the captured one-hash Transmission
// scrape and a full one (MaxScrapeHashes hashes).
func BenchmarkScrapeParseQuery(b *testing.B) {
	one := fixtureQuery(b, "scrape_transmission_3.00.http")
	full := []byte(strings.TrimSuffix(strings.Repeat(string(one)+"&", MaxScrapeHashes), "&"))
	for _, c := range []struct {
		name string
		q    []byte
	}{{name: "1", q: one}, {name: "74", q: full}} {
		b.Run(c.name, func(b *testing.B) {
			var s Scrape
			b.ReportAllocs()
			b.SetBytes(int64(len(c.q)))
			for b.Loop() {
				if err := s.ParseQuery(c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
