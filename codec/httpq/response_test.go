package httpq

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

func TestAppendResponseHead(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		length      int
		keepAlive   bool
		want        string
	}{
		{
			name: "announce reply", status: 200, contentType: "text/plain", length: 123, keepAlive: true,
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 123\r\n\r\n",
		},
		{
			name: "closing", status: 200, contentType: "text/plain", length: 0, keepAlive: false,
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		},
		{
			name: "no content type", status: 400, length: 0, keepAlive: false,
			want: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		},
		{
			name: "405 has Allow", status: 405, length: 0, keepAlive: false,
			want: "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		},
		{
			name: "431", status: 431, length: 0, keepAlive: false,
			want: "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		},
		{
			name: "unknown status has an empty reason", status: 299, length: 1, keepAlive: true,
			want: "HTTP/1.1 299 \r\nContent-Length: 1\r\n\r\n",
		},
		{
			name: "204 has no Content-Length", status: 204, keepAlive: true,
			want: "HTTP/1.1 204 No Content\r\n\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("previous response|")
			got := AppendResponseHead(prefix, tt.status, tt.contentType, tt.length, tt.keepAlive)
			if string(got) != string(prefix)+tt.want {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			// net/http reads it as the same response.
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got[len(prefix):])), nil)
			if err != nil {
				t.Fatalf("net/http: %v", err)
			}
			if resp.StatusCode != tt.status || resp.Close == tt.keepAlive || resp.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("net/http read status %d close %v type %q", resp.StatusCode, resp.Close, resp.Header.Get("Content-Type"))
			}
			if tt.status != 204 && resp.ContentLength != int64(tt.length) {
				t.Fatalf("net/http read length %d", resp.ContentLength)
			}
		})
	}
}

func TestRequestAppendResponseHead(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{name: "HTTP/1.1 keep-alive", head: "GET / HTTP/1.1\r\n\r\n", want: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"},
		{name: "HTTP/1.1 close", head: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", want: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"},
		{name: "HTTP/1.0 keep-alive", head: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", want: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n"},
		{name: "HTTP/1.0", head: "GET / HTTP/1.0\r\n\r\n", want: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			if _, err := r.Parse([]byte(tt.head)); err != nil {
				t.Fatal(err)
			}
			if got := r.AppendResponseHead(nil, 200, "", 2); string(got) != tt.want {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAppendResponseHead_Bugs(t *testing.T) {
	tests := []struct {
		name   string
		status int
		length int
	}{
		{name: "status 99", status: 99},
		{name: "status 1000", status: 1000},
		{name: "negative length", status: 200, length: -1},
		{name: "length on 204", status: 204, length: 1},
		{name: "length on 101", status: 101, length: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p, ok := recover().(string); !ok || len(p) < 4 || p[:4] != "BUG:" {
					t.Fatalf("recovered %v, want a BUG panic", p)
				}
			}()
			AppendResponseHead(nil, tt.status, "", tt.length, true)
		})
	}
}
