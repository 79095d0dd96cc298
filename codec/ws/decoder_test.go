package ws

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// header returns just the header of a frame: b0 (FIN, RSV, opcode), the
// mask bit and length n in the shortest encoding, and the mask if masked.
func header(b0 byte, masked bool, n int) []byte {
	var maskBit byte
	if masked {
		maskBit = 0x80
	}
	h := appendHeader(nil, b0, maskBit, n)
	if masked {
		h = append(h, testMask[:]...)
	}
	return h
}

// withBits returns a copy of frame with bits ORed into its first byte.
func withBits(frame []byte, bits byte) []byte {
	f := bytes.Clone(frame)
	f[0] |= bits
	return f
}

func TestDecode(t *testing.T) {
	kib40 := strings.Repeat("y", 40<<10)
	tests := []struct {
		name      string
		in        []byte
		max       int
		client    bool
		unchecked bool // TextUnchecked
		want      []event
	}{
		// Accepted.
		{name: "rfc masked text", in: readHex(t, "client_text_hello.hex"), want: []event{{op: OpText, payload: "Hello"}}},
		{name: "rfc masked pong", in: readHex(t, "client_pong_hello.hex"), want: []event{{op: OpPong, payload: "Hello"}}},
		{name: "rfc server text", client: true, in: readHex(t, "server_text_hello.hex"), want: []event{{op: OpText, payload: "Hello"}}},
		{name: "rfc server fragments", client: true, in: readHex(t, "server_fragmented_hello.hex"), want: []event{{op: OpText, payload: "Hello"}}},
		{name: "rfc server ping", client: true, in: readHex(t, "server_ping_hello.hex"), want: []event{{op: OpPing, payload: "Hello"}}},
		{name: "empty text", in: cf(OpText, true, ""), want: []event{{op: OpText}}},
		{name: "binary not utf8", in: cf(OpBinary, true, "\xff\xfe"), want: []event{{op: OpBinary, payload: "\xff\xfe"}}},
		{name: "empty ping", in: cf(OpPing, true, ""), want: []event{{op: OpPing}}},
		{name: "ping 125", in: cf(OpPing, true, strings.Repeat("p", 125)), want: []event{{op: OpPing, payload: strings.Repeat("p", 125)}}},
		{name: "two messages", in: cat(cf(OpText, true, "a"), cf(OpBinary, true, "b")),
			want: []event{{op: OpText, payload: "a"}, {op: OpBinary, payload: "b"}}},
		{name: "three fragments, ping between 1 and 2",
			in:   cat(cf(OpText, false, "one "), cf(OpPing, true, "p"), cf(OpContinuation, false, "two "), cf(OpContinuation, true, "three")),
			want: []event{{op: OpPing, payload: "p"}, {op: OpText, payload: "one two three"}}},
		{name: "pong and close between fragments",
			in:   cat(cf(OpBinary, false, "a"), cf(OpPong, true, ""), cf(OpContinuation, false, "b"), cf(OpClose, true, closePayload(1001, "bye"))),
			want: []event{{op: OpPong}, {op: OpClose, payload: "bye", code: 1001}}},
		{name: "empty fragments", in: cat(cf(OpText, false, ""), cf(OpContinuation, false, ""), cf(OpContinuation, true, "")),
			want: []event{{op: OpText}}},
		{name: "utf8 rune split across fragments", in: cat(cf(OpText, false, "caf\xc3"), cf(OpContinuation, true, "\xa9")),
			want: []event{{op: OpText, payload: "café"}}},
		{name: "16-bit length 126", in: cf(OpText, true, strings.Repeat("a", 126)), want: []event{{op: OpText, payload: strings.Repeat("a", 126)}}},
		{name: "16-bit length 65535", in: cf(OpBinary, true, strings.Repeat("b", 65535)), want: []event{{op: OpBinary, payload: strings.Repeat("b", 65535)}}},
		{name: "64-bit length 64 KiB at the default limit", in: cf(OpBinary, true, strings.Repeat("c", 64<<10)),
			want: []event{{op: OpBinary, payload: strings.Repeat("c", 64<<10)}}},
		{name: "64-bit length 100 KiB", max: 1 << 20, in: cf(OpText, true, strings.Repeat("d", 100<<10)),
			want: []event{{op: OpText, payload: strings.Repeat("d", 100<<10)}}},
		{name: "non-minimal 64-bit length", in: cat([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 2}, testMask[:], AppendClientFrame(nil, OpText, true, testMask, []byte("hi"))[6:]),
			want: []event{{op: OpText, payload: "hi"}}},
		{name: "40 KiB single frame", in: cf(OpText, true, kib40), want: []event{{op: OpText, payload: kib40}}},
		{name: "40 KiB in three fragments", in: cat(cf(OpText, false, kib40[:1]), cf(OpContinuation, false, kib40[1:30000]), cf(OpContinuation, true, kib40[30000:])),
			want: []event{{op: OpText, payload: kib40}}},
		{name: "at MaxMessage", max: 100, in: cf(OpText, true, strings.Repeat("e", 100)), want: []event{{op: OpText, payload: strings.Repeat("e", 100)}}},
		{name: "fragments at MaxMessage", max: 100, in: cat(cf(OpText, false, strings.Repeat("e", 50)), cf(OpContinuation, true, strings.Repeat("e", 50))),
			want: []event{{op: OpText, payload: strings.Repeat("e", 100)}}},
		{name: "close without payload", in: cf(OpClose, true, ""), want: []event{{op: OpClose, code: CloseNoStatusReceived}}},
		{name: "close code only", in: cf(OpClose, true, closePayload(1000, "")), want: []event{{op: OpClose, code: 1000}}},
		{name: "close 1014", in: cf(OpClose, true, closePayload(1014, "")), want: []event{{op: OpClose, code: 1014}}},
		{name: "close 4999", in: cf(OpClose, true, closePayload(4999, "ok")), want: []event{{op: OpClose, payload: "ok", code: 4999}}},

		// Refused: 1002.
		{name: "unmasked client frame", in: AppendFrame(nil, OpText, []byte("hi")), want: []event{{err: ErrUnmasked}}},
		{name: "masked server frame", client: true, in: cf(OpText, true, "hi"), want: []event{{err: ErrMasked}}},
		{name: "rsv1 (deflate)", in: withBits(cf(OpText, true, "hi"), 0x40), want: []event{{err: ErrReservedBits}}},
		{name: "rsv2", in: withBits(cf(OpText, true, "hi"), 0x20), want: []event{{err: ErrReservedBits}}},
		{name: "rsv3", in: withBits(cf(OpText, true, "hi"), 0x10), want: []event{{err: ErrReservedBits}}},
		{name: "opcode 3", in: cf(3, true, ""), want: []event{{err: ErrReservedOpcode}}},
		{name: "opcode 7", in: cf(7, true, ""), want: []event{{err: ErrReservedOpcode}}},
		{name: "opcode 0xb", in: cf(0xb, true, ""), want: []event{{err: ErrReservedOpcode}}},
		{name: "opcode 0xf", in: cf(0xf, true, ""), want: []event{{err: ErrReservedOpcode}}},
		{name: "ping over 125", in: cf(OpPing, true, strings.Repeat("p", 126)), want: []event{{err: ErrControlTooLong}}},
		{name: "close over 125", in: cf(OpClose, true, closePayload(1000, strings.Repeat("r", 124))), want: []event{{err: ErrControlTooLong}}},
		{name: "pong over 125 from 2 bytes", in: []byte{0x8a, 0xff}, want: []event{{err: ErrControlTooLong}}},
		{name: "fragmented ping", in: cf(OpPing, false, "p"), want: []event{{err: ErrControlFragmented}}},
		{name: "fragmented close", in: cf(OpClose, false, ""), want: []event{{err: ErrControlFragmented}}},
		{name: "continuation without start", in: cf(OpContinuation, true, "x"), want: []event{{err: ErrUnexpectedContinuation}}},
		{name: "continuation after the end", in: cat(cf(OpText, true, "a"), cf(OpContinuation, true, "x")),
			want: []event{{op: OpText, payload: "a"}, {err: ErrUnexpectedContinuation}}},
		{name: "text inside fragmented text", in: cat(cf(OpText, false, "a"), cf(OpText, true, "b")), want: []event{{err: ErrExpectedContinuation}}},
		{name: "binary inside fragmented text", in: cat(cf(OpText, false, "a"), cf(OpPing, true, ""), cf(OpBinary, false, "b")),
			want: []event{{op: OpPing}, {err: ErrExpectedContinuation}}},
		{name: "64-bit length msb", in: cat([]byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1}, testMask[:]), want: []event{{err: ErrLength}}},
		{name: "close of 1 byte", in: cf(OpClose, true, "\x03"), want: []event{{err: ErrCloseLength}}},
		{name: "close code 0", in: cf(OpClose, true, closePayload(0, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 999", in: cf(OpClose, true, closePayload(999, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 1004", in: cf(OpClose, true, closePayload(1004, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 1005", in: cf(OpClose, true, closePayload(1005, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 1006", in: cf(OpClose, true, closePayload(1006, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 1015", in: cf(OpClose, true, closePayload(1015, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 2999", in: cf(OpClose, true, closePayload(2999, "")), want: []event{{err: ErrCloseCode}}},
		{name: "close code 5000", in: cf(OpClose, true, closePayload(5000, "")), want: []event{{err: ErrCloseCode}}},

		// Refused: 1009.
		{name: "over MaxMessage", max: 100, in: cf(OpText, true, strings.Repeat("e", 101)), want: []event{{err: ErrMessageTooBig}}},
		{name: "fragments over MaxMessage", max: 100, in: cat(cf(OpText, false, strings.Repeat("e", 50)), cf(OpContinuation, true, strings.Repeat("e", 51))),
			want: []event{{err: ErrMessageTooBig}}},
		{name: "over the default limit", in: cf(OpBinary, true, strings.Repeat("c", 64<<10+1)), want: []event{{err: ErrMessageTooBig}}},

		// Refused: 1007.
		{name: "text not utf8", in: cf(OpText, true, "caf\xc3"), want: []event{{err: ErrInvalidUTF8}}},
		{name: "text surrogate", in: cf(OpText, true, "\xed\xa0\x80"), want: []event{{err: ErrInvalidUTF8}}},
		{name: "fragmented text not utf8", in: cat(cf(OpText, false, "a"), cf(OpContinuation, true, "\xff")), want: []event{{err: ErrInvalidUTF8}}},
		{name: "close reason not utf8", in: cf(OpClose, true, closePayload(1000, "\xff")), want: []event{{err: ErrInvalidUTF8}}},

		// TextUnchecked: text is the caller's to check; close reasons are not.
		{name: "unchecked text not utf8", unchecked: true, in: cf(OpText, true, "caf\xc3"), want: []event{{op: OpText, payload: "caf\xc3"}}},
		{name: "unchecked fragmented text not utf8", unchecked: true, in: cat(cf(OpText, false, "a"), cf(OpContinuation, true, "\xff")),
			want: []event{{op: OpText, payload: "a\xff"}}},
		{name: "unchecked close reason not utf8", unchecked: true, in: cf(OpClose, true, closePayload(1000, "\xff")), want: []event{{err: ErrInvalidUTF8}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decoder{MaxMessage: tt.max, Client: tt.client, TextUnchecked: tt.unchecked}
			got, rest := decodeAll(t, &d, bytes.Clone(tt.in))
			if !sameEvents(got, tt.want) {
				t.Fatalf("events\n got %v\nwant %v", got, tt.want)
			}
			if len(rest) != 0 {
				t.Fatalf("%d bytes left over", len(rest))
			}
			// The same stream fed a byte at a time, as a slow peer sends it
			// (in 997-byte chunks past 4 KiB: each chunk re-reads the rest).
			size := 1
			if len(tt.in) > 4<<10 {
				size = 997
			}
			var chunks [][]byte
			for c := range slices.Chunk(tt.in, size) {
				chunks = append(chunks, c)
			}
			if got := decodeChunks(t, Decoder{MaxMessage: tt.max, Client: tt.client, TextUnchecked: tt.unchecked}, chunks...); !sameEvents(got, tt.want) {
				t.Fatalf("%d byte(s) at a time\n got %v\nwant %v", size, got, tt.want)
			}
		})
	}
}

// TestDecode_OneByteAtATime checks what Decode returns for every prefix of
// a frame: nothing yet, with nothing used and nothing written, until the
// last byte.
func TestDecode_OneByteAtATime(t *testing.T) {
	for _, n := range []int{0, 5, 125, 126, 300, 65535, 65536} {
		payload := bytes.Repeat([]byte("z"), n)
		frame := AppendClientFrame(nil, OpText, true, testMask, payload)
		pristine := bytes.Clone(frame)
		var d Decoder
		for i := range len(frame) {
			used, m, err := d.Decode(frame[:i])
			if used != 0 || m.Op != OpContinuation || err != nil {
				t.Fatalf("len %d, prefix %d: Decode = %d, %v, %v; want nothing yet", n, i, used, m.Op, err)
			}
			if i%1024 == 0 && !bytes.Equal(frame, pristine) {
				t.Fatalf("len %d, prefix %d: Decode wrote to b", n, i)
			}
		}
		used, m, err := d.Decode(frame)
		if used != len(frame) || m.Op != OpText || !bytes.Equal(m.Payload, payload) || err != nil {
			t.Fatalf("len %d: Decode = %d, %v, %d bytes, %v", n, used, m.Op, len(m.Payload), err)
		}
	}
}

// TestDecode_TooBigFromHeader checks that an oversize message is refused as
// soon as its length is known, with no payload byte sent.
func TestDecode_TooBigFromHeader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		max  int
		at   int // shortest prefix that is refused
	}{
		{name: "100 KiB frame, 64 KiB limit", in: header(0x81, true, 100<<10), at: 10},
		{name: "16-bit length", in: header(0x82, true, 2000), max: 1000, at: 4},
		{name: "7-bit length", in: header(0x82, true, 101), max: 100, at: 2},
		{name: "continuation", in: cat(cf(OpText, false, strings.Repeat("a", 60)), header(0x80, true, 41)), max: 100, at: 6 + 60 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i <= len(tt.in); i++ {
				d := Decoder{MaxMessage: tt.max}
				_, _, err := d.Decode(bytes.Clone(tt.in[:i]))
				if i >= tt.at && err != ErrMessageTooBig {
					t.Fatalf("%d of %d header bytes: %v, want ErrMessageTooBig", i, len(tt.in), err)
				}
				if i < tt.at && err != nil {
					t.Fatalf("%d bytes: %v before the length is known", i, err)
				}
			}
		})
	}
	if got := len(header(0x81, true, 100<<10)); got != 14 {
		t.Fatalf("a masked 64-bit header is %d bytes, want 14", got)
	}
}

// TestDecode_InPlace checks the memory contract: a single-frame payload
// aliases b and is unmasked there, and bytes past used are not touched.
func TestDecode_InPlace(t *testing.T) {
	first := cf(OpText, true, "hello")
	second := cf(OpBinary, true, "world")
	b := cat(first, second[:len(second)-1]) // the second frame is incomplete
	var d Decoder
	used, m, err := d.Decode(b)
	if err != nil || used != len(first) || string(m.Payload) != "hello" {
		t.Fatalf("Decode = %d, %q, %v", used, m.Payload, err)
	}
	if &m.Payload[0] != &b[6] {
		t.Fatal("Payload does not alias b")
	}
	if !bytes.Equal(b[used:], second[:len(second)-1]) {
		t.Fatal("Decode wrote past used")
	}
	if cap(m.Payload) != len(m.Payload) {
		t.Fatal("Payload has spare capacity: an append would overwrite the next frame")
	}
	n, m, err := d.Decode(b[used:])
	if n != 0 || m.Op != OpContinuation || err != nil {
		t.Fatalf("incomplete frame: %d, %v, %v", n, m.Op, err)
	}
}

// TestDecode_UsedWithoutMessage checks the "nothing yet" convention when
// fragments were absorbed: used > 0 and the zero Message.
func TestDecode_UsedWithoutMessage(t *testing.T) {
	frag := cf(OpText, false, "abc")
	last := cf(OpContinuation, true, "def")
	b := cat(frag, last[:3])
	var d Decoder
	used, m, err := d.Decode(b)
	if used != len(frag) || m.Op != OpContinuation || m.Payload != nil || err != nil {
		t.Fatalf("Decode = %d, %+v, %v; want %d, zero, nil", used, m, err, len(frag))
	}
	used, m, err = d.Decode(bytes.Clone(last))
	if used != len(last) || m.Op != OpText || string(m.Payload) != "abcdef" || err != nil {
		t.Fatalf("Decode = %d, %+v, %v", used, m, err)
	}
}

func TestDecoder_RetainedBuffer(t *testing.T) {
	small := strings.Repeat("s", 1000)
	big := strings.Repeat("B", maxRetained+1)
	var d Decoder
	fragmented := func(s string) []byte {
		return cat(cf(OpBinary, false, s[:1]), cf(OpContinuation, true, s[1:]))
	}
	evs, _ := decodeAll(t, &d, fragmented(small))
	if !sameEvents(evs, []event{{op: OpBinary, payload: small}}) || cap(d.buf) == 0 || cap(d.buf) > maxRetained {
		t.Fatalf("small message: %v, buffer cap %d", evs, cap(d.buf))
	}
	used, m, err := d.Decode(fragmented(big))
	if err != nil || string(m.Payload) != big || used == 0 {
		t.Fatalf("big message: %v", err)
	}
	if d.buf != nil {
		t.Fatalf("a %d-byte buffer was kept after the message", cap(d.buf))
	}
	// Reset mid-message forgets it and drops a big buffer, keeping the limits.
	d = Decoder{MaxMessage: 10 << 10, Client: false}
	if _, _, err := d.Decode(cf(OpBinary, false, big)); err != nil {
		t.Fatal(err)
	}
	d.Reset()
	if d.buf != nil || d.MaxMessage != 10<<10 {
		t.Fatalf("Reset kept a %d-byte buffer or lost MaxMessage", cap(d.buf))
	}
	if _, _, err := d.Decode(cf(OpContinuation, true, "x")); err != ErrUnexpectedContinuation {
		t.Fatalf("after Reset, continuation: %v", err)
	}
}

// TestDecode_BufferBound checks the inbound-buffer bound the engine relies
// on: with MaxMessage+MaxHeaderSize bytes, Decode always makes progress.
func TestDecode_BufferBound(t *testing.T) {
	const limit = 1000
	worst := cat([]byte{0x82, 0xff}, binary.BigEndian.AppendUint64(nil, limit), testMask[:], make([]byte, limit))
	if len(worst) != limit+MaxHeaderSize {
		t.Fatalf("worst frame is %d bytes", len(worst))
	}
	d := Decoder{MaxMessage: limit}
	if used, m, err := d.Decode(worst[:len(worst)-1]); used != 0 || m.Op != OpContinuation || err != nil {
		t.Fatalf("one byte short: %d, %v, %v", used, m.Op, err)
	}
	if used, m, err := d.Decode(worst); used != len(worst) || m.Op != OpBinary || err != nil {
		t.Fatalf("whole: %d, %v, %v", used, m.Op, err)
	}
}

func TestOpcodeString(t *testing.T) {
	for op, want := range map[Opcode]string{OpContinuation: "continuation", OpText: "text", OpBinary: "binary",
		OpClose: "close", OpPing: "ping", OpPong: "pong", 3: "reserved", 0xf: "reserved"} {
		if got := op.String(); got != want {
			t.Errorf("Opcode(%d).String() = %q, want %q", op, got, want)
		}
	}
}
