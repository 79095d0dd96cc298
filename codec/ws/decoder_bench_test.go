package ws

import (
	"strings"
	"testing"
)

// benchDecode decodes frames (want messages) per iteration. Decode unmasks
// in place, so every iteration first copies the masked frames into buf; the
// copy is part of the figure (about 10 ns for 600 bytes), as it would be for
// the kernel-to-buffer copy in the engine.
func benchDecode(b *testing.B, frames []byte, want int) {
	b.Helper()
	buf := make([]byte, len(frames))
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(frames)))
	for b.Loop() {
		p := buf[:copy(buf, frames)]
		for got := 0; ; got++ {
			n, m, err := d.Decode(p)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
			if m.Op == OpContinuation {
				if got != want {
					b.Fatalf("%d messages, want %d", got, want)
				}
				break
			}
		}
	}
}

// BenchmarkDecode600 is a typical WebTorrent offer: one masked 600-byte
// text frame (header, unmask, UTF-8 check).
func BenchmarkDecode600(b *testing.B) {
	benchDecode(b, AppendClientFrame(nil, OpText, true, testMask, offerJSON(600)), 1)
}

// BenchmarkDecode32K is a frame as CDNs coalesce them.
func BenchmarkDecode32K(b *testing.B) {
	benchDecode(b, AppendClientFrame(nil, OpText, true, testMask, offerJSON(32<<10)), 1)
}

// BenchmarkDecodeFragmented600 is the 600-byte offer in three fragments on
// a warm Decoder: the reassembly copy on top of BenchmarkDecode600.
func BenchmarkDecodeFragmented600(b *testing.B) {
	s := string(offerJSON(600))
	benchDecode(b, cat(cf(OpText, false, s[:200]), cf(OpContinuation, false, s[200:400]), cf(OpContinuation, true, s[400:])), 1)
}

// BenchmarkDecodePing is the smallest message: a masked ping.
func BenchmarkDecodePing(b *testing.B) {
	benchDecode(b, cf(OpPing, true, strings.Repeat("p", 8)), 1)
}
