package peerid

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzName(f *testing.F) {
	for _, s := range []string{
		"-qB4520-", "-TR3000-", "-TR400B-", "-WW0105-", "-lt0D60-", "-TIX0302-",
		"A2-1-36-0-", "M7-4-3--", "M4-20-8-", "T03I--", "S58B-----", "exbc", "XBT054d-",
		"-XY1230-", "A2-999-999-999-",
	} {
		f.Add([]byte(s + "0123456789abcdefghij")[:20])
	}
	f.Fuzz(func(t *testing.T, id []byte) {
		name := AppendName(nil, id)
		if len(name) == 0 || len(name) > MaxNameLen {
			t.Fatalf("Name(%q) = %q: length %d not in 1..%d", id, name, len(name), MaxNameLen)
		}
		if !utf8.Valid(name) {
			t.Fatalf("Name(%q) = %q: not UTF-8", id, name)
		}
		for _, r := range string(name) {
			if !unicode.IsPrint(r) {
				t.Fatalf("Name(%q) = %q: unprintable %q", id, name, r)
			}
		}
		p := Prefix(id)
		if got := AppendName(nil, p[:]); string(got) != string(name) {
			t.Fatalf("Name(Prefix(%q)) = %q, Name = %q", id, got, name)
		}
		if q := Prefix(p[:]); q != p {
			t.Fatalf("Prefix(Prefix(%q)) = %q, want %q", id, q, p)
		}
	})
}
