//go:build !race

package ws

import (
	"bytes"
	"strings"
	"testing"
)

// allocRuns is the number of runs testing.AllocsPerRun averages over.
const allocRuns = 1000

// raceEnabled tells the fuzz targets whether they may count allocations:
// the race detector's instrumentation makes the counts meaningless.
const raceEnabled = false

func assertNoAllocs(t *testing.T, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(allocRuns, f); n != 0 {
		t.Fatalf("allocs per run = %v, want 0", n)
	}
}

// decodeFresh copies frames into buf (Decode unmasks in place, so each run
// needs the masked bytes again) and decodes every message in it.
func decodeFresh(t *testing.T, d *Decoder, buf, frames []byte, want int) {
	b := buf[:copy(buf, frames)]
	got := 0
	for {
		n, m, err := d.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		b = b[n:]
		if m.Op == OpContinuation {
			break
		}
		got++
	}
	if got != want || len(b) != 0 {
		t.Fatalf("%d messages, %d bytes left; want %d, 0", got, len(b), want)
	}
}

func TestAllocs_DecodeText(t *testing.T) {
	frame := AppendClientFrame(nil, OpText, true, testMask, bytes.Repeat([]byte("a"), 1<<10))
	buf := make([]byte, len(frame))
	var d Decoder
	assertNoAllocs(t, func() { decodeFresh(t, &d, buf, frame, 1) })
}

// TestAllocs_DecodeFragmented decodes a 3 KiB message in three fragments,
// with a ping between the first two, on a warm Decoder (its reassembly
// buffer has grown during AllocsPerRun's warm-up run).
func TestAllocs_DecodeFragmented(t *testing.T) {
	s := strings.Repeat("f", 3<<10)
	frames := cat(cf(OpText, false, s[:1000]), cf(OpPing, true, "p"), cf(OpContinuation, false, s[1000:2000]),
		cf(OpContinuation, true, s[2000:]))
	buf := make([]byte, len(frames))
	var d Decoder
	assertNoAllocs(t, func() { decodeFresh(t, &d, buf, frames, 2) })
}

func TestAllocs_DecodeControl(t *testing.T) {
	frames := cat(cf(OpPing, true, "ping"), cf(OpPong, true, ""), cf(OpClose, true, closePayload(1001, "bye")))
	buf := make([]byte, len(frames))
	var d Decoder
	assertNoAllocs(t, func() { decodeFresh(t, &d, buf, frames, 3) })
}

func TestAllocs_DecodeErrors(t *testing.T) {
	inputs := [][]byte{
		AppendFrame(nil, OpText, []byte("unmasked")),
		withBits(cf(OpText, true, "x"), 0x40),
		cf(OpText, true, "\xff"),
		header(0x81, true, 100<<10),
		cf(OpClose, true, closePayload(1006, "")),
	}
	buf := make([]byte, 64)
	assertNoAllocs(t, func() {
		for _, in := range inputs {
			var d Decoder
			if _, _, err := d.Decode(buf[:copy(buf, in)]); err == nil {
				t.Fatal("no error")
			} else {
				_ = CloseCode(err)
			}
		}
	})
}

func TestAllocs_Handshake(t *testing.T) {
	u := goodUpgrade()
	dst := make([]byte, 0, 256)
	tests := []struct {
		name string
		f    func()
	}{
		{name: "Check", f: func() {
			if err := u.Check(); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "AppendAccept", f: func() { dst = AppendAccept(dst[:0], u.Key) }},
		{name: "AppendRefusal", f: func() { dst = AppendRefusal(dst[:0], ErrVersion) }},
		{name: "UpgradeStatus", f: func() { _ = UpgradeStatus(ErrKey) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertNoAllocs(t, tt.f) })
	}
}

func TestAllocs_Append(t *testing.T) {
	payload := offerJSON(600)
	big := make([]byte, 70000)
	dst := make([]byte, 0, 80000)
	tests := []struct {
		name string
		f    func()
	}{
		{name: "AppendFrame", f: func() { dst = AppendFrame(dst[:0], OpText, payload) }},
		{name: "AppendText", f: func() { dst = AppendText(dst[:0], big) }},
		{name: "AppendFrameHeader", f: func() { dst = append(AppendFrameHeader(dst[:0], OpText, true, len(payload)), payload...) }},
		{name: "AppendClose", f: func() { dst = AppendClose(dst[:0], CloseMessageTooBig, "message too big") }},
		{name: "BeginEndFrame", f: func() {
			var start int
			dst, start = BeginFrame(dst[:0])
			dst = EndFrame(append(dst, payload...), start, OpText)
		}},
		{name: "AppendClientFrame", f: func() { dst = AppendClientFrame(dst[:0], OpText, true, testMask, payload) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertNoAllocs(t, tt.f) })
	}
}
