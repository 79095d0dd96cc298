package wt

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

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

// BenchmarkParseRandomIDs parses messages whose info hashes and offer ids
// are random bytes that differ from message to message, as under load: a
// fixture parsed over and over lets the branch predictor learn its ids.
// Peer ids are ASCII, as WebTorrent's are; the sdp is short, as in
// make bench's ws rows.
func BenchmarkParseRandomIDs(b *testing.B) {
	const variants = 4096
	rng := rand.New(rand.NewPCG(5, 6))
	random := func() []byte {
		v := make([]byte, 20)
		for i := range v {
			v[i] = byte(rng.Uint32())
		}
		return v
	}
	peer := AppendBinaryString(nil, []byte("-WW0208-Zm9vYmFyYmF6"))
	sdp := `{"type":"%s","sdp":"abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-"}`
	build := func(offers int) [][]byte {
		msgs := make([][]byte, variants)
		for i := range msgs {
			m := append([]byte(`{"action":"announce","info_hash":`), AppendBinaryString(nil, random())...)
			m = append(append(m, `,"peer_id":`...), peer...)
			if offers == 0 { // an answer
				m = append(append(m, `,"to_peer_id":`...), peer...)
				m = append(append(m, `,"offer_id":`...), AppendBinaryString(nil, random())...)
				m = append(append(m, `,"answer":`...), fmt.Sprintf(sdp, "answer")...)
			} else {
				m = append(m, `,"uploaded":0,"downloaded":0,"left":50,"event":"started","numwant":10,"offers":[`...)
				for j := range offers {
					if j > 0 {
						m = append(m, ',')
					}
					m = append(append(m, `{"offer_id":`...), AppendBinaryString(nil, random())...)
					m = append(append(m, `,"offer":`...), fmt.Sprintf(sdp, "offer")...)
					m = append(m, '}')
				}
				m = append(m, ']')
			}
			msgs[i] = append(m, '}')
		}
		return msgs
	}
	for _, bc := range []struct {
		name   string
		offers int
	}{{"answer", 0}, {"announce_10offers", 10}} {
		b.Run(bc.name, func(b *testing.B) {
			msgs := build(bc.offers)
			var r Request
			b.ReportAllocs()
			b.SetBytes(int64(len(msgs[0])))
			n := 0
			for b.Loop() {
				if err := r.Parse(msgs[n%variants]); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}
