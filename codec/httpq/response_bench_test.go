package httpq

import "testing"

// BenchmarkAppendResponseHead appends a 200 head for a compact announce
// reply.
func BenchmarkAppendResponseHead(b *testing.B) {
	dst := make([]byte, 0, 256)
	dst = AppendResponseHead(dst, 200, "text/plain", 1234, true)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendResponseHead(dst[:0], 200, "text/plain", 1234, true)
	}
}
