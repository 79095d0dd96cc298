package engine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/bencode"
	"github.com/trackerd/trackerd/codec/proxy"
	"github.com/trackerd/trackerd/codec/udp"
)

func httpConfig(listen ...string) Config {
	cfg := testConfig(BackendMmsg, "127.0.0.1:0", "[::1]:0")
	cfg.HTTP = HTTPConfig{
		Listen:         listen,
		IdleTimeout:    time.Minute,
		HeaderTimeout:  time.Minute,
		MaxConnections: 1000,
		MaxPending:     1 << 20,
	}
	return cfg
}

// httpClient is one keep-alive connection to the tracker.
type httpClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialHTTP(t *testing.T, addr netip.AddrPort) *httpClient {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &httpClient{t: t, conn: c, r: bufio.NewReader(c)}
}

func (c *httpClient) send(raw string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, raw); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one response with net/http as the reference parser.
func (c *httpClient) read(method string) (*http.Response, []byte) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading body: %v", err)
	}
	return resp, body
}

func (c *httpClient) get(target string) (*http.Response, []byte) {
	c.t.Helper()
	c.send("GET " + target + " HTTP/1.1\r\nHost: tracker\r\n\r\n")
	return c.read("GET")
}

// closed reports whether the server closed the connection: EOF, or a reset
// when it closed with our unread bytes in its buffer.
func (c *httpClient) closed() bool {
	c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := c.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func dict(t *testing.T, body []byte) map[string]any {
	t.Helper()
	v, err := bencode.Decode(body)
	if err != nil {
		t.Fatalf("body %q is not bencode: %v", body, err)
	}
	d, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("body %q is not a dict", body)
	}
	return d
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	}
	return fmt.Sprint(v)
}

func announceTarget(ih byte, port int, left int, extra string) string {
	h := [20]byte{0: ih, 19: 0x2b} // a '+' byte, percent-encoded like real clients do
	return fmt.Sprintf("/announce?info_hash=%s&peer_id=-TD0001-%%41%%42cdefghijkl&port=%d&uploaded=0&downloaded=0&left=%d%s",
		url.QueryEscape(string(h[:])), port, left, extra)
}

func TestHTTP(t *testing.T) {
	e := startEngine(t, httpConfig("127.0.0.1:0", "[::1]:0"))
	for _, addr := range e.HTTPAddrs() {
		family, base := "ipv4", byte(0)
		if addr.Addr().Is6() {
			family, base = "ipv6", 100
		}
		t.Run(family, func(t *testing.T) { httpSuite(t, e, addr, base) })
	}
}

func httpSuite(t *testing.T, e *Engine, addr netip.AddrPort, base byte) {
	peersKey, size := "peers", 6
	if addr.Addr().Is6() {
		peersKey, size = "peers6", 18
	}
	t.Run("announce and scrape", func(t *testing.T) {
		c := dialHTTP(t, addr)
		resp, body := c.get(announceTarget(base+1, 7001, 10, "&event=started&compact=1"))
		d := dict(t, body)
		if resp.StatusCode != 200 || d["incomplete"] != int64(1) || d["complete"] != int64(0) {
			t.Fatalf("first announce: %d %q", resp.StatusCode, body)
		}
		if iv := d["interval"].(int64); iv > 1800 || iv < 1700 || d["min interval"] != int64(900) {
			t.Fatalf("interval %v, min interval %v", iv, d["min interval"])
		}
		// A seeder on the same connection (same address, other port) is
		// another peer and gets the leecher.
		_, body = c.get(announceTarget(base+1, 7002, 0, "&event=completed"))
		d = dict(t, body)
		peers := []byte(str(d[peersKey]))
		if len(peers) != size || int(peers[size-2])<<8|int(peers[size-1]) != 7001 {
			t.Fatalf("seeder got %s %x, want the leecher on port 7001 (%q)", peersKey, peers, body)
		}
		if ext := str(d["external ip"]); len(ext) != size-2 {
			t.Fatalf("external ip %x", ext)
		}
		h := [20]byte{0: base + 1, 19: 0x2b}
		_, body = c.get("/scrape?info_hash=" + url.QueryEscape(string(h[:])) + "&info_hash=%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%99")
		files := dict(t, body)["files"].(map[string]any)
		f := files[string(h[:])].(map[string]any)
		if f["complete"] != int64(1) || f["incomplete"] != int64(1) || f["downloaded"] != int64(1) || len(files) != 2 {
			t.Fatalf("scrape %q", body)
		}
	})

	t.Run("compact=0 returns dict peers", func(t *testing.T) {
		c := dialHTTP(t, addr)
		c.get(announceTarget(base+2, 7001, 10, ""))
		_, body := c.get(announceTarget(base+2, 7002, 10, "&compact=0"))
		list, ok := dict(t, body)["peers"].([]any)
		if !ok || len(list) != 1 {
			t.Fatalf("compact=0 peers: %q", body)
		}
		p := list[0].(map[string]any)
		if str(p["ip"]) != addr.Addr().String() || p["port"] != int64(7001) {
			t.Fatalf("peer %v, want ip %s port 7001", p, addr.Addr())
		}
	})

	t.Run("pipelined and split", func(t *testing.T) {
		c := dialHTTP(t, addr)
		var all strings.Builder
		for i := range 16 {
			fmt.Fprintf(&all, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", announceTarget(base+3, 8000+i, 10, "&numwant=0"))
		}
		// One write of 16 requests, then the same 16 one byte at a time.
		c.send(all.String())
		for i := range 16 {
			if _, body := c.read("GET"); dict(t, body)["incomplete"] != int64(i+1) {
				t.Fatalf("pipelined response %d out of order: %q", i, body)
			}
		}
		for _, b := range []byte(all.String()) {
			c.send(string(b))
		}
		for range 16 {
			if resp, body := c.read("GET"); resp.StatusCode != 200 || dict(t, body)["incomplete"] != int64(16) {
				t.Fatalf("split response: %q", body)
			}
		}
	})

	t.Run("keep-alive rules", func(t *testing.T) {
		c := dialHTTP(t, addr)
		c.send("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n")
		if resp, _ := c.read("GET"); resp.StatusCode != 404 || !c.closed() {
			t.Fatalf("Connection: close not honoured")
		}
		c = dialHTTP(t, addr)
		c.send("GET /x HTTP/1.0\r\n\r\n")
		if resp, _ := c.read("GET"); resp.StatusCode != 404 || !c.closed() {
			t.Fatalf("HTTP/1.0 connection left open")
		}
		c = dialHTTP(t, addr)
		c.send("HEAD " + announceTarget(base+4, 1, 1, "") + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body := c.read("HEAD")
		if resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength <= 0 {
			t.Fatalf("HEAD: %d, content-length %d, body %q", resp.StatusCode, resp.ContentLength, body)
		}
		if resp, _ := c.get("/x"); resp.StatusCode != 404 {
			t.Fatal("HTTP/1.0 keep-alive connection not kept")
		}
	})

	t.Run("bad input", func(t *testing.T) {
		tests := []struct {
			name    string
			raw     string
			status  int    // 200: a bencoded failure reason
			failure string // substring of the failure reason
			closes  bool
		}{
			{name: "no info_hash", raw: "GET /announce?peer_id=-TD0001-abcdefghijkl&port=1&left=0 HTTP/1.1\r\n\r\n", status: 200, failure: "info_hash"},
			{name: "short info_hash", raw: "GET /announce?info_hash=abc&peer_id=-TD0001-abcdefghijkl&port=1 HTTP/1.1\r\n\r\n", status: 200, failure: "info_hash"},
			{name: "port 0", raw: "GET " + announceTarget(base+5, 0, 1, "") + " HTTP/1.1\r\n\r\n", status: 200, failure: "port"},
			{name: "bad port", raw: "GET " + strings.Replace(announceTarget(base+5, 1, 1, ""), "port=1", "port=99999", 1) + " HTTP/1.1\r\n\r\n", status: 200, failure: "port"},
			{name: "passkey path", raw: "GET /announce/abc?x HTTP/1.1\r\n\r\n", status: 200, failure: "passkey"},
			{name: "full scrape", raw: "GET /scrape HTTP/1.1\r\n\r\n", status: 200, failure: "full scrape"},
			{name: "unknown path", raw: "GET /stats HTTP/1.1\r\n\r\n", status: 404},
			{name: "POST", raw: "POST /announce HTTP/1.1\r\nContent-Length: 0\r\n\r\n", status: 405, closes: true},
			{name: "garbage", raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", status: 400, closes: true},
			{name: "transfer-encoding", raw: "GET /announce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", closes: true},
			{name: "256 KiB URL", raw: "GET /announce?" + strings.Repeat("a", 256<<10) + " HTTP/1.1\r\n\r\n", status: 414, closes: true},
			{name: "256 KiB of headers", raw: "GET /announce HTTP/1.1\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("b", 1000)+"\r\n", 256) + "\r\n", status: 431, closes: true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := dialHTTP(t, addr)
				before := e.Count(HTTPAnnounces)
				go func() { _, _ = io.WriteString(c.conn, tc.raw) }() // the server may close before all is sent
				resp, body := c.read("GET")
				if tc.status != 0 && resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d (%q)", resp.StatusCode, tc.status, body)
				}
				if tc.status == 0 && resp.StatusCode < 400 {
					t.Fatalf("status %d, want an error", resp.StatusCode)
				}
				if tc.failure != "" {
					if r := str(dict(t, body)["failure reason"]); !strings.Contains(r, tc.failure) {
						t.Fatalf("failure reason %q does not mention %q", r, tc.failure)
					}
				}
				if tc.closes && !c.closed() {
					t.Fatal("connection left open after broken framing")
				}
				if e.Count(HTTPAnnounces) != before {
					t.Fatal("a bad request reached the swarm")
				}
			})
		}
	})
}

// TestHTTP_SharesSwarmWithUDP: a UDP peer and an HTTP peer of one torrent
// see each other.
func TestHTTP_SharesSwarmWithUDP(t *testing.T) {
	e := startEngine(t, httpConfig("127.0.0.1:0"))
	u := dial(t, e.UDPAddrs()[0])
	u.connect()
	r := &udp.Request{ConnID: u.connID, Action: udp.ActionAnnounce}
	r.Announce.InfoHash = [20]byte{0: 50, 19: 0x2b}
	r.Announce.Port = 6000
	r.Announce.Left = 1
	if got := u.do(r); got.Action != udp.ActionAnnounce {
		t.Fatalf("udp announce: %q", got.Message)
	}
	c := dialHTTP(t, e.HTTPAddrs()[0])
	_, body := c.get(announceTarget(50, 6001, 0, ""))
	if peers := str(dict(t, body)["peers"]); len(peers) != 6 || peers[4] != 6000>>8 || peers[5] != 6000&0xff {
		t.Fatalf("HTTP seeder does not see the UDP leecher: %q", body)
	}
	u.tx++
	r.TxID = u.tx
	r.Announce.Port = 6002
	// The new leecher sees the first one (same address, port 6000) and the
	// HTTP seeder (port 6001).
	got := u.do(r)
	if ps := peers(got.Peers, 6); len(ps) != 2 || !slices.Contains(ps, "127.0.0.1:6001") || got.Seeders != 1 {
		t.Fatalf("UDP leecher does not see the HTTP seeder: %v seeders %d", ps, got.Seeders)
	}
}

func TestHTTP_TrustedProxy(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0")
	cfg.HTTP.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	e := startEngine(t, cfg)
	addr := e.HTTPAddrs()[0]
	tests := []struct {
		name    string
		headers string
		wantIP  string // "" means a failure reason
	}{
		{name: "rightmost untrusted entry", headers: "X-Forwarded-For: 198.51.100.7, 203.0.113.9, 10.1.2.3\r\n", wantIP: "203.0.113.9"},
		{name: "X-Real-IP", headers: "X-Real-IP: 2001:db8::5\r\n", wantIP: "2001:db8::5"},
		{name: "no header from a trusted proxy", headers: "", wantIP: ""},
		{name: "garbage header", headers: "X-Forwarded-For: not-an-ip\r\n", wantIP: ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialHTTP(t, addr)
			c.send("GET " + announceTarget(byte(60+i), 7000, 0, "&compact=0") + " HTTP/1.1\r\n" + tc.headers + "\r\n")
			_, body := c.read("GET")
			d := dict(t, body)
			if tc.wantIP == "" {
				if _, ok := d["failure reason"]; !ok {
					t.Fatalf("got %q, want a failure reason", body)
				}
				return
			}
			ext := []byte(str(d["external ip"]))
			got, _ := netip.AddrFromSlice(ext)
			if got.String() != tc.wantIP {
				t.Fatalf("tracker saw the client as %v, want %s (%q)", got, tc.wantIP, body)
			}
		})
	}
}

func TestHTTP_SweepsSlowAndIdle(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0")
	cfg.HTTP.HeaderTimeout = time.Second
	cfg.HTTP.IdleTimeout = 2 * time.Second
	e := startEngine(t, cfg)
	slow := dialHTTP(t, e.HTTPAddrs()[0])
	slow.send("GET /announce?info_hash=")
	idle := dialHTTP(t, e.HTTPAddrs()[0])
	busy := dialHTTP(t, e.HTTPAddrs()[0])
	deadline := time.Now().Add(10 * time.Second)
	for e.Count(HTTPConnsTimedOut) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("timed out connections: %d, want 2", e.Count(HTTPConnsTimedOut))
		}
		busy.get("/x") // keeps busy active
		time.Sleep(200 * time.Millisecond)
	}
	if !slow.closed() || !idle.closed() {
		t.Fatal("slow or idle connection still open")
	}
	if resp, _ := busy.get("/x"); resp.StatusCode != 404 {
		t.Fatal("active connection was closed")
	}
}

func TestHTTP_MaxConnections(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0")
	cfg.HTTP.MaxConnections = 2
	e := startEngine(t, cfg)
	a, b := dialHTTP(t, e.HTTPAddrs()[0]), dialHTTP(t, e.HTTPAddrs()[0])
	a.get("/x")
	b.get("/x")
	c := dialHTTP(t, e.HTTPAddrs()[0])
	if !c.closed() {
		t.Fatal("third connection accepted over max_connections = 2")
	}
	waitCount(t, e, HTTPConnsRefused, 1)
}

func TestHTTP_ProxyProtocol(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0")
	cfg.HTTP.ProxyProtocol = true
	e := startEngine(t, cfg)
	addr := e.HTTPAddrs()[0]
	client := proxy.Header{Src: netip.MustParseAddr("203.0.113.77").As16(), Dst: netip.MustParseAddr("192.0.2.1").As16(), SrcPort: 4444, DstPort: 80}
	for _, tc := range []struct {
		name   string
		header []byte
	}{
		{name: "v1", header: proxy.AppendV1(nil, &client)},
		{name: "v2", header: proxy.AppendV2(nil, &client)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialHTTP(t, addr)
			c.send(string(tc.header) + "GET " + announceTarget(70, 7000, 0, "") + " HTTP/1.1\r\n\r\n")
			_, body := c.read("GET")
			got, _ := netip.AddrFromSlice([]byte(str(dict(t, body)["external ip"])))
			if got.String() != "203.0.113.77" {
				t.Fatalf("client seen as %v, want the PROXY header's 203.0.113.77", got)
			}
			if resp, _ := c.get("/x"); resp.StatusCode != 404 {
				t.Fatal("second request on a proxied connection failed")
			}
		})
	}
	t.Run("missing header", func(t *testing.T) {
		c := dialHTTP(t, addr)
		c.send("GET /announce HTTP/1.1\r\n\r\n")
		if !c.closed() {
			t.Fatal("connection without a PROXY header was served")
		}
	})
}
