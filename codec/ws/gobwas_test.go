package ws

// gobwas/ws is the reference implementation here: its frame reader and
// writer allocate per frame, so they serve only to check ours.

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	gws "github.com/gobwas/ws"
)

// readGobwasFrame reads one frame with gobwas's header reader and unmasks
// it if needed.
func readGobwasFrame(t *testing.T, r io.Reader) (gws.Header, []byte) {
	t.Helper()
	h, err := gws.ReadHeader(r)
	if err != nil {
		t.Fatalf("gobwas ReadHeader: %v", err)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatalf("gobwas payload: %v", err)
	}
	if h.Masked {
		gws.Cipher(p, h.Mask, 0)
	}
	return h, p
}

// TestGobwas_ServerFramesParse: every server frame we write is a valid
// unmasked frame to gobwas, with the same header and payload.
func TestGobwas_ServerFramesParse(t *testing.T) {
	type frame struct {
		op      Opcode
		fin     bool
		payload []byte
		bytes   []byte
	}
	var frames []frame
	for _, n := range []int{0, 1, 125, 126, 600, 65535, 65536, 100 << 10} {
		p := bytes.Repeat([]byte{'x'}, n)
		frames = append(frames,
			frame{op: OpText, fin: true, payload: p, bytes: AppendText(nil, p)},
			frame{op: OpBinary, fin: false, payload: p, bytes: append(AppendFrameHeader(nil, OpBinary, false, n), p...)},
			frame{op: OpContinuation, fin: true, payload: p, bytes: AppendFrame(nil, OpContinuation, p)},
		)
		dst, start := BeginFrame(nil)
		frames = append(frames, frame{op: OpText, fin: true, payload: p, bytes: EndFrame(append(dst, p...), start, OpText)})
	}
	frames = append(frames,
		frame{op: OpPing, fin: true, payload: []byte("ping"), bytes: AppendFrame(nil, OpPing, []byte("ping"))},
		frame{op: OpPong, fin: true, payload: []byte{}, bytes: AppendFrame(nil, OpPong, nil)},
	)
	var stream []byte
	for _, f := range frames {
		stream = append(stream, f.bytes...)
	}
	r := bytes.NewReader(stream)
	state := gws.StateClientSide
	for i, f := range frames {
		h, p := readGobwasFrame(t, r)
		if err := gws.CheckHeader(h, state); err != nil {
			t.Fatalf("frame %d: gobwas CheckHeader: %v", i, err)
		}
		if !h.OpCode.IsControl() {
			if h.Fin {
				state = state.Clear(gws.StateFragmented)
			} else {
				state = state.Set(gws.StateFragmented)
			}
		}
		if h.Masked || h.Rsv != 0 || h.Fin != f.fin || h.OpCode != gws.OpCode(f.op) || !bytes.Equal(p, f.payload) {
			t.Fatalf("frame %d: gobwas read %+v with %d bytes; want %v fin %v with %d bytes", i, h, len(p), f.op, f.fin, len(f.payload))
		}
	}
	if r.Len() != 0 {
		t.Fatalf("%d bytes left", r.Len())
	}

	for _, c := range []struct {
		code   uint16
		reason string
	}{{code: 1000}, {code: 1001, reason: "going away"}, {code: 1011, reason: strings.Repeat("é", 80)}, {code: 4000, reason: "x"}} {
		h, p := readGobwasFrame(t, bytes.NewReader(AppendClose(nil, c.code, c.reason)))
		code, reason := gws.ParseCloseFrameData(p)
		if h.OpCode != gws.OpClose || uint16(code) != c.code || !strings.HasPrefix(c.reason, reason) {
			t.Fatalf("close %d: gobwas read %v %d %q", c.code, h.OpCode, code, reason)
		}
		if err := gws.CheckCloseFrameData(code, reason); err != nil {
			t.Fatalf("close %d: gobwas CheckCloseFrameData: %v", c.code, err)
		}
	}
}

// TestGobwas_ClientFramesDecode: masked frames written by gobwas decode
// with ours, and AppendClientFrame writes the very same bytes.
func TestGobwas_ClientFramesDecode(t *testing.T) {
	mask := [4]byte{1, 2, 3, 4}
	big := bytes.Repeat([]byte("0123456789"), 7000)
	frames := []gws.Frame{
		gws.NewTextFrame([]byte(`{"action":"announce"}`)),
		gws.NewBinaryFrame(big),
		gws.NewFrame(gws.OpText, false, []byte("frag")),
		gws.NewPingFrame([]byte("between")),
		gws.NewFrame(gws.OpContinuation, false, big[:40000]),
		gws.NewFrame(gws.OpContinuation, true, []byte("ments")),
		gws.NewPongFrame(nil),
		gws.NewCloseFrame(gws.NewCloseFrameBody(gws.StatusGoingAway, "bye")),
	}
	want := []event{
		{op: OpText, payload: `{"action":"announce"}`},
		{op: OpBinary, payload: string(big)},
		{op: OpPing, payload: "between"},
		{op: OpText, payload: "frag" + string(big[:40000]) + "ments"},
		{op: OpPong},
		{op: OpClose, payload: "bye", code: 1001},
	}
	var stream, ours bytes.Buffer
	for _, f := range frames {
		payload := slices.Clone(f.Payload)
		if err := gws.WriteFrame(&stream, gws.MaskFrameInPlaceWith(gws.NewFrame(f.Header.OpCode, f.Header.Fin, payload), mask)); err != nil {
			t.Fatal(err)
		}
		ours.Write(AppendClientFrame(nil, Opcode(f.Header.OpCode), f.Header.Fin, mask, f.Payload))
	}
	if !bytes.Equal(stream.Bytes(), ours.Bytes()) {
		t.Fatal("AppendClientFrame differs from gobwas WriteFrame")
	}
	d := Decoder{MaxMessage: 1 << 20}
	if got, rest := decodeAll(t, &d, stream.Bytes()); !sameEvents(got, want) || len(rest) != 0 {
		t.Fatalf("events\n got %v\nwant %v\n(%d bytes left)", got, want, len(rest))
	}
}

// TestGobwas_CloseCodes: our close-code check agrees with gobwas's, except
// where we follow gorilla/websocket and Autobahn instead: 1012-1014,
// registered with IANA after RFC 6455, are valid (gobwas refuses them), and
// codes from 5000 up, which RFC 6455 §7.4.2 leaves undefined, are not
// (gobwas accepts them).
func TestGobwas_CloseCodes(t *testing.T) {
	for code := range 1 << 16 {
		c := uint16(code)
		ours := validCloseCode(c)
		theirs := gws.CheckCloseFrameData(gws.StatusCode(c), "") == nil
		switch {
		case c >= 1012 && c <= 1014:
			theirs = true
		case c >= 5000:
			theirs = false
		}
		if ours != theirs {
			t.Errorf("close code %d: ours %v, gobwas %v", c, ours, theirs)
		}
	}
}

// TestGobwas_AcceptMatchesUpgrader: for the same request, gobwas's server
// answers with the Sec-WebSocket-Accept we compute.
func TestGobwas_AcceptMatchesUpgrader(t *testing.T) {
	for _, key := range []string{rfcKey, "AQIDBAUGBwgJCgsMDQ4PEA==", "x3JJHMbDL1EzLkh9GBhXDw=="} {
		req := "GET /announce HTTP/1.1\r\nHost: tracker.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
		var out bytes.Buffer
		if _, err := gws.Upgrade(struct {
			io.Reader
			io.Writer
		}{strings.NewReader(req), &out}); err != nil {
			t.Fatalf("gobwas Upgrade: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(&out), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(AppendAcceptKey(nil, []byte(key))), resp.Header.Get("Sec-WebSocket-Accept"); got != want {
			t.Fatalf("key %s: accept %s, gobwas %s", key, got, want)
		}
	}
}

// TestGobwas_Conversation runs gobwas's client against our handshake and
// frame codec over loopback TCP: the client's Dialer must accept our 101,
// and every frame must cross both ways.
func TestGobwas_Conversation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback: %v", err)
	}
	defer ln.Close()
	serverErr := make(chan error, 1)
	go func() { serverErr <- serveOne(ln) }()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, br, _, err := gws.Dialer{}.Dial(ctx, "ws://"+ln.Addr().String()+"/announce")
	if err != nil {
		t.Fatalf("gobwas Dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	offer := offerJSON(600)
	for _, f := range []gws.Frame{
		gws.NewTextFrame(offer),
		gws.NewFrame(gws.OpText, false, offer[:100]),
		gws.NewPingFrame([]byte("are you there")),
		gws.NewFrame(gws.OpContinuation, true, offer[100:]),
		gws.NewCloseFrame(gws.NewCloseFrameBody(gws.StatusNormalClosure, "")),
	} {
		if err := gws.WriteFrame(conn, gws.MaskFrame(f)); err != nil {
			t.Fatal(err)
		}
	}
	wants := []struct {
		op      gws.OpCode
		payload []byte
	}{
		{op: gws.OpText, payload: offer},
		{op: gws.OpPong, payload: []byte("are you there")},
		{op: gws.OpText, payload: offer},
		{op: gws.OpClose, payload: []byte{0x03, 0xe8}},
	}
	for i, w := range wants {
		h, p := readGobwasFrame(t, r)
		if h.OpCode != w.op || !h.Fin || h.Masked || !bytes.Equal(p, w.payload) {
			t.Fatalf("reply %d: %+v %q; want %v %q", i, h, p, w.op, w.payload)
		}
	}
	if err := <-serverErr; err != nil {
		t.Fatal(err)
	}
}

// serveOne is a minimal server built on this package: it upgrades one
// connection, echoes text messages, answers pings, and echoes the Close.
func serveOne(ln net.Listener) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		return err
	}
	u := Upgrade{
		Method:     []byte(req.Method),
		Upgrade:    []byte(req.Header.Get("Upgrade")),
		Connection: []byte(strings.Join(req.Header.Values("Connection"), ",")),
		Key:        []byte(req.Header.Get("Sec-WebSocket-Key")),
		Version:    []byte(req.Header.Get("Sec-WebSocket-Version")),
		Extensions: []byte(req.Header.Get("Sec-WebSocket-Extensions")),
	}
	if err := u.Check(); err != nil {
		_, _ = conn.Write(AppendRefusal(nil, err))
		return err
	}
	if _, err := conn.Write(AppendAccept(nil, u.Key)); err != nil {
		return err
	}
	var d Decoder
	var in, out []byte
	buf := make([]byte, 4096)
	for {
		n, err := br.Read(buf)
		if err != nil {
			return err
		}
		in = append(in, buf[:n]...)
		used := 0
		for {
			k, m, err := d.Decode(in[used:])
			used += k
			if err != nil {
				_, _ = conn.Write(AppendClose(out, CloseCode(err), ""))
				return err
			}
			switch m.Op {
			case OpText:
				out = AppendText(out, m.Payload)
			case OpPing:
				out = AppendFrame(out, OpPong, m.Payload)
			case OpClose:
				_, err := conn.Write(AppendClose(out, m.CloseCode, ""))
				return err
			}
			if m.Op == OpContinuation {
				break
			}
		}
		in = append(in[:0], in[used:]...)
		if len(out) > 0 {
			if _, err := conn.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
}
