package connid

import (
	"testing"
)

func addr(b byte) *[16]byte {
	var a [16]byte
	a[0], a[15] = 127, b
	return &a
}

func TestCheck(t *testing.T) {
	s := New()
	const t0 = 1_800_000_000
	id := s.Make(addr(1), t0)
	tests := []struct {
		name string
		id   uint64
		a    *[16]byte
		now  uint32
		want bool
	}{
		{name: "same moment", id: id, a: addr(1), now: t0, want: true},
		{name: "two minutes later", id: id, a: addr(1), now: t0 + EpochSec, want: true},
		{name: "other address", id: id, a: addr(2), now: t0, want: false},
		{name: "flipped bit", id: id ^ 1, a: addr(1), now: t0, want: false},
		{name: "two epochs later", id: id, a: addr(1), now: t0 + 2*EpochSec + EpochSec, want: false},
		{name: "from the future", id: s.Make(addr(1), t0+EpochSec), a: addr(1), now: t0 - EpochSec, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Check(tc.id, tc.a, tc.now); got != tc.want {
				t.Fatalf("Check = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheck_ValidAtLeastTwoMinutes(t *testing.T) {
	s := New()
	for start := uint32(1_800_000_000); start < 1_800_000_000+EpochSec; start += 7 {
		id := s.Make(addr(9), start)
		for dt := uint32(0); dt <= EpochSec; dt += 5 {
			if !s.Check(id, addr(9), start+dt) {
				t.Fatalf("id made at %d refused %d s later", start, dt)
			}
		}
	}
}

func TestClone_SameKey(t *testing.T) {
	s := New()
	c := s.Clone()
	if s.Make(addr(3), 5000) != c.Make(addr(3), 5000) {
		t.Fatal("clone made a different id")
	}
	if New().Make(addr(3), 5000) == s.Make(addr(3), 5000) {
		t.Fatal("two random keys made the same id")
	}
}
