package httpq

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// maxFullSplit is the longest input whose every prefix FuzzParseRequest
// parses; longer inputs are checked at a stride (the check is quadratic).
const maxFullSplit = 4096

// FuzzParseRequest checks that Request.Parse:
//  1. never panics, returns only *Error sentinels, n == 0 on error and
//     n == HeadLen within the limits on success;
//  2. stores only slices that alias its input;
//  3. gives the same result in a reused Request as in a fresh one;
//  4. is a stream parser: every prefix gives ErrNeedMore until the result is
//     decided, and then exactly the whole input's result (nats FuzzParser);
//  5. agrees with net/http.ReadRequest, the reference, on method, target,
//     version, Host, Connection semantics, Content-Length and
//     X-Forwarded-For whenever both accept the head;
//  6. allocates nothing on re-parse (not under -race).
//
// Seeds: every testdata/*.http capture, the 16-request pipeline, and edge
// cases from TestParse_Errors.
func FuzzParseRequest(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(readFixture(f, name))
	}
	buf, _ := pipeline(f)
	f.Add(buf)
	for _, s := range []string{
		"",
		"\r\nGET / HTTP/1.1\r\n\r\n",
		"GET http://h/a?b HTTP/1.0\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nX-Real-IP: 3.3.3.3\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
		"POST /announce HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		"OPTIONS * HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"GET /" + strings.Repeat("a", MaxRequestLine),
	} {
		f.Add([]byte(s))
	}

	var dirty Request
	rich := []byte("GET http://h/a?b HTTP/1.0\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: w\r\n" +
		"X-Forwarded-For: 1\r\nX-Real-IP: 2\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Extensions: e\r\nContent-Length: 9\r\n\r\n")
	if _, err := dirty.Parse(rich); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		var r Request
		n, err := r.Parse(b)

		// 1. Sentinels and lengths.
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("non-sentinel error %v", err)
			}
			if n != 0 {
				t.Fatalf("n = %d with error %v", n, err)
			}
		} else if n != r.HeadLen || n <= 0 || n > len(b) || n > MaxRequestLine+MaxHeaderBytes+2 {
			t.Fatalf("n = %d, HeadLen %d, len %d", n, r.HeadLen, len(b))
		}

		// 2. Aliasing.
		if err == nil || err == ErrMethodNotAllowed {
			for _, s := range [][]byte{r.Target, r.Query, r.Host, r.XForwardedFor, r.XRealIP, r.Upgrade,
				r.SecWebSocketKey, r.SecWebSocketVersion, r.SecWebSocketExtensions} {
				if !within(s, b) {
					t.Fatalf("a field does not alias the input: %q", s)
				}
			}
			if !within(r.Path, b) && !bytes.Equal(r.Path, rootPath) {
				t.Fatalf("Path %q does not alias the input", r.Path)
			}
		}

		// 3. Reuse.
		d := dirty
		dn, derr := d.Parse(b)
		if dn != n || derr != err || ((err == nil || err == ErrMethodNotAllowed) && view(&d) != view(&r)) {
			t.Fatalf("reused Request differs: %d %v %+v\nfresh: %d %v %+v", dn, derr, view(&d), n, err, view(&r))
		}

		// 4. Streaming.
		if len(b) <= maxFullSplit {
			checkSplit(t, b)
		} else {
			checkSplitStride(t, b, n, err)
		}

		// 5. net/http agreement.
		if err == nil {
			agreeWithNetHTTP(t, b[:n], &r)
		}

		// 6. Allocations.
		if !raceEnabled {
			if a := testing.AllocsPerRun(1, func() { _, _ = r.Parse(b) }); a != 0 {
				t.Fatalf("re-Parse allocated %v times", a)
			}
		}
	})
}

// checkSplitStride is checkSplit for long inputs: it parses about 512
// prefixes plus the ones around the whole input's head length.
func checkSplitStride(t *testing.T, b []byte, wantN int, wantErr error) {
	t.Helper()
	var r Request
	stride := max(1, len(b)/512)
	decided := false
	for k := 0; k <= len(b); k += stride {
		n, err := r.Parse(b[:k])
		if err == ErrNeedMore {
			if decided {
				t.Fatalf("prefix %d: ErrNeedMore after a result", k)
			}
			continue
		}
		decided = true
		if n != wantN || err != wantErr {
			t.Fatalf("prefix %d: %d, %v; whole: %d, %v", k, n, err, wantN, wantErr)
		}
	}
	if wantErr == nil {
		if _, err := r.Parse(b[:wantN-1]); err != ErrNeedMore {
			t.Fatalf("one byte short of the head: %v", err)
		}
	}
}

// agreeWithNetHTTP parses head with net/http.ReadRequest and, if that
// accepts it too, checks that both read the same request. net/http is
// stricter in places (it unescapes the path, refuses "5, 5" lengths) and
// more lenient in others (obs-fold, any method), so only agreement on heads
// both accept is required.
func agreeWithNetHTTP(t *testing.T, head []byte, r *Request) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		return
	}
	if req.Method != r.Method.String() || req.RequestURI != string(r.Target) {
		t.Fatalf("net/http: %s %q; httpq: %s %q", req.Method, req.RequestURI, r.Method, r.Target)
	}
	if req.ProtoMajor != 1 || min(req.ProtoMinor, 1) != int(r.Minor) {
		t.Fatalf("net/http: HTTP/%d.%d; httpq minor %d", req.ProtoMajor, req.ProtoMinor, r.Minor)
	}
	if req.Close == r.KeepAlive {
		t.Fatalf("net/http Close = %v; httpq KeepAlive = %v", req.Close, r.KeepAlive)
	}
	if r.Target[0] == '/' && req.Host != string(r.Host) {
		t.Fatalf("net/http Host %q; httpq %q", req.Host, r.Host)
	}
	if r.ContentLength >= 0 && req.ContentLength != r.ContentLength {
		t.Fatalf("net/http ContentLength %d; httpq %d", req.ContentLength, r.ContentLength)
	}
	if xff := req.Header.Values("X-Forwarded-For"); len(xff) != r.NXForwardedFor ||
		(len(xff) > 0 && xff[len(xff)-1] != string(r.XForwardedFor)) {
		t.Fatalf("net/http X-Forwarded-For %q; httpq %q (%d lines)", xff, r.XForwardedFor, r.NXForwardedFor)
	}
	if req.Header.Get("Upgrade") != string(r.Upgrade) && len(req.Header.Values("Upgrade")) == 1 {
		t.Fatalf("net/http Upgrade %q; httpq %q", req.Header.Get("Upgrade"), r.Upgrade)
	}
}
