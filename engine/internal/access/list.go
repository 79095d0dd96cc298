package access

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
)

// List is a parsed access list: a set of info hashes. It is immutable and
// safe for concurrent use.
type List struct {
	set map[[20]byte]struct{}
}

// Contains reports whether ih is on the list. It does not allocate.
func (l *List) Contains(ih *[20]byte) bool {
	_, ok := l.set[*ih]
	return ok
}

// Len returns how many distinct info hashes the list holds.
func (l *List) Len() int { return len(l.set) }

// AppendText appends the list in its file format, one lower-case hash per
// line, sorted, so that Parse reads it back to an equal List.
func (l *List) AppendText(dst []byte) []byte {
	for _, ih := range slices.SortedFunc(maps.Keys(l.set), func(a, b [20]byte) int { return bytes.Compare(a[:], b[:]) }) {
		dst = hex.AppendEncode(dst, ih[:])
		dst = append(dst, '\n')
	}
	return dst
}

// SyntaxError is a line Parse cannot read. Line counts from 1.
type SyntaxError struct {
	Line int
	Text string // the offending text, cut to 48 bytes
}

// maxErrText bounds SyntaxError.Text, so that a binary file read by mistake
// does not make a log line of megabytes.
const maxErrText = 48

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: %q is not a 40-hex info hash", e.Line, e.Text)
}

// Parse reads an access list. The error, if any, is a *SyntaxError for the
// first bad line: a list is used whole or not at all.
func Parse(b []byte) (*List, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	l := &List{set: make(map[[20]byte]struct{}, bytes.Count(b, []byte{'\n'})+1)}
	for n := 1; len(b) > 0; n++ {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = bytes.Trim(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		var ih [20]byte
		if len(line) != 40 {
			return nil, syntaxError(n, line)
		}
		if _, err := hex.Decode(ih[:], line); err != nil {
			return nil, syntaxError(n, line)
		}
		l.set[ih] = struct{}{}
	}
	return l, nil
}

func syntaxError(n int, text []byte) error {
	if len(text) > maxErrText {
		text = text[:maxErrText]
	}
	return &SyntaxError{Line: n, Text: string(text)}
}
