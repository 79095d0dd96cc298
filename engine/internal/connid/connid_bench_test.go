package connid

import "testing"

func BenchmarkCheck(b *testing.B) {
	s := New()
	a := addr(4)
	now := uint32(1_800_000_000)
	id := s.Make(a, now)
	b.ReportAllocs()
	for b.Loop() {
		if !s.Check(id, a, now) {
			b.Fatal("refused")
		}
	}
}
