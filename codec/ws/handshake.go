package ws

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
)

// acceptGUID is appended to Sec-WebSocket-Key before hashing (RFC 6455
// §1.3, §4.2.2 item 5.4).
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Version is the only protocol version the server speaks, the value of
// Sec-WebSocket-Version it accepts and sends with a 426 (RFC 6455 §4.4).
const Version = "13"

// AcceptKeySize is the length of a Sec-WebSocket-Accept value: the base64
// encoding of a 20-byte SHA-1 digest.
const AcceptKeySize = 28

// Upgrade holds the raw header values of a WebSocket opening handshake
// (RFC 6455 §4.2.1), as the HTTP layer found them. A nil or empty slice means
// the header was absent. Values may keep surrounding spaces and tabs. Check
// and AppendAccept only read the slices and keep no reference to them.
//
// Upgrade is a plain value owned by its caller (one event loop); never share
// it while it is being filled.
type Upgrade struct {
	// Method is the request method, exactly as sent ("GET"; methods are
	// case-sensitive). With httpq, pass a constant "GET" when the parsed
	// method is MethodGet.
	Method []byte

	// Upgrade and Connection are the header values: comma-separated lists
	// of case-insensitive tokens. With several Connection lines the HTTP
	// layer may pass any value that holds the "upgrade" token (httpq only
	// keeps a flag: pass a constant "upgrade" when it is set).
	Upgrade, Connection []byte

	// Key and Version are Sec-WebSocket-Key and Sec-WebSocket-Version.
	Key, Version []byte

	// Extensions is Sec-WebSocket-Extensions. Check ignores it: every
	// extension, permessage-deflate included, is declined by leaving it
	// out of the response (RFC 6455 §9.1), so frames never have RSV bits.
	Extensions []byte
}

// Check validates the handshake per RFC 6455 §4.2.1 and returns nil or one
// of ErrMethod, ErrUpgradeToken, ErrConnectionToken, ErrVersion, ErrKey, in
// that order of precedence; UpgradeStatus maps them to HTTP statuses. The
// caller checks what belongs to HTTP itself: HTTP/1.1 or later, the path
// (/ or /announce) and the Host header. Check does not allocate.
func (u *Upgrade) Check() error {
	if string(u.Method) != "GET" {
		return ErrMethod
	}
	if !hasToken(u.Upgrade, "websocket") {
		return ErrUpgradeToken
	}
	if !hasToken(u.Connection, "upgrade") {
		return ErrConnectionToken
	}
	if string(trimOWS(u.Version)) != Version {
		return ErrVersion
	}
	if !validKey(trimOWS(u.Key)) {
		return ErrKey
	}
	return nil
}

// validKey reports whether key is base64 of 16 bytes (§4.1 item 7). The
// padding bits are not checked: the decoded value is never used, only
// hashed as sent.
func validKey(key []byte) bool {
	if len(key) != 24 {
		return false
	}
	var k [18]byte // stack array: DecodedLen(24)
	n, err := base64.StdEncoding.Decode(k[:], key)
	return err == nil && n == 16
}

// AppendAccept appends the 101 response that completes the handshake for
// the Sec-WebSocket-Key value key (RFC 6455 §4.2.2 item 5):
//
//	HTTP/1.1 101 Switching Protocols\r\n
//	Upgrade: websocket\r\n
//	Connection: Upgrade\r\n
//	Sec-WebSocket-Accept: <base64(SHA-1(key + GUID))>\r\n
//	\r\n
//
// It sends no Sec-WebSocket-Extensions (every extension is declined) and no
// Sec-WebSocket-Protocol (WebTorrent uses no subprotocol). Call it only
// after Check returned nil. It does not allocate when dst has room for the
// 129 bytes.
func AppendAccept(dst []byte, key []byte) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = AppendAcceptKey(dst, key)
	return append(dst, "\r\n\r\n"...)
}

// AppendAcceptKey appends the Sec-WebSocket-Accept value for the
// Sec-WebSocket-Key value key: AcceptKeySize bytes of base64. Surrounding
// spaces and tabs of key are ignored. A client (the load generator)
// compares it with the server's answer. It does not allocate for a key of
// up to 28 bytes, so for every key Check accepts, when dst has room.
func AppendAcceptKey(dst []byte, key []byte) []byte {
	var a [64]byte // stack array: a valid key (24 bytes) plus the GUID (36)
	s := append(a[:0], trimOWS(key)...)
	s = append(s, acceptGUID...)
	sum := sha1.Sum(s)
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// AppendRefusal appends a complete HTTP/1.1 response that refuses an
// upgrade for err (a non-nil result of Check): the status of
// UpgradeStatus(err), "Sec-WebSocket-Version: 13" with a 426 (§4.4),
// "Allow: GET" with a 405, an empty body and "Connection: close". The
// caller closes the connection once it is written. A nil err is a
// programmer bug and panics. It does not allocate when dst has room (at
// most 99 bytes).
func AppendRefusal(dst []byte, err error) []byte {
	switch UpgradeStatus(err) {
	case 400:
		dst = append(dst, "HTTP/1.1 400 Bad Request\r\n"...)
	case 405:
		dst = append(dst, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\n"...)
	case 426:
		dst = append(dst, "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: "+Version+"\r\n"...)
	case 500:
		dst = append(dst, "HTTP/1.1 500 Internal Server Error\r\n"...)
	default:
		panic("BUG: ws: AppendRefusal without an error")
	}
	return append(dst, "Content-Length: 0\r\nConnection: close\r\n\r\n"...)
}

// hasToken reports whether the comma-separated list v holds token, compared
// ASCII case-insensitively (RFC 9110 §5.6.1, §7.6.1, §7.8). token is lower
// case.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		elem := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if equalFoldLower(trimOWS(elem), token) {
			return true
		}
	}
	return false
}

// equalFoldLower reports whether b equals the lower-case ASCII string s,
// ignoring ASCII case in b.
func equalFoldLower(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// trimOWS removes leading and trailing spaces and tabs (RFC 9110 §5.6.3).
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
