package ws

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendFrame_RFC(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{name: "unmasked text", got: AppendText(nil, []byte("Hello")), want: readHex(t, "server_text_hello.hex")},
		{name: "unmasked ping", got: AppendFrame(nil, OpPing, []byte("Hello")), want: readHex(t, "server_ping_hello.hex")},
		{name: "fragments", got: AppendFrame(append(AppendFrameHeader(nil, OpText, false, 3), "Hel"...), OpContinuation, []byte("lo")),
			want: readHex(t, "server_fragmented_hello.hex")},
		{name: "masked text", got: AppendClientFrame(nil, OpText, true, testMask, []byte("Hello")), want: readHex(t, "client_text_hello.hex")},
		{name: "masked pong", got: AppendClientFrame(nil, OpPong, true, testMask, []byte("Hello")), want: readHex(t, "client_pong_hello.hex")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Fatalf("got  %x\nwant %x", tt.got, tt.want)
			}
		})
	}
}

func TestAppendFrameHeader_Lengths(t *testing.T) {
	tests := []struct {
		n    int
		want string // hex
	}{
		{n: 0, want: "8100"},
		{n: 125, want: "817d"},
		{n: 126, want: "817e007e"},
		{n: 256, want: "817e0100"}, // RFC 6455 §5.7's 256-byte example
		{n: 65535, want: "817effff"},
		{n: 65536, want: "817f0000000000010000"}, // RFC 6455 §5.7's 64 KiB example
		{n: 1 << 40, want: "817f0000010000000000"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(AppendFrameHeader(nil, OpText, true, tt.n)); got != tt.want {
			t.Errorf("AppendFrameHeader(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
	if got := hex.EncodeToString(AppendFrameHeader(nil, OpBinary, false, 1)); got != "0201" {
		t.Errorf("non-final binary header = %s", got)
	}
}

func TestAppendClose(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes, 2 per rune
	tests := []struct {
		name   string
		code   uint16
		reason string
		want   event
	}{
		{name: "normal", code: 1000, want: event{op: OpClose, code: 1000}},
		{name: "reason", code: 1009, reason: "too big", want: event{op: OpClose, code: 1009, payload: "too big"}},
		{name: "echo no status", code: CloseNoStatusReceived, reason: "ignored", want: event{op: OpClose, code: CloseNoStatusReceived}},
		{name: "zero code", code: 0, want: event{op: OpClose, code: CloseNoStatusReceived}},
		{name: "long reason cut at a rune", code: 4000, reason: long, want: event{op: OpClose, code: 4000, payload: long[:122]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := AppendClose(nil, tt.code, tt.reason)
			if len(frame) > 2+MaxControlPayload {
				t.Fatalf("close frame of %d bytes", len(frame))
			}
			got, _ := decodeAll(t, &Decoder{Client: true}, frame)
			if !sameEvents(got, []event{tt.want}) {
				t.Fatalf("decoded %v, want %v", got, tt.want)
			}
			if !utf8.ValidString(got[0].payload) {
				t.Fatal("reason cut inside a rune")
			}
		})
	}
}

func TestBeginEndFrame(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 600, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte{'j'}, n)
		for _, op := range []Opcode{OpText, OpBinary, OpPing} {
			if op == OpPing && n > MaxControlPayload {
				continue
			}
			prefix := []byte("earlier frames")
			want := AppendFrame(bytes.Clone(prefix), op, payload)
			dst, start := BeginFrame(bytes.Clone(prefix))
			if start != len(prefix) {
				t.Fatalf("start = %d, want %d", start, len(prefix))
			}
			dst = append(dst, payload...)
			if got := EndFrame(dst, start, op); !bytes.Equal(got, want) {
				t.Fatalf("n %d, op %v: EndFrame differs from AppendFrame (%d vs %d bytes)", n, op, len(got), len(want))
			}
		}
	}
}

func TestFramePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{name: "reserved opcode", f: func() { AppendFrame(nil, 3, nil) }},
		{name: "long ping", f: func() { AppendFrame(nil, OpPing, make([]byte, 126)) }},
		{name: "fragmented close", f: func() { AppendFrameHeader(nil, OpClose, false, 0) }},
		{name: "negative length", f: func() { AppendFrameHeader(nil, OpText, true, -1) }},
		{name: "close 1006", f: func() { AppendClose(nil, CloseAbnormalClosure, "") }},
		{name: "close 999", f: func() { AppendClose(nil, 999, "") }},
		{name: "EndFrame without BeginFrame", f: func() { EndFrame([]byte{1, 2}, 0, OpText) }},
		{name: "EndFrame long pong", f: func() {
			dst, start := BeginFrame(nil)
			EndFrame(append(dst, make([]byte, 200)...), start, OpPong)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "BUG: ws: ") {
					t.Fatalf("recovered %v, want a BUG panic", r)
				}
			}()
			tt.f()
		})
	}
}

func TestAppendClientFrame_KeepsPayload(t *testing.T) {
	p := []byte("unchanged")
	AppendClientFrame(nil, OpText, true, testMask, p)
	if string(p) != "unchanged" {
		t.Fatalf("payload modified: %q", p)
	}
}
