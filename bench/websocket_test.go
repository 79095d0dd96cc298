package bench

import (
	"bufio"
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

func TestReadMessage(t *testing.T) {
	// Server frames: "Hel" + "lo" fragmented around a ping, then a close.
	in := []byte{0x01, 0x03, 'H', 'e', 'l', 0x89, 0x01, 'p', 0x80, 0x02, 'l', 'o', 0x88, 0x00}
	var out bytes.Buffer
	w := &wsConn{br: bufio.NewReader(bytes.NewReader(in)), c: nopConn{&out}, rng: newTestRand()}
	msg, err := w.readMessage()
	if err != nil || string(msg) != "Hello" {
		t.Fatalf("readMessage = %q, %v", msg, err)
	}
	if out.Len() != 0 {
		t.Errorf("the pong was written before a read had to wait")
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	if b := out.Bytes(); len(b) != 2+4+1 || b[0] != 0x80|wsPong {
		t.Errorf("ping answered with % x, want a masked pong", b)
	}
	if _, err := w.readMessage(); err != errWSClosed {
		t.Errorf("after close: %v, want errWSClosed", err)
	}
	masked := &wsConn{br: bufio.NewReader(bytes.NewReader([]byte{0x81, 0x81, 1, 2, 3, 4, 'x'}))}
	if _, err := masked.readMessage(); err != errWSFrame {
		t.Errorf("masked server frame: %v, want errWSFrame", err)
	}
}
