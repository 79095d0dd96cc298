package access

import (
	"errors"
	"strings"
	"testing"
)

const (
	hashA = "0123456789abcdef0123456789abcdef01234567"
	hashB = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

func TestParse(t *testing.T) {
	f := func(in string, want int) {
		t.Helper()
		l, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if l.Len() != want {
			t.Fatalf("Parse(%q): %d hashes, want %d", in, l.Len(), want)
		}
	}
	f("", 0)
	f("\n\n", 0)
	f("# only a comment\n", 0)
	f(hashA, 1)
	f(hashA+"\n"+hashB+"\n", 2)
	f(hashA+"\n"+strings.ToLower(hashA)+"\n", 1)
	f(hashB+"\n"+strings.ToLower(hashB)+"\n", 1) // case-insensitive
	f("  "+hashA+"\t# ubuntu iso\r\n", 1)
	f(hashA+"#no space", 1)
	f("\xef\xbb\xbf"+hashA+"\n", 1)
	f("\t\n   \n#"+hashB+"\n", 0)
}

func TestParse_Contains(t *testing.T) {
	l, err := Parse([]byte(hashA + "\n" + hashB))
	if err != nil {
		t.Fatal(err)
	}
	var a, b, c [20]byte
	a = [20]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67}
	for i := range b {
		b[i] = 0xaa
	}
	c[0] = 1
	if !l.Contains(&a) || !l.Contains(&b) || l.Contains(&c) {
		t.Fatalf("Contains: a=%v b=%v c=%v, want true true false", l.Contains(&a), l.Contains(&b), l.Contains(&c))
	}
}

func TestParse_Errors(t *testing.T) {
	f := func(in string, line int, text string) {
		t.Helper()
		_, err := Parse([]byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) = %v, want a *SyntaxError", in, err)
		}
		if se.Line != line || se.Text != text {
			t.Fatalf("Parse(%q) = line %d %q, want line %d %q", in, se.Line, se.Text, line, text)
		}
	}
	f("zz", 1, "zz")
	f(hashA+"\n\n"+hashA[:39]+"\n", 3, hashA[:39])
	f(hashA+"0\n", 1, hashA+"0")
	f("zz"+hashA[2:]+"\n", 1, "zz"+hashA[2:])
	f(hashA+" "+hashB+"\n", 1, hashA+" "+hashB[:7])
	f("# fine\n"+hashA+"\r\nmagnet:?xt=urn:btih:"+hashA+"\n", 3, ("magnet:?xt=urn:btih:" + hashA)[:48])
	f("\x00\x01", 1, "\x00\x01")
}

func TestSyntaxError_Message(t *testing.T) {
	_, err := Parse([]byte("\n\nzz\n"))
	if got, want := err.Error(), `line 3: "zz" is not a 40-hex info hash`; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestAllocs_Contains(t *testing.T) {
	l, err := Parse([]byte(hashA))
	if err != nil {
		t.Fatal(err)
	}
	var ih [20]byte
	if n := testing.AllocsPerRun(1000, func() { l.Contains(&ih) }); n != 0 {
		t.Fatalf("Contains allocates %v times, want 0", n)
	}
}
