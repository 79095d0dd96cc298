package ws

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxSplitInput bounds the inputs FuzzDecode splits at every offset (the
// check is quadratic); longer inputs are split at up to 256 offsets.
const maxSplitInput = 2 << 10

// FuzzDecode checks that Decode never panics and returns only sentinels;
// that every message it returns is well-formed (a data message within
// MaxMessage, valid UTF-8 for text, a valid close code); that the stream
// decodes to the same messages and error whether it arrives whole, split
// in two at any offset, or a byte at a time (the unused bytes are kept and
// fed again, as the engine does); that a stream stuck on "nothing yet"
// leaves less than MaxMessage+MaxHeaderSize bytes (or a control frame's
// worth, for a MaxMessage below 125); and that decoding again
// on a warm Decoder does not allocate. Seeds: testdata/*.hex and edge cases.
func FuzzDecode(f *testing.F) {
	for _, name := range hexFixtures(f) {
		f.Add(readHex(f, name), uint16(0), strings.HasPrefix(name, "server_"))
	}
	f.Add(cat(cf(OpText, false, "one "), cf(OpPing, true, "p"), cf(OpContinuation, false, "two "), cf(OpContinuation, true, "three")), uint16(0), false)
	f.Add(cat(cf(OpBinary, true, strings.Repeat("b", 300)), cf(OpClose, true, closePayload(1000, "bye"))), uint16(200), false)
	f.Add(cat(cf(OpText, false, "caf\xc3"), cf(OpContinuation, true, "\xa9"), cf(OpPong, true, "")), uint16(0), false)
	f.Add(cat(AppendText(nil, offerJSON(600)), AppendClose(nil, 1000, "")), uint16(0), true)
	f.Add(cf(OpText, true, string(offerJSON(600))), uint16(0), false)
	f.Add(header(0x81, true, 100<<10), uint16(0), false)
	f.Add(withBits(cf(OpText, true, "x"), 0x40), uint16(0), false)
	f.Add(cf(OpClose, true, "\x03"), uint16(0), false)
	f.Add([]byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1}, uint16(0), true)

	f.Fuzz(func(t *testing.T, b []byte, maxMessage uint16, client bool) {
		cfg := Decoder{MaxMessage: int(maxMessage), Client: client}
		limit := cmpOr(int(maxMessage), DefaultMaxMessage)

		// Whole, with the invariants on each message.
		d := cfg
		whole, rest := decodeAll(t, &d, bytes.Clone(b))
		failed := len(whole) > 0 && whole[len(whole)-1].err != nil
		if !failed && len(rest) >= max(limit+MaxHeaderSize, 2+4+MaxControlPayload) {
			t.Fatalf("nothing yet with %d bytes left (limit %d)", len(rest), limit)
		}
		if !failed {
			// Nothing yet is stable: the same bytes again give nothing.
			if n, m, err := d.Decode(bytes.Clone(rest)); n != 0 || m.Op != OpContinuation || err != nil {
				t.Fatalf("second nothing-yet call: %d, %v, %v", n, m.Op, err)
			}
		}
		for _, e := range whole {
			switch e.op {
			case OpText:
				if !utf8.ValidString(e.payload) {
					t.Fatal("text message is not UTF-8")
				}
				fallthrough
			case OpBinary:
				if len(e.payload) > limit {
					t.Fatalf("%d-byte message, limit %d", len(e.payload), limit)
				}
			case OpPing, OpPong:
				if len(e.payload) > MaxControlPayload {
					t.Fatalf("%d-byte control payload", len(e.payload))
				}
			case OpClose:
				if e.code != CloseNoStatusReceived && !validCloseCode(e.code) {
					t.Fatalf("close code %d", e.code)
				}
			case OpContinuation:
				if e.err == nil {
					t.Fatal("message with Op continuation")
				}
			default:
				t.Fatalf("message with Op %d", e.op)
			}
		}

		// Split in two at every offset (or at 256 of them).
		step := max(1, len(b)/256)
		if len(b) <= maxSplitInput {
			step = 1
		}
		for i := 0; i <= len(b); i += step {
			if got := decodeChunks(t, cfg, b[:i], b[i:]); !sameEvents(got, whole) {
				t.Fatalf("split at %d of %d:\n got %v\nwant %v", i, len(b), got, whole)
			}
		}
		// A byte at a time.
		if len(b) <= maxSplitInput {
			chunks := make([][]byte, len(b))
			for i := range b {
				chunks[i] = b[i : i+1]
			}
			if got := decodeChunks(t, cfg, chunks...); !sameEvents(got, whole) {
				t.Fatalf("byte at a time:\n got %v\nwant %v", got, whole)
			}
		}

		// Decoding again on the warm Decoder allocates nothing, as long as
		// its buffer stays within what it keeps between messages.
		if !raceEnabled && len(b) <= maxRetained/4 {
			buf := make([]byte, len(b))
			d := cfg
			if n := testing.AllocsPerRun(1, func() {
				d.Reset()
				p := buf[:copy(buf, b)]
				for {
					n, m, err := d.Decode(p)
					if err != nil || m.Op == OpContinuation {
						return
					}
					p = p[n:]
				}
			}); n != 0 {
				t.Fatalf("warm Decode allocated %v times", n)
			}
		}
	})
}

// cmpOr returns a if it is positive, else b.
func cmpOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}
