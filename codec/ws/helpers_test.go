package ws

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testMask is the masking key of RFC 6455 §5.7's examples.
var testMask = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// readHex reads testdata/name, a .hex fixture: whitespace-separated hex
// tokens, with '#' starting a comment that runs to the end of the line.
func readHex(tb testing.TB, name string) []byte {
	tb.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("cannot read fixture: %v", err)
	}
	var out []byte
	for i, line := range strings.Split(string(text), "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		for _, tok := range strings.Fields(line) {
			b, err := hex.DecodeString(tok)
			if err != nil {
				tb.Fatalf("%s line %d: bad hex %q: %v", name, i+1, tok, err)
			}
			out = append(out, b...)
		}
	}
	return out
}

// hexFixtures lists testdata/*.hex; names starting with "server_" hold
// unmasked server frames (read with Decoder.Client set).
func hexFixtures(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.hex"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// cat joins byte slices into a new one.
func cat(parts ...[]byte) []byte { return slices.Concat(parts...) }

// cf appends a masked client frame to a fresh slice.
func cf(op Opcode, fin bool, payload string) []byte {
	return AppendClientFrame(nil, op, fin, testMask, []byte(payload))
}

// closePayload returns a Close frame's payload: code then reason.
func closePayload(code uint16, reason string) string {
	return string([]byte{byte(code >> 8), byte(code)}) + reason
}

// event is one result of Decode that tests compare: a message (its payload
// copied, since it dies at the next Decode) or an error.
type event struct {
	op      Opcode
	payload string
	code    uint16
	err     error
}

func (e event) String() string {
	if e.err != nil {
		return "error " + e.err.Error()
	}
	p := e.payload
	if len(p) > 40 {
		p = fmt.Sprintf("%.40s... (%d bytes)", p, len(p))
	}
	return fmt.Sprintf("%v %q code %d", e.op, p, e.code)
}

func msgEvent(m Message) event {
	return event{op: m.Op, payload: string(m.Payload), code: m.CloseCode}
}

// decodeAll calls Decode on b until it fails or has nothing more, and
// returns the events (an error last) and the unused rest of b.
func decodeAll(tb testing.TB, d *Decoder, b []byte) ([]event, []byte) {
	tb.Helper()
	var evs []event
	for {
		n, m, err := d.Decode(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || err != error(e) {
				tb.Fatalf("Decode returned a non-sentinel error %v", err)
			}
			return append(evs, event{err: err}), nil
		}
		if n < 0 || n > len(b) {
			tb.Fatalf("Decode used %d of %d bytes", n, len(b))
		}
		b = b[n:]
		if m.Op == OpContinuation {
			if m.Payload != nil || m.CloseCode != 0 {
				tb.Fatalf("nothing-yet Message is not zero: %+v", m)
			}
			return evs, b
		}
		evs = append(evs, msgEvent(m))
	}
}

// decodeChunks feeds chunks to a fresh Decoder as an event loop would:
// each chunk is appended to the bytes left over, which are decoded until
// nothing more comes. It stops at the first error. The chunks are copied,
// since Decode unmasks in place.
func decodeChunks(tb testing.TB, d Decoder, chunks ...[]byte) []event {
	tb.Helper()
	var pend []byte
	var evs []event
	for _, c := range chunks {
		pend = append(pend, c...)
		ev, rest := decodeAll(tb, &d, pend)
		evs = append(evs, ev...)
		if len(ev) > 0 && ev[len(ev)-1].err != nil {
			return evs
		}
		pend = slices.Clone(rest)
	}
	return evs
}

// sameEvents reports whether a and b are equal, errors compared by
// identity (they are sentinels).
func sameEvents(a, b []event) bool {
	return slices.EqualFunc(a, b, func(x, y event) bool { return x == y })
}

// offerJSON returns a WebTorrent announce with one offer, padded with SDP
// lines to exactly n bytes (n >= 300): the typical text message a tracker
// reads.
func offerJSON(n int) []byte {
	head := `{"action":"announce","info_hash":"\u0012\u00ab4V\u0078\u009a\u00bc\u00de\u00f0\u0012\u00344V\u0078\u009a\u00bc\u00de\u00f0\u0012\u0034",` +
		`"peer_id":"-WW0208-aBcDeFgHiJkL","numwant":50,"uploaded":0,"downloaded":0,"left":1048576,"event":"started",` +
		`"offers":[{"offer_id":"q8xY3zR2pL9mN4vB7cKs","offer":{"type":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n`
	tail := `"}}]}`
	const line = `a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\r\n`
	b := []byte(head)
	for len(b)+len(line)+len(tail) <= n {
		b = append(b, line...)
	}
	for len(b)+len(tail) < n {
		b = append(b, 'a')
	}
	return append(b, tail...)
}
