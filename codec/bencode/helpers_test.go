package bencode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// makePeers returns n compact peers of size bytes (PeerSizeV4 or
// PeerSizeV6) with pseudo-random addresses and ports, so address texts vary
// in length as they do in a real swarm. The same seed gives the same peers.
func makePeers(n, size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, 0, n*size)
	for range n {
		for range size - 2 {
			b = append(b, byte(r.Uint32()))
		}
		if size == PeerSizeV6 {
			b[len(b)-16], b[len(b)-15] = 0x20, 0x01 // global unicast, never v4-mapped
		}
		b = binary.BigEndian.AppendUint16(b, uint16(r.Uint32()))
	}
	return b
}

// makeIDs returns n peer ids that look like Azureus-style ids with a binary
// tail, as real clients send them.
func makeIDs(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, 0, n*PeerIDSize)
	for range n {
		b = append(b, "-qB5010-"...)
		for range PeerIDSize - 8 {
			b = append(b, byte(r.Uint32()))
		}
	}
	return b
}

// hash returns a [20]byte from s, which must be 20 bytes long.
func hash(tb testing.TB, s string) [20]byte {
	tb.Helper()
	if len(s) != 20 {
		tb.Fatalf("hash %q is %d bytes, want 20", s, len(s))
	}
	return [20]byte([]byte(s))
}

// z returns n zero bytes as a string.
func z(n int) string { return strings.Repeat("\x00", n) }

// mustPanicBUG runs f and fails unless it panics with a "BUG: " string.
func mustPanicBUG(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, ok := r.(string)
		if !ok || !strings.HasPrefix(s, "BUG: ") {
			t.Fatalf("recovered %#v, want a \"BUG: \" panic", r)
		}
	}()
	f()
}

// checkGolden compares got with want, showing both quoted on failure.
func checkGolden(t *testing.T, got []byte, want string) {
	t.Helper()
	if !bytes.Equal(got, []byte(want)) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// mustDecode decodes b and checks that it re-encodes canonically to b.
func mustDecode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode(%q): %v", b, err)
	}
	if re := encodeCanonical(nil, v); !bytes.Equal(re, b) {
		t.Fatalf("not canonical:\n got %q\nre-encoded %q", b, re)
	}
	return v
}

// isSentinel reports whether err wraps one of the package's *Error values.
func isSentinel(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
