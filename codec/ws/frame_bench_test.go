package ws

import "testing"

// BenchmarkAppendFrame600 frames a 600-byte reply.
func BenchmarkAppendFrame600(b *testing.B) {
	payload := offerJSON(600)
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		dst = AppendFrame(dst[:0], OpText, payload)
	}
}

// BenchmarkBeginEndFrame600 frames a 600-byte reply written in place: the
// header is filled in after the payload, with no move for 126..65535 bytes.
func BenchmarkBeginEndFrame600(b *testing.B) {
	payload := offerJSON(600)
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		var start int
		dst, start = BeginFrame(dst[:0])
		dst = EndFrame(append(dst, payload...), start, OpText)
	}
}

// BenchmarkAppendClientFrame600 is the load generator's side: copy and mask.
func BenchmarkAppendClientFrame600(b *testing.B) {
	payload := offerJSON(600)
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		dst = AppendClientFrame(dst[:0], OpText, true, testMask, payload)
	}
}
