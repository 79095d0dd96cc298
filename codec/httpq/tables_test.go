package httpq

import (
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
