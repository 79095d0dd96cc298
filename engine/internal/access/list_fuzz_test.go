package access

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that an error names a line of
// the input, and that whatever parses is written back by AppendText to text
// that parses to the same set.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.list")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(hashA + "\n" + hashB + " # b\r\n\n#x\n"))
	f.Add([]byte("zz\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if lines := bytes.Count(b, []byte{'\n'}) + 1; se.Line < 1 || se.Line > lines {
				t.Fatalf("error on line %d of a %d-line input", se.Line, lines)
			}
			if len(se.Text) == 0 || len(se.Text) > maxErrText {
				t.Fatalf("error text %q: want 1..%d bytes", se.Text, maxErrText)
			}
			return
		}
		text := l.AppendText(nil)
		l2, err := Parse(text)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", text, err)
		}
		if l2.Len() != l.Len() {
			t.Fatalf("re-parse: %d hashes, want %d", l2.Len(), l.Len())
		}
		for ih := range l.set {
			if !l2.Contains(&ih) {
				t.Fatalf("re-parse lost %x", ih)
			}
		}
	})
}
