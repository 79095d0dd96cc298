package bench

import (
	"bufio"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
		body   string
		close  bool
		err    error
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcNEXT", 200, "abc", false, nil},
		{"http10 closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true, nil},
		{"http10 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, "ok", false, nil},
		{"connection close", "HTTP/1.1 200 OK\r\nconnection: Close\r\ncontent-length: 2\r\n\r\nok", 200, "ok", true, nil},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n", 200, "abcde", false, nil},
		{"until close", "HTTP/1.1 404 Not Found\r\n\r\nmissing", 404, "missing", true, nil},
		{"eof before", "", 0, "", false, io.EOF},
		{"eof within", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 200, "", false, io.ErrUnexpectedEOF},
		{"garbage", "SSH-2.0-OpenSSH\r\n", 0, "", false, errHTTPStatusLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := readReply(bufio.NewReader(strings.NewReader(tt.in)), nil)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || r.status != tt.status || string(r.body) != tt.body || r.close != tt.close {
				t.Errorf("readReply = %d %q close %v, %v; want %d %q close %v",
					r.status, r.body, r.close, err, tt.status, tt.body, tt.close)
			}
		})
	}
}

func TestAppendAnnounceRequest(t *testing.T) {
	var ih [20]byte
	for i := range ih {
		ih[i] = byte(i * 13)
	}
	id := peerID(42)
	req := string(appendAnnounceRequest(nil, "127.0.0.1:6969", &ih, &id, 6881, 0, "completed", 30, false))
	line, rest, _ := strings.Cut(req, "\r\n")
	if !strings.HasPrefix(line, "GET /announce?") || !strings.HasSuffix(line, " HTTP/1.1") {
		t.Fatalf("request line %q", line)
	}
	if !strings.Contains(rest, "Connection: close\r\n") || !strings.HasSuffix(rest, "\r\n\r\n") {
		t.Errorf("headers %q", rest)
	}
	q, err := url.ParseQuery(strings.TrimSuffix(strings.TrimPrefix(line, "GET /announce?"), " HTTP/1.1"))
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("info_hash") != string(ih[:]) || q.Get("peer_id") != string(id[:]) || q.Get("port") != "6881" ||
		q.Get("left") != "0" || q.Get("event") != "completed" || q.Get("numwant") != "30" || q.Get("compact") != "1" {
		t.Errorf("query decoded to %v", q)
	}
}
