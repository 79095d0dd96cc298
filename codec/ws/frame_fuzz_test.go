package ws

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf8"

	gws "github.com/gobwas/ws"
)

// FuzzRoundTrip checks that messages written with AppendClientFrame, in
// random fragments with a Ping between the first two, decode back to the
// same messages (or to the error the content calls for); that gobwas
// writes the same client bytes; and that the server encoders
// (AppendFrame, BeginFrame/EndFrame, AppendClose) decode back too.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"action":"announce"}`), true, []byte{}, []byte{}, uint32(0x37fa213d), uint16(1000), "")
	f.Add(offerJSON(600), true, []byte{100, 200}, []byte("ping"), uint32(1), uint16(1001), "going away")
	f.Add([]byte("caf\xc3\xa9"), true, []byte{4}, []byte{}, uint32(0), uint16(1), "")
	f.Add([]byte("\xff\xfe"), false, []byte{1, 0, 0}, []byte("p"), uint32(0xffffffff), uint16(4999), "é")
	f.Add([]byte("\xff"), true, []byte{}, []byte{}, uint32(7), uint16(1006), "")
	f.Add(bytes.Repeat([]byte("z"), 70000), false, []byte{255, 255}, bytes.Repeat([]byte("p"), 200), uint32(9), uint16(0), "")

	f.Fuzz(func(t *testing.T, payload []byte, text bool, cuts, ping []byte, mask32 uint32, code uint16, reason string) {
		op := OpBinary
		if text {
			op = OpText
		}
		var mask [4]byte
		binary.BigEndian.PutUint32(mask[:], mask32)
		ping = ping[:min(len(ping), MaxControlPayload)]
		reason = reason[:min(len(reason), MaxControlPayload-2)]

		// The client stream: fragments, a ping after the first, a close.
		var frags [][]byte
		rest := payload
		for _, c := range cuts {
			n := min(int(c), len(rest))
			frags, rest = append(frags, rest[:n]), rest[n:]
		}
		frags = append(frags, rest)
		var stream, ref bytes.Buffer
		for i, p := range frags {
			fop := op
			if i > 0 {
				fop = OpContinuation
			}
			fin := i == len(frags)-1
			stream.Write(AppendClientFrame(nil, fop, fin, mask, p))
			if err := gws.WriteFrame(&ref, gws.MaskFrameInPlaceWith(gws.NewFrame(gws.OpCode(fop), fin, bytes.Clone(p)), mask)); err != nil {
				t.Fatal(err)
			}
			if i == 0 && len(ping) > 0 {
				stream.Write(AppendClientFrame(nil, OpPing, true, mask, ping))
				if err := gws.WriteFrame(&ref, gws.MaskFrameInPlaceWith(gws.NewPingFrame(bytes.Clone(ping)), mask)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !bytes.Equal(stream.Bytes(), ref.Bytes()) {
			t.Fatal("AppendClientFrame differs from gobwas WriteFrame")
		}
		msg := event{op: op, payload: string(payload)}
		switch {
		case len(payload) > DefaultMaxMessage:
			msg = event{err: ErrMessageTooBig}
		case text && !utf8.Valid(payload):
			msg = event{err: ErrInvalidUTF8}
		}
		want := []event{msg}
		if len(ping) > 0 {
			pingEv := event{op: OpPing, payload: string(ping)}
			switch {
			case len(frags) == 1: // the ping follows the message
				if msg.err == nil {
					want = append(want, pingEv)
				}
			case len(frags[0]) <= DefaultMaxMessage: // the ping comes between fragments
				want = []event{pingEv, msg}
			}
		}
		if code != 0 && want[len(want)-1].err == nil {
			var cp []byte
			if code != 1 { // 1 stands for an empty close payload
				cp = binary.BigEndian.AppendUint16(nil, code)
				cp = append(cp, reason...)
			}
			stream.Write(AppendClientFrame(nil, OpClose, true, mask, cp))
			switch {
			case code == 1:
				want = append(want, event{op: OpClose, code: CloseNoStatusReceived})
			case !validCloseCode(code):
				want = append(want, event{err: ErrCloseCode})
			case !utf8.ValidString(reason):
				want = append(want, event{err: ErrInvalidUTF8})
			default:
				want = append(want, event{op: OpClose, payload: reason, code: code})
			}
		}
		var d Decoder
		got, left := decodeAll(t, &d, stream.Bytes())
		if !sameEvents(got, want) {
			t.Fatalf("client stream:\n got %v\nwant %v", got, want)
		}
		if want[len(want)-1].err == nil && len(left) != 0 {
			t.Fatalf("%d bytes left", len(left))
		}

		// The server direction, for what a server may send.
		if len(payload) > DefaultMaxMessage || (text && !utf8.Valid(payload)) {
			return
		}
		server := AppendFrame(nil, op, payload)
		dst, start := BeginFrame([]byte("x"))
		if got := EndFrame(append(dst, payload...), start, op); !bytes.Equal(got[1:], server) {
			t.Fatal("BeginFrame/EndFrame differs from AppendFrame")
		}
		if validCloseCode(code) {
			server = AppendClose(server, code, reason)
		}
		got, _ = decodeAll(t, &Decoder{Client: true}, server)
		if len(got) == 0 || got[0] != (event{op: op, payload: string(payload)}) {
			t.Fatalf("server frame decoded to %v", got)
		}
		if validCloseCode(code) && utf8.ValidString(reason) && (len(got) != 2 || got[1] != (event{op: OpClose, payload: reason, code: code})) {
			t.Fatalf("server close decoded to %v", got)
		}
	})
}
