package udp

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// readHex reads testdata/name, a .hex fixture: whitespace-separated hex
// tokens (any even number of digits each), with '#' starting a comment that
// runs to the end of the line.
func readHex(tb testing.TB, name string) []byte {
	tb.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("cannot read fixture: %v", err)
	}
	return parseHex(tb, string(text))
}

// parseHex decodes text in the .hex fixture format.
func parseHex(tb testing.TB, text string) []byte {
	tb.Helper()
	var out []byte
	for i, line := range strings.Split(text, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		for _, tok := range strings.Fields(line) {
			b, err := hex.DecodeString(tok)
			if err != nil {
				tb.Fatalf("line %d: bad hex %q: %v", i+1, tok, err)
			}
			out = append(out, b...)
		}
	}
	return out
}

// hexFixtures returns the names of all .hex fixtures in testdata, sorted.
func hexFixtures(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.hex"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no .hex fixtures in testdata: %v", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names
}

func TestParseHex(t *testing.T) {
	got := parseHex(t, "# comment 00\n0a0b 0c # trailing ff\n\n  0d\t0e0f\n")
	want := []byte{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	if string(got) != string(want) {
		t.Fatalf("parseHex = %x, want %x", got, want)
	}
}
