package wt

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestTables re-derives the generated tables from their definitions, so a
// stale tables.go (or a generator bug) fails here.
func TestTables(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		if want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; plain[c] != want {
			t.Errorf("plain[%#x] = %v", c, plain[c])
		}
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
		if want := plain[c] || c == 0xc2 || c == 0xc3; (notBinLead[c] == 0) != want || notBinLead[c] > 1 {
			t.Errorf("notBinLead[%#x] = %d", c, notBinLead[c])
		}
		if c >= 0x80 {
			continue
		}
		var want byte
		switch {
		case c == '"' || c == '\\':
			want = c
		case c < 0x20:
			want = map[byte]byte{'\b': 'b', '\t': 't', '\n': 'n', '\f': 'f', '\r': 'r'}[c]
			if want == 0 {
				want = 'u'
			}
		}
		if escape[c] != want {
			t.Errorf("escape[%#x] = %q, want %q", c, escape[c], want)
		}
	}
}

// TestPlain8 checks the word test against the plain table: every byte
// value at every position among plain bytes, and random words. The lowest
// byte flagged must be the first that is not plain.
func TestPlain8(t *testing.T) {
	check := func(w uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], w)
		first := 8
		for i, c := range b {
			if !plain[c] {
				first = i
				break
			}
		}
		m := notPlain8(w)
		if got := bits.TrailingZeros64(m) >> 3; got != first || (m == 0) != (first == 8) {
			t.Fatalf("notPlain8(%q) = %#x: first byte flagged %d, want %d", b, m, got, first)
		}
	}
	for c := range 256 {
		for pos := range 8 {
			for _, fill := range []byte{'a', ' ', 0x7f, '!', '#', '[', ']'} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				check(binary.LittleEndian.Uint64(b[:]))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		w := rng.Uint64()
		check(w)
		check(w & 0x7f7f7f7f7f7f7f7f)                    // ASCII
		check(w&0x3f3f3f3f3f3f3f3f | 0x4040404040404040) // mostly plain
	}
}
