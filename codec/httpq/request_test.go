package httpq

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// reqView is a comparable snapshot of a Request: slices as strings, with
// "<nil>" for nil so that absent and empty differ.
type reqView struct {
	Method                                           Method
	Minor                                            uint8
	KeepAlive, ConnectionUpgrade                     bool
	Target, Path, Query, Host, XFF, XRealIP, Upgrade string
	WSKey, WSVersion, WSExtensions                   string
	NXFF                                             int
	ContentLength                                    int64
	HeadLen                                          int
}

func str(b []byte) string {
	if b == nil {
		return "<nil>"
	}
	return string(b)
}

func view(r *Request) reqView {
	return reqView{
		Method: r.Method, Minor: r.Minor, KeepAlive: r.KeepAlive, ConnectionUpgrade: r.ConnectionUpgrade,
		Target: str(r.Target), Path: str(r.Path), Query: str(r.Query), Host: str(r.Host),
		XFF: str(r.XForwardedFor), XRealIP: str(r.XRealIP), Upgrade: str(r.Upgrade),
		WSKey: str(r.SecWebSocketKey), WSVersion: str(r.SecWebSocketVersion), WSExtensions: str(r.SecWebSocketExtensions),
		NXFF: r.NXForwardedFor, ContentLength: r.ContentLength, HeadLen: r.HeadLen,
	}
}

// get returns a reqView with the defaults of a minimal valid GET, for the
// test tables to override.
func get(target, path, query string) reqView {
	return reqView{
		Method: MethodGet, Minor: 1, KeepAlive: true,
		Target: target, Path: path, Query: query,
		Host: "<nil>", XFF: "<nil>", XRealIP: "<nil>", Upgrade: "<nil>",
		WSKey: "<nil>", WSVersion: "<nil>", WSExtensions: "<nil>",
		ContentLength: -1,
	}
}

func TestParse_Fixtures(t *testing.T) {
	tests := []struct {
		file      string
		path      string
		keepAlive bool
		ua        string
	}{
		{file: "announce_aria2_1.36.0_started.http", path: "/announce", keepAlive: true},
		{file: "announce_aria2_1.36.0_stopped.http", path: "/announce", keepAlive: true},
		{file: "announce_qbittorrent_4.5.2_started.http", path: "/announce", keepAlive: false}, // sends Connection: close
		{file: "announce_qbittorrent_4.5.2_stopped.http", path: "/announce", keepAlive: false},
		{file: "announce_transmission_3.00_started.http", path: "/announce", keepAlive: true},
		{file: "announce_transmission_3.00_stopped.http", path: "/announce", keepAlive: true},
		{file: "scrape_transmission_3.00.http", path: "/scrape", keepAlive: true},
	}
	if len(tests) != len(fixtures(t)) {
		t.Fatalf("%d fixtures, %d test cases: add the new capture here", len(fixtures(t)), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readFixture(t, tt.file)
			var r Request
			n, err := r.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(b) || r.HeadLen != n {
				t.Errorf("n = %d, HeadLen = %d, want %d", n, r.HeadLen, len(b))
			}
			if r.Method != MethodGet || r.Minor != 1 || string(r.Path) != tt.path || r.KeepAlive != tt.keepAlive {
				t.Errorf("got method %v minor %d path %q keepAlive %v", r.Method, r.Minor, r.Path, r.KeepAlive)
			}
			if !bytes.HasPrefix(r.Host, []byte("127.0.0.1:")) || r.ContentLength != -1 {
				t.Errorf("host %q content-length %d", r.Host, r.ContentLength)
			}
			if !bytes.Contains(r.Query, []byte("info_hash=")) || string(r.Target) != tt.path+"?"+string(r.Query) {
				t.Errorf("target %q query %q", r.Target, r.Query)
			}
		})
	}
}

func TestParse_Valid(t *testing.T) {
	with := func(v reqView, f func(*reqView)) reqView { f(&v); return v }
	tests := []struct {
		name string
		in   string
		want reqView
	}{
		{name: "minimal", in: "GET / HTTP/1.1\r\n\r\n", want: get("/", "/", "<nil>")},
		{name: "bare LF", in: "GET /a?b HTTP/1.1\nHost: x\n\n", want: with(get("/a?b", "/a", "b"), func(v *reqView) { v.Host = "x" })},
		{name: "mixed line endings", in: "GET / HTTP/1.1\nHost: x\r\nA: b\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host = "x" })},
		{name: "HEAD", in: "HEAD /scrape HTTP/1.1\r\n\r\n", want: with(get("/scrape", "/scrape", "<nil>"), func(v *reqView) { v.Method = MethodHead })},
		{name: "empty query", in: "GET /announce? HTTP/1.1\r\n\r\n", want: get("/announce?", "/announce", "")},
		{name: "second question mark stays in query", in: "GET /a?b?c HTTP/1.1\r\n\r\n", want: get("/a?b?c", "/a", "b?c")},
		{name: "raw high bytes in target", in: "GET /a?h=\xe0\xd8 HTTP/1.1\r\n\r\n", want: get("/a?h=\xe0\xd8", "/a", "h=\xe0\xd8")},
		{name: "absolute-form", in: "GET http://t.example:6969/announce?x=1 HTTP/1.1\r\n\r\n", want: get("http://t.example:6969/announce?x=1", "/announce", "x=1")},
		{name: "absolute-form https upper-case scheme", in: "GET HTTPS://t/scrape HTTP/1.1\r\n\r\n", want: get("HTTPS://t/scrape", "/scrape", "<nil>")},
		{name: "absolute-form without path", in: "GET http://t HTTP/1.1\r\n\r\n", want: get("http://t", "/", "<nil>")},
		{name: "absolute-form without path with query", in: "GET http://t?q HTTP/1.1\r\n\r\n", want: get("http://t?q", "/", "q")},
		{name: "HTTP/1.0 closes by default", in: "GET / HTTP/1.0\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Minor, v.KeepAlive = 0, false })},
		{name: "HTTP/1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Minor = 0 })},
		{name: "HTTP/1.0 Keep-Alive mixed case", in: "GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Minor = 0 })},
		{name: "HTTP/1.0 keep-alive and close", in: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Minor, v.KeepAlive = 0, false })},
		{name: "HTTP/1.0 keep-alive on a second Connection line", in: "GET / HTTP/1.0\r\nConnection: foo\r\nConnection: keep-alive\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Minor = 0 })},
		{name: "HTTP/1.1 close", in: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.KeepAlive = false })},
		{name: "HTTP/1.1 CLOSE in a list", in: "GET / HTTP/1.1\r\nConnection: TE ,\tCLOSE \r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.KeepAlive = false })},
		{name: "HTTP/1.1 keep-alive is the default", in: "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", want: get("/", "/", "<nil>")},
		{name: "HTTP/1.1 closing token prefix is not close", in: "GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", want: get("/", "/", "<nil>")},
		{name: "HTTP/1.2 reads as 1.1", in: "GET / HTTP/1.2\r\n\r\n", want: get("/", "/", "<nil>")},
		{name: "HTTP/1.9 reads as 1.1", in: "GET / HTTP/1.9\r\n\r\n", want: get("/", "/", "<nil>")},
		{
			name: "case-insensitive names",
			in:   "GET / HTTP/1.1\r\nHOST: h\r\nx-FORWARDED-for: 1.2.3.4\r\nX-REAL-IP: 5.6.7.8\r\ncontent-LENGTH: 0\r\n\r\n",
			want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host, v.XFF, v.NXFF, v.XRealIP, v.ContentLength = "h", "1.2.3.4", 1, "5.6.7.8", 0 }),
		},
		{
			name: "X-Forwarded-For keeps the last line",
			in:   "GET / HTTP/1.1\r\nX-Forwarded-For: 6.6.6.6, 7.7.7.7\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
			want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host, v.XFF, v.NXFF = "h", "1.2.3.4", 2 }),
		},
		{
			name: "X-Real-IP keeps the last line",
			in:   "GET / HTTP/1.1\r\nX-Real-IP: 1.1.1.1\r\nX-Real-IP: 2.2.2.2\r\n\r\n",
			want: with(get("/", "/", "<nil>"), func(v *reqView) { v.XRealIP = "2.2.2.2" }),
		},
		{
			name: "websocket handshake",
			in: "GET /announce HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
				"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
			want: with(get("/announce", "/announce", "<nil>"), func(v *reqView) {
				v.Host, v.Upgrade, v.ConnectionUpgrade = "t", "websocket", true
				v.WSKey, v.WSVersion, v.WSExtensions = "dGhlIHNhbXBsZSBub25jZQ==", "13", "permessage-deflate; client_max_window_bits"
			}),
		},
		{name: "content-length", in: "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.ContentLength = 5 })},
		{name: "content-length leading zeros", in: "GET / HTTP/1.1\r\nContent-Length: 007\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.ContentLength = 7 })},
		{name: "content-length max int64", in: "GET / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.ContentLength = 1<<63 - 1 })},
		{name: "content-length equal duplicates", in: "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.ContentLength = 5 })},
		{name: "content-length equal list", in: "GET / HTTP/1.1\r\nContent-Length: 5 ,5\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.ContentLength = 5 })},
		{name: "OWS trimmed, tabs too", in: "GET / HTTP/1.1\r\nHost:\t h \t\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host = "h" })},
		{name: "no space after colon", in: "GET / HTTP/1.1\r\nHost:h\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host = "h" })},
		{name: "empty value", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host = "" })},
		{name: "inner whitespace kept", in: "GET / HTTP/1.1\r\nUpgrade: a  b\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Upgrade = "a  b" })},
		{name: "obs-text value", in: "GET / HTTP/1.1\r\nHost: \xc3\xa9t\xff\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.Host = "\xc3\xa9t\xff" })},
		{name: "unknown headers ignored", in: "GET / HTTP/1.1\r\nUser-Agent: qBittorrent/4.5.2\r\nAccept-Encoding: gzip\r\nX-Forwarded-Fo: no\r\nTransfer-Encodin: no\r\n\r\n", want: get("/", "/", "<nil>")},
		{name: "one leading CRLF skipped", in: "\r\nGET / HTTP/1.1\r\n\r\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.HeadLen = 20 })},
		{name: "one leading LF skipped", in: "\nGET / HTTP/1.1\n\n", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.HeadLen = 17 })},
		{name: "bytes after the head are not consumed", in: "GET / HTTP/1.1\r\n\r\nGET /next", want: with(get("/", "/", "<nil>"), func(v *reqView) { v.HeadLen = 18 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want.HeadLen == 0 {
				tt.want.HeadLen = len(tt.in)
			}
			var r Request
			n, err := r.Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := view(&r); got != tt.want || n != tt.want.HeadLen {
				t.Fatalf("Parse(%q) = %d\n got %+v\nwant %+v", tt.in, n, got, tt.want)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{name: "empty", in: "", want: ErrNeedMore},
		{name: "one byte", in: "G", want: ErrNeedMore},
		{name: "lone CR", in: "\r", want: ErrNeedMore},
		{name: "lone LF", in: "\n", want: ErrNeedMore},
		{name: "request line only", in: "GET / HTTP/1.1\r\n", want: ErrNeedMore},
		{name: "request line and CR", in: "GET / HTTP/1.1\r\n\r", want: ErrNeedMore},
		{name: "header without end", in: "GET / HTTP/1.1\r\nHost: x\r\n", want: ErrNeedMore},
		{name: "partial header line", in: "GET / HTTP/1.1\r\nHos", want: ErrNeedMore},

		{name: "TLS ClientHello refused at once", in: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", want: ErrBadRequestLine},
		{name: "HTTP/2 preface method is a token", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: ErrBadVersion},
		{name: "non-token method byte", in: "G(T / HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "non-token method byte, partial", in: "G(T", want: ErrBadRequestLine},
		{name: "leading space", in: " GET / HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "two leading empty lines", in: "\r\n\r\nGET / HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "CR not followed by LF", in: "\rGET / HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "method only", in: "GET\r\n\r\n", want: ErrBadRequestLine},
		{name: "HTTP/0.9 simple request", in: "GET /\r\n\r\n", want: ErrBadRequestLine},
		{name: "two spaces after method", in: "GET  / HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "tab separator", in: "GET\t/ HTTP/1.1\r\n\r\n", want: ErrBadRequestLine},
		{name: "empty request line", in: "\r\n\r\n", want: ErrBadRequestLine},

		{name: "HTTP/2.0", in: "GET / HTTP/2.0\r\n\r\n", want: ErrBadVersion},
		{name: "HTTP/0.9", in: "GET / HTTP/0.9\r\n\r\n", want: ErrBadVersion},
		{name: "lower-case http", in: "GET / http/1.1\r\n\r\n", want: ErrBadVersion},
		{name: "two-digit minor", in: "GET / HTTP/1.10\r\n\r\n", want: ErrBadVersion},
		{name: "non-digit minor", in: "GET / HTTP/1.x\r\n\r\n", want: ErrBadVersion},
		{name: "trailing space after version", in: "GET / HTTP/1.1 \r\n\r\n", want: ErrBadVersion},
		{name: "two spaces before version", in: "GET /  HTTP/1.1\r\n\r\n", want: ErrBadVersion},
		{name: "garbage version", in: "GET / garbage\r\n\r\n", want: ErrBadVersion},

		{name: "relative target", in: "GET announce HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "query-only target", in: "GET ?info_hash=x HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "asterisk with GET", in: "GET * HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "control byte in target", in: "GET /a\x01b HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "NUL in target", in: "GET /a\x00b HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "DEL in target", in: "GET /a\x7fb HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "bare CR in target", in: "GET /a\rb HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "absolute-form without authority", in: "GET http:///announce HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "absolute-form scheme only", in: "GET http:// HTTP/1.1\r\n\r\n", want: ErrBadTarget},
		{name: "other scheme", in: "GET ftp://h/ HTTP/1.1\r\n\r\n", want: ErrBadTarget},

		{name: "header without colon", in: "GET / HTTP/1.1\r\nHost x\r\n\r\n", want: ErrBadHeader},
		{name: "space before colon", in: "GET / HTTP/1.1\r\nHost : x\r\n\r\n", want: ErrBadHeader},
		{name: "tab before colon", in: "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", want: ErrBadHeader},
		{name: "obs-fold", in: "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", want: ErrBadHeader},
		{name: "obs-fold with tab", in: "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", want: ErrBadHeader},
		{name: "whitespace before first header", in: "GET / HTTP/1.1\r\n Host: x\r\n\r\n", want: ErrBadHeader},
		{name: "whitespace-only line", in: "GET / HTTP/1.1\r\n \r\n\r\n", want: ErrBadHeader},
		{name: "empty name", in: "GET / HTTP/1.1\r\n: x\r\n\r\n", want: ErrBadHeader},
		{name: "non-token name", in: "GET / HTTP/1.1\r\nX(Y): z\r\n\r\n", want: ErrBadHeader},
		{name: "NUL in value", in: "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", want: ErrBadHeader},
		{name: "bare CR in value", in: "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", want: ErrBadHeader},
		{name: "DEL in value", in: "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", want: ErrBadHeader},
		{name: "CR CR LF", in: "GET / HTTP/1.1\r\nX: a\r\r\n\r\n", want: ErrBadHeader},
		{name: "bad header waits for the head end", in: "GET / HTTP/1.1\r\nHost x\r\nMore", want: ErrNeedMore},
		{name: "request line error wins", in: "GET / HTTP/2.0\r\nBad\r\n\r\n", want: ErrBadVersion},
		{name: "first bad header wins", in: "GET / HTTP/1.1\r\nHost: a\r\nBad\r\nHost: b\r\nTransfer-Encoding: x\r\n\r\n", want: ErrBadHeader},
		{name: "header limit wins over a bad header", in: "GET / HTTP/1.1\r\nBad\r\n" + strings.Repeat("X: "+strings.Repeat("y", 1000)+"\r\n", 17), want: ErrHeaderTooLarge},
		{name: "line limit wins over a bad header", in: "GET / HTTP/1.1\r\nBad\r\n" + strings.Repeat("X: y\r\n", MaxHeaderLines), want: ErrHeaderTooLarge},
		{name: "bad header in a long head", in: "GET / HTTP/1.1\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80) + "Bad\r\n\r\n", want: ErrBadHeader},
		{name: "long partial head with a bad line", in: "GET / HTTP/1.1\r\nBad\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80), want: ErrNeedMore},

		{name: "duplicate Host", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", want: ErrBadHost},

		{name: "content-length not a number", in: "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length negative", in: "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length plus sign", in: "GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length empty", in: "GET / HTTP/1.1\r\nContent-Length: \r\n\r\n", want: ErrBadContentLength},
		{name: "content-length inner space", in: "GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length overflow", in: "GET / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length differing lines", in: "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length differing list", in: "GET / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", want: ErrBadContentLength},
		{name: "content-length empty list element", in: "GET / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n", want: ErrBadContentLength},

		{name: "transfer-encoding chunked", in: "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", want: ErrTransferEncoding},
		{name: "transfer-encoding any case and value", in: "GET / HTTP/1.1\r\ntransfer-ENCODING: identity\r\n\r\n", want: ErrTransferEncoding},
		{name: "transfer-encoding empty", in: "GET / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", want: ErrTransferEncoding},
		{name: "transfer-encoding with content-length", in: "GET / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", want: ErrTransferEncoding},
		{name: "transfer-encoding waits for the head end", in: "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", want: ErrNeedMore},

		{name: "POST", in: "POST /announce HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", want: ErrMethodNotAllowed},
		{name: "lower-case get", in: "get / HTTP/1.1\r\n\r\n", want: ErrMethodNotAllowed},
		{name: "OPTIONS asterisk", in: "OPTIONS * HTTP/1.1\r\n\r\n", want: ErrMethodNotAllowed},
		{name: "CONNECT authority-form", in: "CONNECT t.example:443 HTTP/1.1\r\n\r\n", want: ErrMethodNotAllowed},
		{name: "405 waits for the whole head", in: "POST / HTTP/1.1\r\nHost: x\r\n", want: ErrNeedMore},
		{name: "400 wins over 405 in a bad head", in: "PUT / HTTP/1.1\r\nBad Header\r\n\r\n", want: ErrBadHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			n, err := r.Parse([]byte(tt.in))
			if err != tt.want || n != 0 {
				t.Fatalf("Parse(%q) = %d, %v; want 0, %v", tt.in, n, err, tt.want)
			}
		})
	}
}

// TestParse_MethodNotAllowedFillsRequest checks the documented exception:
// after ErrMethodNotAllowed the head is known, so the engine can answer 405
// and keep a bodiless connection.
func TestParse_MethodNotAllowedFillsRequest(t *testing.T) {
	in := "DELETE /x?y HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\r\n"
	var r Request
	n, err := r.Parse([]byte(in))
	if err != ErrMethodNotAllowed || n != 0 {
		t.Fatalf("Parse = %d, %v", n, err)
	}
	want := with405(get("/x?y", "/x", "y"))
	want.Host, want.HeadLen = "h", len("DELETE /x?y HTTP/1.1\r\nHost: h\r\n\r\n")
	if got := view(&r); got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func with405(v reqView) reqView { v.Method = MethodOther; return v }

func TestParse_Limits(t *testing.T) {
	// line returns a request line of exactly n bytes including its ending.
	line := func(n int, ending string) string {
		prefix, suffix := "GET /", " HTTP/1.1"+ending
		return prefix + strings.Repeat("a", n-len(prefix)-len(suffix)) + suffix
	}
	// headers returns a header section of exactly n bytes including the
	// final empty line.
	headers := func(n int) string {
		return "X-Pad: " + strings.Repeat("p", n-len("X-Pad: \r\n\r\n")) + "\r\n\r\n"
	}
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{name: "request line at limit", in: line(MaxRequestLine, "\r\n") + "\r\n", want: nil},
		{name: "request line at limit, bare LF", in: line(MaxRequestLine, "\n") + "\n", want: nil},
		{name: "request line one past limit", in: line(MaxRequestLine+1, "\r\n") + "\r\n", want: ErrURITooLong},
		{name: "request line one past limit, bare LF", in: line(MaxRequestLine+1, "\n") + "\n", want: ErrURITooLong},
		{name: "partial line one short of limit", in: line(MaxRequestLine+2, "\r\n")[:MaxRequestLine-1], want: ErrNeedMore},
		{name: "partial line at limit", in: line(MaxRequestLine+2, "\r\n")[:MaxRequestLine], want: ErrURITooLong},
		{name: "line at limit waiting for LF", in: line(MaxRequestLine+1, "\r\n")[:MaxRequestLine], want: ErrURITooLong},
		{name: "skipped empty line does not count", in: "\r\n" + line(MaxRequestLine, "\r\n") + "\r\n", want: nil},
		{name: "headers at limit", in: "GET / HTTP/1.1\r\n" + headers(MaxHeaderBytes), want: nil},
		{name: "headers one past limit", in: "GET / HTTP/1.1\r\n" + headers(MaxHeaderBytes+1), want: ErrHeaderTooLarge},
		{name: "partial headers one short of limit", in: ("GET / HTTP/1.1\r\n" + headers(MaxHeaderBytes+10))[:16+MaxHeaderBytes-1], want: ErrNeedMore},
		{name: "partial headers at limit", in: ("GET / HTTP/1.1\r\n" + headers(MaxHeaderBytes+10))[:16+MaxHeaderBytes], want: ErrHeaderTooLarge},
		{name: "empty header section is 2 bytes", in: "GET / HTTP/1.1\r\n\r\n", lim: Limits{HeaderBytes: 2}, want: nil},
		{name: "empty header section over 1 byte", in: "GET / HTTP/1.1\r\n\r\n", lim: Limits{HeaderBytes: 1}, want: ErrHeaderTooLarge},
		{name: "custom line limit at", in: line(64, "\r\n") + "\r\n", lim: Limits{RequestLine: 64}, want: nil},
		{name: "custom line limit past", in: line(65, "\r\n") + "\r\n", lim: Limits{RequestLine: 64}, want: ErrURITooLong},
		{name: "custom header limit at", in: "GET / HTTP/1.1\r\n" + headers(100), lim: Limits{HeaderBytes: 100}, want: nil},
		{name: "custom header limit past", in: "GET / HTTP/1.1\r\n" + headers(101), lim: Limits{HeaderBytes: 100}, want: ErrHeaderTooLarge},
		{name: "negative limits mean default", in: line(MaxRequestLine, "\r\n") + headers(MaxHeaderBytes), lim: Limits{RequestLine: -1, HeaderBytes: -1}, want: nil},
		{name: "bad method wins over the line limit", in: strings.Repeat("A", MaxRequestLine-1) + "(", want: ErrBadRequestLine},
		{name: "header lines at limit", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", MaxHeaderLines) + "\r\n", want: nil},
		{name: "header lines one past limit", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", MaxHeaderLines+1) + "\r\n", want: ErrHeaderTooLarge},
		{name: "header lines one past limit, partial", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", MaxHeaderLines+1), want: ErrHeaderTooLarge},
		{name: "header lines at limit, partial", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", MaxHeaderLines) + "A: ", want: ErrNeedMore},
		{name: "header lines over limit found by the pre-scan", in: "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", 10) + "X: " + strings.Repeat("x", 2000) + "\r\n" + strings.Repeat("A: b\r\n", MaxHeaderLines), want: ErrHeaderTooLarge},
		{name: "custom header lines at", in: "GET / HTTP/1.1\r\nA: b\r\nA: b\r\n\r\n", lim: Limits{HeaderLines: 2}, want: nil},
		{name: "custom header lines past", in: "GET / HTTP/1.1\r\nA: b\r\nA: b\r\nA: b\r\n\r\n", lim: Limits{HeaderLines: 2}, want: ErrHeaderTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			n, err := r.ParseLimits([]byte(tt.in), tt.lim)
			if err != tt.want {
				t.Fatalf("ParseLimits(%d bytes) = %d, %v; want %v", len(tt.in), n, err, tt.want)
			}
			if err == nil && n != len(tt.in) {
				t.Fatalf("n = %d, want %d", n, len(tt.in))
			}
		})
	}
}

// TestParse_HugeInputFailsAtLimit feeds 256 KiB of URL and 256 KiB of
// headers the way a socket would, 1 KiB at a time, and checks that Parse
// refuses them when the limit is reached, not when the input ends.
func TestParse_HugeInputFailsAtLimit(t *testing.T) {
	const huge = 256 << 10
	tests := []struct {
		name    string
		in      string
		want    error
		errorAt int // input length at which the error must appear
	}{
		{
			name:    "256 KiB URL",
			in:      "GET /announce?" + strings.Repeat("x", huge) + " HTTP/1.1\r\n\r\n",
			want:    ErrURITooLong,
			errorAt: MaxRequestLine,
		},
		{
			name:    "256 KiB of headers in 1 KiB lines",
			in:      "GET / HTTP/1.1\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("z", 1015)+"\r\n", huge/1024) + "\r\n",
			want:    ErrHeaderTooLarge,
			errorAt: len("GET / HTTP/1.1\r\n") + MaxHeaderBytes,
		},
		{
			name:    "256 KiB of headers in 25-byte lines",
			in:      "GET / HTTP/1.1\r\n" + strings.Repeat("X-Pad: 0123456789abcdef\r\n", huge/25) + "\r\n",
			want:    ErrHeaderTooLarge,
			errorAt: len("GET / HTTP/1.1\r\n") + (MaxHeaderLines+1)*25, // the line limit comes first
		},
		{
			name:    "256 KiB header line",
			in:      "GET / HTTP/1.1\r\nX-Pad: " + strings.Repeat("y", huge) + "\r\n\r\n",
			want:    ErrHeaderTooLarge,
			errorAt: len("GET / HTTP/1.1\r\n") + MaxHeaderBytes,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			b := []byte(tt.in)
			for end := 0; end <= len(b); end = min(end+1024, len(b)+1) {
				k := min(end, len(b))
				_, err := r.Parse(b[:k])
				if k < tt.errorAt {
					if err != ErrNeedMore {
						t.Fatalf("after %d bytes: %v, want ErrNeedMore", k, err)
					}
					continue
				}
				if err != tt.want {
					t.Fatalf("after %d bytes: %v, want %v", k, err, tt.want)
				}
				if k >= tt.errorAt+1024 {
					t.Fatalf("error came %d bytes late", k-tt.errorAt)
				}
				break
			}
			// Exactly at the limit, and one byte before it.
			if _, err := r.Parse(b[:tt.errorAt]); err != tt.want {
				t.Fatalf("at %d bytes: %v, want %v", tt.errorAt, err, tt.want)
			}
			if _, err := r.Parse(b[:tt.errorAt-1]); err != ErrNeedMore {
				t.Fatalf("at %d bytes: %v, want ErrNeedMore", tt.errorAt-1, err)
			}
			if _, err := r.Parse(b); err != tt.want {
				t.Fatalf("whole input: %v, want %v", err, tt.want)
			}
		})
	}
}

// pipeline returns 16 requests in one buffer: every capture, then
// hand-written ones with bare LFs, a stray CRLF, a HEAD and HTTP/1.0.
func pipeline(tb testing.TB) (buf []byte, paths []string) {
	tb.Helper()
	for _, name := range fixtures(tb) {
		b := readFixture(tb, name)
		buf = append(buf, b...)
		if strings.HasPrefix(name, "scrape") {
			paths = append(paths, "/scrape")
		} else {
			paths = append(paths, "/announce")
		}
	}
	extra := []struct{ head, path string }{
		{"GET /a HTTP/1.1\nHost: x\n\n", "/a"},
		{"\r\nGET /b HTTP/1.1\r\n\r\n", "/b"}, // stray CRLF, as after a body
		{"HEAD /c HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", "/c"},
		{"GET /d?x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "/d"},
		{"GET http://h/e HTTP/1.1\r\n\r\n", "/e"},
		{"GET /f HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n", "/f"},
		{"GET /g HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n\r\n", "/g"},
		{"GET /h HTTP/1.1\r\n\r\n", "/h"},
		{"GET /i HTTP/1.1\r\n\r\n", "/i"},
	}
	for _, e := range extra {
		if len(paths) == 16 {
			break
		}
		buf = append(buf, e.head...)
		paths = append(paths, e.path)
	}
	if len(paths) != 16 {
		tb.Fatalf("pipeline has %d requests, want 16", len(paths))
	}
	return buf, paths
}

func TestParse_Pipelined(t *testing.T) {
	buf, paths := pipeline(t)
	t.Run("whole buffer", func(t *testing.T) {
		var r Request
		b := buf
		for i, p := range paths {
			n, err := r.Parse(b)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if string(r.Path) != p {
				t.Fatalf("request %d: path %q, want %q", i, r.Path, p)
			}
			b = b[n:]
		}
		if n, err := r.Parse(b); len(b) != 0 || err != ErrNeedMore || n != 0 {
			t.Fatalf("after the last request: %d bytes left, %d, %v", len(b), n, err)
		}
	})
	t.Run("arriving in 7-byte pieces", func(t *testing.T) {
		// A gnet-like loop: append what arrived, parse what is complete,
		// discard the parsed bytes.
		var r Request
		var inbound []byte
		var got []string
		for off := 0; off < len(buf); off += 7 {
			inbound = append(inbound, buf[off:min(off+7, len(buf))]...)
			for {
				n, err := r.Parse(inbound)
				if err == ErrNeedMore {
					break
				}
				if err != nil {
					t.Fatalf("after %d bytes: %v", off, err)
				}
				got = append(got, string(r.Path))
				inbound = inbound[n:]
			}
		}
		if strings.Join(got, " ") != strings.Join(paths, " ") || len(inbound) != 0 {
			t.Fatalf("parsed %q, %d bytes left; want %q", got, len(inbound), paths)
		}
	})
	t.Run("error after good requests", func(t *testing.T) {
		b := []byte("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nBad\r\n\r\n")
		var r Request
		n, err := r.Parse(b)
		if err != nil || string(r.Path) != "/1" {
			t.Fatalf("first: %v %q", err, r.Path)
		}
		if _, err := r.Parse(b[n:]); err != ErrBadHeader {
			t.Fatalf("second: %v, want ErrBadHeader", err)
		}
	})
}

// TestParse_Split checks the streaming contract on every capture and on
// every TestParse_Errors-style input: each prefix gives ErrNeedMore until
// the result is decided, and from then on every longer prefix gives the
// same result. FuzzParseRequest checks the same on random input.
func TestParse_Split(t *testing.T) {
	inputs := map[string][]byte{}
	for _, name := range fixtures(t) {
		inputs[name] = readFixture(t, name)
	}
	buf, _ := pipeline(t)
	inputs["pipeline"] = buf
	inputs["405"] = []byte("POST /x HTTP/1.1\r\nContent-Length: 1\r\n\r\n")
	inputs["400 late"] = []byte("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
	inputs["bad method"] = []byte("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")
	inputs["long head"] = []byte("GET /x HTTP/1.1\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80) + "Host: h\r\n\r\nGET /y")
	inputs["long head, bad early line"] = []byte("GET /x HTTP/1.1\r\nBad\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80) + "\r\n")
	inputs["long head, bad late line"] = []byte("GET /x HTTP/1.1\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80) + "Bad\r\n\r\n")
	inputs["long head, bad request line"] = []byte("GET /x HTTP/3.0\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 80) + "\r\n")
	for name, b := range inputs {
		t.Run(name, func(t *testing.T) { checkSplit(t, b) })
	}
}

// checkSplit asserts the prefix property for b (see TestParse_Split).
func checkSplit(t *testing.T, b []byte) {
	t.Helper()
	var whole, r Request
	wantN, wantErr := whole.Parse(b)
	wantView := view(&whole)
	decided := -1
	for k := 0; k <= len(b); k++ {
		// A fresh copy: Parse must not read past the prefix.
		p := append([]byte(nil), b[:k]...)
		n, err := r.Parse(p)
		if err == ErrNeedMore {
			if decided >= 0 {
				t.Fatalf("prefix %d: ErrNeedMore after a result at %d", k, decided)
			}
			continue
		}
		if decided < 0 {
			decided = k
		}
		if n != wantN || err != wantErr {
			t.Fatalf("prefix %d of %d: %d, %v; whole input: %d, %v", k, len(b), n, err, wantN, wantErr)
		}
		if (err == nil || err == ErrMethodNotAllowed) && view(&r) != wantView {
			t.Fatalf("prefix %d: request differs:\n got %+v\nwant %+v", k, view(&r), wantView)
		}
	}
	if wantErr == nil && decided != wantN {
		t.Fatalf("decided at %d, want at the head length %d", decided, wantN)
	}
}

// TestParse_Reuse checks that Parse overwrites every field: a Request that
// parsed a rich head and then a minimal one equals a fresh one.
func TestParse_Reuse(t *testing.T) {
	rich := "GET http://h/a?b HTTP/1.0\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n" +
		"X-Forwarded-For: 1.1.1.1\r\nX-Real-IP: 2.2.2.2\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Extensions: e\r\nContent-Length: 9\r\n\r\n"
	minimal := []byte("GET / HTTP/1.1\r\n\r\n")
	var fresh, reused Request
	if _, err := reused.Parse([]byte(rich)); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Parse(minimal); err != nil {
		t.Fatal(err)
	}
	if _, err := reused.Parse(minimal); err != nil {
		t.Fatal(err)
	}
	if view(&reused) != view(&fresh) {
		t.Fatalf("reused %+v\nfresh  %+v", view(&reused), view(&fresh))
	}
}

// TestParse_Aliases checks that the slices point into the input (no copies).
func TestParse_Aliases(t *testing.T) {
	b := readFixture(t, "announce_qbittorrent_4.5.2_started.http")
	var r Request
	if _, err := r.Parse(b); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string][]byte{"Target": r.Target, "Path": r.Path, "Query": r.Query, "Host": r.Host} {
		if !within(s, b) {
			t.Errorf("%s does not alias the input", name)
		}
	}
}

// within reports whether s is a subslice of b's memory.
func within(s, b []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return lo <= p && p+uintptr(len(s)) <= lo+uintptr(len(b))
}

func TestMethod_String(t *testing.T) {
	for m, want := range map[Method]string{0: "", MethodGet: "GET", MethodHead: "HEAD", MethodOther: "OTHER", 9: ""} {
		if got := m.String(); got != want {
			t.Errorf("Method(%d).String() = %q, want %q", m, got, want)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{err: nil, want: 200},
		{err: ErrNeedMore, want: 0},
		{err: ErrBadRequestLine, want: 400},
		{err: ErrBadTarget, want: 400},
		{err: ErrBadVersion, want: 400},
		{err: ErrBadHeader, want: 400},
		{err: ErrBadHost, want: 400},
		{err: ErrBadContentLength, want: 400},
		{err: ErrTransferEncoding, want: 501},
		{err: ErrMethodNotAllowed, want: 405},
		{err: ErrURITooLong, want: 414},
		{err: ErrHeaderTooLarge, want: 431},
		{err: ErrMissingInfoHash, want: 200},
		{err: ErrBadInfoHash, want: 200},
		{err: ErrMissingPeerID, want: 200},
		{err: ErrBadPeerID, want: 200},
		{err: ErrBadPort, want: 200},
		{err: ErrBadUploaded, want: 200},
		{err: ErrBadDownloaded, want: 200},
		{err: ErrBadLeft, want: 200},
		{err: ErrBadEvent, want: 200},
		{err: ErrBadCompact, want: 200},
		{err: ErrBadNumWant, want: 200},
		{err: ErrBadKey, want: 200},
		{err: ErrBadTrackerID, want: 200},
		{err: ErrTooManyHashes, want: 200},
		{err: fmt.Errorf("cannot parse request: %w", ErrURITooLong), want: 414},
		{err: errors.New("boom"), want: 500},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			if got := Status(tt.err); got != tt.want {
				t.Fatalf("Status = %d, want %d", got, tt.want)
			}
			var e *Error
			if errors.As(tt.err, &e) {
				if e.Status() != tt.want {
					t.Fatalf("(*Error).Status = %d, want %d", e.Status(), tt.want)
				}
				if msg := ErrorMessage(tt.err); !strings.HasPrefix(msg, "httpq: ") || msg != e.Error() {
					t.Fatalf("ErrorMessage = %q", msg)
				}
			}
		})
	}
	if got := ErrorMessage(nil); got != "" {
		t.Errorf("ErrorMessage(nil) = %q", got)
	}
	if got := ErrorMessage(errors.New("secret detail")); got != internalErrorMessage {
		t.Errorf("ErrorMessage(other) = %q", got)
	}
}
