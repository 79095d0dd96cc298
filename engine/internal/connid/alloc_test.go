//go:build !race

package connid

import "testing"

func TestAllocs_MakeCheck(t *testing.T) {
	s := New()
	a := addr(4)
	now := uint32(1_800_000_000)
	id := s.Make(a, now)
	if n := testing.AllocsPerRun(1000, func() {
		if !s.Check(id, a, now) {
			t.Fatal("refused")
		}
		_ = s.Make(a, now)
	}); n != 0 {
		t.Fatalf("allocs = %v, want 0", n)
	}
}
