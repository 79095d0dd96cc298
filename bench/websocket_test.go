package bench

import (
	"bytes"
	"testing"
)

func TestWSAccept(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("wsAccept = %q", got)
	}
}

func TestAppendFrame_Masked(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	// RFC 6455 §5.7: a masked "Hello".
	want := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	if got := appendFrame(nil, wsText, []byte("Hello"), key); !bytes.Equal(got, want) {
		t.Errorf("appendFrame = % x, want % x", got, want)
	}
	long := appendFrame(nil, wsText, make([]byte, 300), key)
	if long[1] != 0x80|126 || long[2] != 1 || long[3] != 44 || len(long) != 4+4+300 {
		t.Errorf("300-byte frame header % x", long[:8])
	}
}

// wsRecorder is a wsHandler that keeps what it is given.
type wsRecorder struct {
	msgs []string
	sent []byte // opcodes of the frames queued
}

func (r *wsRecorder) handle(msg []byte)             { r.msgs = append(r.msgs, string(msg)) }
func (r *wsRecorder) send(opcode byte, data []byte) { r.sent = append(r.sent, opcode) }

func TestRawWS_Messages(t *testing.T) {
	// Server frames: "Hel" + "lo" fragmented around a ping, "x" whole, the
	// first bytes of another frame; then its rest and a close.
	in := []byte{0x01, 0x03, 'H', 'e', 'l', 0x89, 0x01, 'p', 0x80, 0x02, 'l', 'o', 0x81, 0x01, 'x', 0x81, 0x7e, 0x00}
	r := &rawWS{in: append([]byte(nil), in...)}
	var h wsRecorder
	if err := r.messages(&h); err != nil {
		t.Fatal(err)
	}
	if len(h.msgs) != 2 || h.msgs[0] != "Hello" || h.msgs[1] != "x" {
		t.Errorf("messages %q, want Hello and x", h.msgs)
	}
	if !bytes.Equal(h.sent, []byte{wsPong}) {
		t.Errorf("frames queued %v, want one pong", h.sent)
	}
	if !bytes.Equal(r.in, []byte{0x81, 0x7e, 0x00}) {
		t.Errorf("kept % x, want the partial frame", r.in)
	}
	r.in = append(r.in, 0x7e)
	r.in = append(r.in, bytes.Repeat([]byte{'y'}, 126)...)
	r.in = append(r.in, 0x88, 0x00)
	if err := r.messages(&h); err != errWSClosed {
		t.Errorf("after close: %v, want errWSClosed", err)
	}
	if len(h.msgs) != 3 || len(h.msgs[2]) != 126 {
		t.Errorf("the 126-byte message was not handed over: %d messages", len(h.msgs))
	}
	for _, bad := range [][]byte{
		{0x81, 0x81, 1, 2, 3, 4, 'x'}, // masked
		{0xc1, 0x01, 'x'},             // a reserved bit
		{0x80, 0x01, 'x'},             // a continuation with no message begun
		{0x09, 0x00},                  // a fragmented ping
	} {
		r := &rawWS{in: bad}
		if err := r.messages(&h); err != errWSFrame {
			t.Errorf("% x: %v, want errWSFrame", bad, err)
		}
	}
}

func TestWSPeer_RecentOffers(t *testing.T) {
	cfg := DefaultWSConfig()
	p := newWSPeer(&cfg, nil, nil, 3, 0, 100)
	var ids [][20]byte
	for range 250 {
		ids = append(ids, p.newOfferID())
	}
	for i, id := range ids {
		if got, want := p.isRecentOffer(&id), i >= 150; got != want {
			t.Errorf("offer %d: recent %v, want %v", i, got, want)
		}
	}
	forged := ids[200]
	forged[19] ^= 1
	if p.isRecentOffer(&forged) {
		t.Error("an id with our number but other bytes was taken for ours")
	}
	other := newWSPeer(&cfg, nil, nil, 4, 0, 100).newOfferID()
	if p.isRecentOffer(&other) {
		t.Error("another peer's offer id was taken for ours")
	}
}
