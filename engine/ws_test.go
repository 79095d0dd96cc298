package engine

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/ws"
)

func wsConfig() Config {
	cfg := httpConfig("127.0.0.1:0", "[::1]:0")
	cfg.WebTorrent = WebTorrentConfig{
		Enabled:          true,
		AnnounceInterval: 2 * time.Minute,
		PeerTimeout:      5 * time.Minute,
		MaxOffers:        10,
		OfferTTL:         2 * time.Minute,
		MaxMessage:       64 << 10,
		IdleTimeout:      5 * time.Minute,
		WriteDelay:       200 * time.Microsecond, // trackerd's default
	}
	return cfg
}

// wsClient is a browser stand-in: masked frames out, server frames in.
type wsClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	dec  ws.Decoder
	buf  []byte
}

func dialWS(t *testing.T, addr netip.AddrPort, path string) *wsClient {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w := &wsClient{t: t, conn: c, r: bufio.NewReader(c), dec: ws.Decoder{Client: true}}
	// The handshake is sent in two pieces, split inside a header.
	req := "GET " + path + " HTTP/1.1\r\nHost: tracker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
	w.write([]byte(req[:40]))
	time.Sleep(20 * time.Millisecond)
	w.write([]byte(req[40:]))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	status, err := w.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101 ") {
		t.Fatalf("handshake: %q %v", status, err)
	}
	for {
		line, err := w.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(strings.ToLower(line), "sec-websocket-extensions") {
			t.Fatalf("extension accepted: %q", line)
		}
		if line == "\r\n" {
			return w
		}
	}
}

func (w *wsClient) write(b []byte) {
	w.t.Helper()
	if _, err := w.conn.Write(b); err != nil {
		w.t.Fatal(err)
	}
}

func (w *wsClient) send(op ws.Opcode, fin bool, payload string) {
	w.t.Helper()
	w.write(ws.AppendClientFrame(nil, op, fin, [4]byte{1, 2, 3, 4}, []byte(payload)))
}

// next returns the next message from the server, or fails after 5 s.
func (w *wsClient) next() ws.Message {
	w.t.Helper()
	w.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if len(w.buf) > 0 {
			n, m, err := w.dec.Decode(w.buf)
			if err != nil {
				w.t.Fatalf("server frame: %v", err)
			}
			if m.Op != ws.OpContinuation {
				m.Payload = append([]byte(nil), m.Payload...)
				w.buf = w.buf[n:]
				return m
			}
		}
		var b [4096]byte
		n, err := w.r.Read(b[:])
		if err != nil {
			w.t.Fatalf("reading: %v", err)
		}
		w.buf = append(w.buf, b[:n]...)
	}
}

func (w *wsClient) json() map[string]any {
	w.t.Helper()
	m := w.next()
	if m.Op != ws.OpText {
		w.t.Fatalf("got %v frame %q, want text", m.Op, m.Payload)
	}
	var v map[string]any
	if err := json.Unmarshal(m.Payload, &v); err != nil {
		w.t.Fatalf("bad JSON %q: %v", m.Payload, err)
	}
	return v
}

// id makes a 20-char binary string with bytes above 0x7f, as browsers send.
func id(tag byte) string {
	b := []rune("\u00ff-WW0000-abcdefghijk")
	b[19] = rune(tag)
	return string(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func announceMsg(ih, peer byte, offers int, extra string) string {
	var o []string
	for i := range offers {
		o = append(o, fmt.Sprintf(`{"offer":{"type":"offer","sdp":"v=0 offer %d"},"offer_id":%s}`, i, jsonString(id(byte(100+i)))))
	}
	return fmt.Sprintf(`{"action":"announce","info_hash":%s,"peer_id":%s,"numwant":%d,"uploaded":0,"downloaded":0,"left":100,"event":"started","offers":[%s]%s}`,
		jsonString(id(ih)), jsonString(id(peer)), offers, strings.Join(o, ","), extra)
}

func TestWebTorrent(t *testing.T) {
	e := startEngine(t, wsConfig())
	for _, addr := range e.HTTPAddrs() {
		base := byte(0)
		if addr.Addr().Is6() {
			base = 100
		}
		t.Run(addr.Addr().String(), func(t *testing.T) { wsSuite(t, e, addr, base) })
	}
}

func wsSuite(t *testing.T, e *Engine, addr netip.AddrPort, base byte) {
	t.Run("offer and answer relayed", func(t *testing.T) {
		// Several connections, so that with more than one loop some pairs
		// cross loops and go through an inbox.
		var peers []*wsClient
		for i := range 4 {
			c := dialWS(t, addr, []string{"/", "/announce"}[i%2])
			c.send(ws.OpText, true, announceMsg(base+1, byte(i), 0, ""))
			if r := c.json(); r["action"] != "announce" || r["incomplete"] != float64(i+1) {
				t.Fatalf("peer %d announce reply %v", i, r)
			}
			peers = append(peers, c)
		}
		offerer := dialWS(t, addr, "/announce")
		offerer.send(ws.OpText, true, announceMsg(base+1, 9, 4, ""))
		if r := offerer.json(); r["incomplete"] != float64(5) {
			t.Fatalf("offerer reply %v", r)
		}
		for i, p := range peers {
			o := p.json()
			if o["peer_id"] != id(9) || o["offer_id"] == nil || o["offer"].(map[string]any)["type"] != "offer" {
				t.Fatalf("peer %d got %v, want an offer from peer 9", i, o)
			}
			ans := fmt.Sprintf(`{"action":"announce","info_hash":%s,"peer_id":%s,"to_peer_id":%s,"offer_id":%s,"answer":{"type":"answer","sdp":"v=0 answer %d"}}`,
				jsonString(id(base+1)), jsonString(id(byte(i))), jsonString(id(9)), jsonString(o["offer_id"].(string)), i)
			p.send(ws.OpText, true, ans)
		}
		got := map[string]bool{}
		for range peers {
			a := offerer.json()
			if a["answer"] == nil {
				t.Fatalf("offerer got %v, want an answer", a)
			}
			got[a["peer_id"].(string)] = true
		}
		if len(got) != len(peers) {
			t.Fatalf("answers from %d distinct peers, want %d", len(got), len(peers))
		}
		// An answer to an offer that was never made goes nowhere.
		before := e.Count(WSAnswersDropped)
		peers[0].send(ws.OpText, true, fmt.Sprintf(`{"action":"announce","info_hash":%s,"peer_id":%s,"to_peer_id":%s,"offer_id":%s,"answer":{"type":"answer","sdp":"x"}}`,
			jsonString(id(base+1)), jsonString(id(0)), jsonString(id(9)), jsonString(id(77))))
		waitCount(t, e, WSAnswersDropped, before+1)
		// A closed connection's peers leave the swarm at once.
		offerer.conn.Close()
		c := dialWS(t, addr, "/")
		c.send(ws.OpText, true, `{"action":"scrape","info_hash":`+jsonString(id(base+1))+`}`)
		deadline := time.Now().Add(3 * time.Second)
		for {
			f := c.json()["files"].(map[string]any)[id(base+1)].(map[string]any)
			if f["incomplete"] == float64(4) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("scrape after close: %v", f)
			}
			time.Sleep(50 * time.Millisecond)
			c.send(ws.OpText, true, `{"action":"scrape","info_hash":`+jsonString(id(base+1))+`}`)
		}
	})

	t.Run("frames split, fragmented, pinged", func(t *testing.T) {
		c := dialWS(t, addr, "/")
		msg := announceMsg(base+2, 1, 0, "")
		frame := ws.AppendClientFrame(nil, ws.OpText, true, [4]byte{9, 8, 7, 6}, []byte(msg))
		for _, b := range frame {
			c.write([]byte{b})
		}
		if r := c.json(); r["action"] != "announce" {
			t.Fatalf("reply to a byte-by-byte frame: %v", r)
		}
		msg = announceMsg(base+2, 1, 0, `,"numwant":5`)
		c.send(ws.OpText, false, msg[:10])
		c.send(ws.OpPing, true, "hi")
		c.send(ws.OpContinuation, false, msg[10:30])
		c.send(ws.OpContinuation, true, msg[30:])
		if m := c.next(); m.Op != ws.OpPong || string(m.Payload) != "hi" {
			t.Fatalf("got %v %q, want the pong first", m.Op, m.Payload)
		}
		if r := c.json(); r["action"] != "announce" {
			t.Fatalf("reply to a fragmented message: %v", r)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		tests := []struct {
			name    string
			frame   []byte
			failure string // a JSON failure reason containing this; "" with code
			code    uint16 // a close frame with this code
		}{
			{name: "malformed JSON", frame: text(`{"action":"announce",`), failure: "JSON"},
			{name: "unknown action", frame: text(`{"action":"dance","info_hash":` + jsonString(id(1)) + `}`), failure: "action"},
			{name: "short info_hash", frame: text(`{"action":"announce","info_hash":"abc","peer_id":` + jsonString(id(1)) + `}`), failure: "info_hash"},
			{name: "id above U+00FF", frame: text(`{"action":"announce","info_hash":"\u0100` + strings.Repeat("a", 19) + `","peer_id":` + jsonString(id(1)) + `}`), failure: "info_hash"},
			{name: "text not UTF-8 in a string", frame: text(`{"action":"announce","info_hash":"caf` + "\xc3" + `"}`), code: ws.CloseInvalidFramePayloadData},
			{name: "text not UTF-8 outside strings", frame: text(`{"action":"announce",` + "\xff" + `}`), code: ws.CloseInvalidFramePayloadData},
			{name: "unmasked frame", frame: ws.AppendFrame(nil, ws.OpText, []byte(`{}`)), code: ws.CloseProtocolError},
			{name: "reserved bit", frame: func() []byte { f := text(`{}`); f[0] |= 0x40; return f }(), code: ws.CloseProtocolError},
			{name: "oversize message", frame: ws.AppendClientFrame(nil, ws.OpText, true, [4]byte{}, make([]byte, 70<<10))[:14], code: ws.CloseMessageTooBig},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := dialWS(t, addr, "/")
				c.write(tc.frame)
				m := c.next()
				if tc.failure != "" {
					var v map[string]any
					if m.Op != ws.OpText || json.Unmarshal(m.Payload, &v) != nil || !strings.Contains(fmt.Sprint(v["failure reason"]), tc.failure) {
						t.Fatalf("got %v %q, want a failure reason about %q", m.Op, m.Payload, tc.failure)
					}
					return
				}
				if m.Op != ws.OpClose || m.CloseCode != tc.code {
					t.Fatalf("got %v (code %d), want close %d", m.Op, m.CloseCode, tc.code)
				}
				c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
				if _, err := c.r.ReadByte(); err != io.EOF && len(c.buf) == 0 {
					t.Fatalf("connection still open after close: %v", err)
				}
			})
		}
		t.Run("second peer_id on one connection", func(t *testing.T) {
			c := dialWS(t, addr, "/")
			c.send(ws.OpText, true, announceMsg(base+3, 1, 0, ""))
			c.json()
			c.send(ws.OpText, true, announceMsg(base+3, 2, 0, ""))
			if r := c.json(); r["failure reason"] == nil {
				t.Fatalf("second peer_id accepted: %v", r)
			}
		})
	})
}

func text(s string) []byte {
	return ws.AppendClientFrame(nil, ws.OpText, true, [4]byte{5, 6, 7, 8}, []byte(s))
}
