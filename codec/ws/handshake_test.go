package ws

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// rfcKey and rfcAccept are RFC 6455 §1.3's example.
const (
	rfcKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// goodUpgrade is a handshake as Chromium sends it, permessage-deflate offer
// included.
func goodUpgrade() Upgrade {
	return Upgrade{
		Method:     []byte("GET"),
		Upgrade:    []byte("websocket"),
		Connection: []byte("Upgrade"),
		Key:        []byte(rfcKey),
		Version:    []byte("13"),
		Extensions: []byte("permessage-deflate; client_max_window_bits"),
	}
}

func TestAppendAcceptKey_RFC(t *testing.T) {
	for _, key := range []string{rfcKey, " " + rfcKey + "\t"} {
		if got := string(AppendAcceptKey(nil, []byte(key))); got != rfcAccept {
			t.Fatalf("AppendAcceptKey(%q) = %q, want %q", key, got, rfcAccept)
		}
	}
	long := strings.Repeat("k", 100) // not a valid key, past the stack array: still right
	sum := sha1.Sum([]byte(long + acceptGUID))
	if got, want := string(AppendAcceptKey(nil, []byte(long))), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("long key: %q, want %q", got, want)
	}
}

func TestAppendAccept(t *testing.T) {
	got := string(AppendAccept([]byte("x"), []byte(rfcKey)))
	want := "xHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + rfcAccept + "\r\n\r\n"
	if got != want {
		t.Fatalf("AppendAccept =\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(got, "Sec-WebSocket-Extensions") || strings.Contains(got, "Sec-WebSocket-Protocol") {
		t.Fatal("the 101 must decline extensions and subprotocols by omission")
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(u *Upgrade)
		err    error
		status int
	}{
		{name: "chromium", edit: func(*Upgrade) {}, status: 101},
		{name: "firefox connection list", edit: func(u *Upgrade) { u.Connection = []byte("keep-alive, Upgrade") }, status: 101},
		{name: "case and spaces", edit: func(u *Upgrade) {
			u.Upgrade, u.Connection = []byte(" WebSocket "), []byte("UPGRADE\t")
			u.Version, u.Key = []byte(" 13 "), []byte("\t"+rfcKey+" ")
		}, status: 101},
		{name: "upgrade list", edit: func(u *Upgrade) { u.Upgrade = []byte("h2c, websocket") }, status: 101},
		{name: "no extensions", edit: func(u *Upgrade) { u.Extensions = nil }, status: 101},
		{name: "head", edit: func(u *Upgrade) { u.Method = []byte("HEAD") }, err: ErrMethod, status: 405},
		{name: "lower-case get", edit: func(u *Upgrade) { u.Method = []byte("get") }, err: ErrMethod, status: 405},
		{name: "post", edit: func(u *Upgrade) { u.Method = []byte("POST") }, err: ErrMethod, status: 405},
		{name: "no upgrade", edit: func(u *Upgrade) { u.Upgrade = nil }, err: ErrUpgradeToken, status: 400},
		{name: "upgrade h2c", edit: func(u *Upgrade) { u.Upgrade = []byte("h2c") }, err: ErrUpgradeToken, status: 400},
		{name: "upgrade prefix", edit: func(u *Upgrade) { u.Upgrade = []byte("websockets") }, err: ErrUpgradeToken, status: 400},
		{name: "no connection", edit: func(u *Upgrade) { u.Connection = nil }, err: ErrConnectionToken, status: 400},
		{name: "connection keep-alive", edit: func(u *Upgrade) { u.Connection = []byte("keep-alive") }, err: ErrConnectionToken, status: 400},
		{name: "connection substring", edit: func(u *Upgrade) { u.Connection = []byte("upgraded, x") }, err: ErrConnectionToken, status: 400},
		{name: "no version", edit: func(u *Upgrade) { u.Version = nil }, err: ErrVersion, status: 426},
		{name: "version 8", edit: func(u *Upgrade) { u.Version = []byte("8") }, err: ErrVersion, status: 426},
		{name: "version list", edit: func(u *Upgrade) { u.Version = []byte("13, 8") }, err: ErrVersion, status: 426},
		{name: "no key", edit: func(u *Upgrade) { u.Key = nil }, err: ErrKey, status: 400},
		{name: "key 15 bytes", edit: func(u *Upgrade) { u.Key = []byte("AAAAAAAAAAAAAAAAAAAA") }, err: ErrKey, status: 400},
		{name: "key 17 bytes", edit: func(u *Upgrade) { u.Key = []byte("AAAAAAAAAAAAAAAAAAAAAAA=") }, err: ErrKey, status: 400},
		{name: "key not base64", edit: func(u *Upgrade) { u.Key = []byte("dGhlIHNhbXBsZSBub25jZQ!=") }, err: ErrKey, status: 400},
		{name: "key newline", edit: func(u *Upgrade) { u.Key = []byte("dGhlIHNhbXBsZSBub25jZ\nQ=") }, err: ErrKey, status: 400},
		{name: "method first", edit: func(u *Upgrade) { *u = Upgrade{Method: []byte("PUT")} }, err: ErrMethod, status: 405},
		{name: "version before key", edit: func(u *Upgrade) { u.Version, u.Key = nil, nil }, err: ErrVersion, status: 426},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := goodUpgrade()
			tt.edit(&u)
			err := u.Check()
			if err != tt.err {
				t.Fatalf("Check = %v, want %v", err, tt.err)
			}
			if got := UpgradeStatus(err); got != tt.status {
				t.Fatalf("UpgradeStatus = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestAppendRefusal(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{err: ErrKey, want: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{err: ErrMethod, want: "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{err: ErrVersion, want: "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{err: fmt.Errorf("cannot upgrade: %w", ErrVersion), want: "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{err: errors.New("internal"), want: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			if got := string(AppendRefusal(nil, tt.err)); got != tt.want {
				t.Fatalf("AppendRefusal =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("AppendRefusal(nil) did not panic")
		}
	}()
	AppendRefusal(nil, nil)
}

func TestCloseCodeAndStatus(t *testing.T) {
	tests := []struct {
		err    error
		code   uint16
		status int
	}{
		{err: nil, code: CloseNormalClosure, status: 101},
		{err: ErrUnmasked, code: CloseProtocolError, status: 400},
		{err: ErrMessageTooBig, code: CloseMessageTooBig, status: 400},
		{err: ErrInvalidUTF8, code: CloseInvalidFramePayloadData, status: 400},
		{err: fmt.Errorf("cannot decode: %w", ErrMessageTooBig), code: CloseMessageTooBig, status: 400},
		{err: ErrVersion, code: CloseProtocolError, status: 426},
		{err: errors.New("write failed"), code: CloseInternalServerErr, status: 500},
	}
	for _, tt := range tests {
		if got := CloseCode(tt.err); got != tt.code {
			t.Errorf("CloseCode(%v) = %d, want %d", tt.err, got, tt.code)
		}
		if got := UpgradeStatus(tt.err); got != tt.status {
			t.Errorf("UpgradeStatus(%v) = %d, want %d", tt.err, got, tt.status)
		}
	}
}
