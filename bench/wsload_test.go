package bench

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// fakeWSTracker answers every announce on its connections with an announce
// reply, and closes a connection after closeAfter replies when it is set:
// enough to drive LoadWS through its reconnect path.
type fakeWSTracker struct {
	ln         net.Listener
	closeAfter int
	conns      atomic.Int64
}

func startFakeWSTracker(t *testing.T, closeAfter int) *fakeWSTracker {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeWSTracker{ln: ln, closeAfter: closeAfter}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeWSTracker) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	f.conns.Add(1)
	io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+
		wsAccept(req.Header.Get("Sec-WebSocket-Key"))+"\r\n\r\n")
	for replies := 0; ; {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return
		}
		size := int(h[1] & 0x7f)
		switch size {
		case 126:
			var b [2]byte
			io.ReadFull(br, b[:])
			size = int(binary.BigEndian.Uint16(b[:]))
		case 127:
			return // the generator's messages are smaller
		}
		var key [4]byte
		io.ReadFull(br, key[:])
		payload := make([]byte, size)
		if _, err := io.ReadFull(br, payload); err != nil {
			return
		}
		for i := range payload {
			payload[i] ^= key[i&3]
		}
		var m map[string]any
		if json.Unmarshal(payload, &m) != nil || m["offer_id"] != nil && m["answer"] != nil {
			continue // answers need no reply
		}
		reply, _ := json.Marshal(map[string]any{"action": "announce", "info_hash": m["info_hash"],
			"complete": 0, "incomplete": 1, "interval": 120})
		frame := append([]byte{0x81, byte(len(reply))}, reply...)
		if len(reply) >= 126 {
			frame = append(binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(len(reply))), reply...)
		}
		if _, err := c.Write(frame); err != nil {
			return
		}
		if replies++; replies == f.closeAfter {
			return
		}
	}
}

func TestLoadWS_Reconnects(t *testing.T) {
	w, err := NewWorkload(WorkloadConfig{Torrents: 100, Peers: 100, ScrapeMax: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The crowd's browsers announce once; the two active ones lose their
	// connection after every second announce, and must dial again and go on.
	f := startFakeWSTracker(t, 2)
	target := netip.MustParseAddrPort(f.ln.Addr().String())
	res, err := LoadWS(w, WSConfig{Target: target, Conns: 2, Offers: 2, Crowd: 3, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Totals
	if tot.Reconnects < 4 || tot.Announce < 2*tot.Reconnects || tot.Errors+tot.Timeouts != 0 || tot.Invalid != tot.Reconnects {
		t.Fatalf("%d connections, totals %+v", f.conns.Load(), tot)
	}
	t.Logf("%d connections, totals %+v", f.conns.Load(), tot)
}
