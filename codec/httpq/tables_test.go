package httpq

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTables re-derives the generated tables from their definitions, so a
// stale tables.go (or a generator bug) fails here.
func TestTables(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		wantHex := byte(0xff)
		switch {
		case '0' <= c && c <= '9':
			wantHex = c - '0'
		case 'a' <= c && c <= 'f':
			wantHex = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			wantHex = c - 'A' + 10
		}
		if unhex[c] != wantHex {
			t.Errorf("unhex[%#x] = %#x, want %#x", c, unhex[c], wantHex)
		}
		if want := strings.ToLower(string([]byte{c})); c < 0x80 && lower[c] != want[0] || c >= 0x80 && lower[c] != c {
			t.Errorf("lower[%#x] = %#x", c, lower[c])
		}
		tchar := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		value := c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f)
		target := c > 0x20 && c != 0x7f
		if got := class[c]&classToken != 0; got != tchar {
			t.Errorf("class[%#x] token = %v", c, got)
		}
		if got := class[c]&classValue != 0; got != value {
			t.Errorf("class[%#x] value = %v", c, got)
		}
		if got := class[c]&classTarget != 0; got != target {
			t.Errorf("class[%#x] target = %v", c, got)
		}
	}
}

// TestValidSWAR checks validTarget and validValue against the class table:
// every byte value at every position of a word and of the tail, in an
// otherwise valid input, plus random inputs.
func TestValidSWAR(t *testing.T) {
	table := func(b []byte, bit uint8) bool {
		for _, c := range b {
			if class[c]&bit == 0 {
				return false
			}
		}
		return true
	}
	check := func(b []byte) {
		if got, want := validTarget(b), table(b, classTarget); got != want {
			t.Fatalf("validTarget(%q) = %v, want %v", b, got, want)
		}
		if got, want := validValue(b), table(b, classValue); got != want {
			t.Fatalf("validValue(%q) = %v, want %v", b, got, want)
		}
	}
	for n := 0; n <= 19; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a\x80~!", 5)[:n])
				b[pos] = byte(c)
				check(b)
			}
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, rnd.IntN(40))
		for i := range b {
			// Mostly valid bytes, sometimes a low or a DEL.
			b[i] = byte(0x20 + rnd.IntN(0xe0))
			if rnd.IntN(20) == 0 {
				b[i] = byte(rnd.IntN(256))
			}
		}
		check(b)
	}
}
