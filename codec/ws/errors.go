package ws

import "errors"

// Close status codes (RFC 6455 §7.4.1). A received Close may also carry
// 1012-1014 (IANA "WebSocket Close Code Number Registry") or 3000-4999.
const (
	CloseNormalClosure           uint16 = 1000
	CloseGoingAway               uint16 = 1001
	CloseProtocolError           uint16 = 1002
	CloseUnsupportedData         uint16 = 1003
	CloseNoStatusReceived        uint16 = 1005 // never sent: an empty Close frame means it
	CloseAbnormalClosure         uint16 = 1006 // never sent: the connection dropped
	CloseInvalidFramePayloadData uint16 = 1007
	ClosePolicyViolation         uint16 = 1008
	CloseMessageTooBig           uint16 = 1009
	CloseMandatoryExtension      uint16 = 1010
	CloseInternalServerErr       uint16 = 1011
)

// Error is a client error: the peer's handshake or frames broke RFC 6455.
// It carries the Close status code to fail the connection with (CloseCode)
// and the HTTP status to refuse an upgrade with (UpgradeStatus). Values are
// the package-level sentinels below; they are immutable and safe for
// concurrent use.
type Error struct {
	msg    string
	code   uint16 // RFC 6455 §7.4.1 Close status code
	status uint16 // HTTP status for a refused upgrade
}

// Error returns the message, for example "ws: unmasked client frame".
func (e *Error) Error() string { return e.msg }

// frameErr and upgradeErr keep the sentinel table readable: a frame error
// refuses an upgrade with 400 if it ever reaches UpgradeStatus, a handshake
// error closes with 1002 if it ever reaches CloseCode.
func frameErr(msg string, code uint16) error { return &Error{msg: msg, code: code, status: 400} }
func upgradeErr(msg string, status uint16) error {
	return &Error{msg: msg, code: CloseProtocolError, status: status}
}

// Handshake sentinels, returned by Upgrade.Check (RFC 6455 §4.2.1).
var (
	// ErrMethod means the request method is not GET (HTTP 405; answer
	// with "Allow: GET").
	ErrMethod = upgradeErr("ws: upgrade method is not GET", 405)

	// ErrUpgradeToken means the Upgrade header has no "websocket" token
	// (HTTP 400).
	ErrUpgradeToken = upgradeErr("ws: Upgrade header lacks websocket", 400)

	// ErrConnectionToken means the Connection header has no "upgrade" token
	// (HTTP 400).
	ErrConnectionToken = upgradeErr("ws: Connection header lacks upgrade", 400)

	// ErrVersion means Sec-WebSocket-Version is missing or not 13: HTTP 426
	// with "Sec-WebSocket-Version: 13", so the client can retry with a
	// version the server speaks (RFC 6455 §4.2.2 item 4, §4.4).
	ErrVersion = upgradeErr("ws: unsupported Sec-WebSocket-Version", 426)

	// ErrKey means Sec-WebSocket-Key is missing or is not the base64
	// encoding of 16 bytes (HTTP 400).
	ErrKey = upgradeErr("ws: bad Sec-WebSocket-Key", 400)
)

// Frame sentinels, returned by Decoder.Decode. Each fails the connection
// (RFC 6455 §7.1.7) with the Close code CloseCode returns.
var (
	// ErrUnmasked means a client sent an unmasked frame (§5.1; 1002).
	ErrUnmasked = frameErr("ws: unmasked client frame", CloseProtocolError)

	// ErrMasked means a server sent a masked frame to a Decoder with Client
	// set (§5.1; 1002).
	ErrMasked = frameErr("ws: masked server frame", CloseProtocolError)

	// ErrReservedBits means RSV1, RSV2 or RSV3 is set, but no extension was
	// negotiated (§5.2; 1002). permessage-deflate sets RSV1; it is always
	// declined.
	ErrReservedBits = frameErr("ws: reserved bits set", CloseProtocolError)

	// ErrReservedOpcode means the opcode is one of the reserved 0x3-0x7 or
	// 0xB-0xF (§5.2; 1002).
	ErrReservedOpcode = frameErr("ws: reserved opcode", CloseProtocolError)

	// ErrControlTooLong means a Close, Ping or Pong frame declared more than
	// 125 bytes of payload (§5.5; 1002).
	ErrControlTooLong = frameErr("ws: control frame over 125 bytes", CloseProtocolError)

	// ErrControlFragmented means a control frame had FIN clear (§5.5; 1002).
	ErrControlFragmented = frameErr("ws: fragmented control frame", CloseProtocolError)

	// ErrUnexpectedContinuation means a continuation frame arrived with no
	// fragmented message to continue (§5.4; 1002).
	ErrUnexpectedContinuation = frameErr("ws: continuation without a message", CloseProtocolError)

	// ErrExpectedContinuation means a Text or Binary frame arrived while a
	// fragmented message was still open (§5.4; 1002).
	ErrExpectedContinuation = frameErr("ws: data frame inside a fragmented message", CloseProtocolError)

	// ErrLength means a 64-bit payload length had its most significant bit
	// set (§5.2; 1002).
	ErrLength = frameErr("ws: payload length over 2^63", CloseProtocolError)

	// ErrCloseLength means a Close frame carried exactly 1 byte of payload:
	// too short for a status code (§5.5.1; 1002).
	ErrCloseLength = frameErr("ws: close payload of 1 byte", CloseProtocolError)

	// ErrCloseCode means a Close frame carried a status code that must not
	// be sent: below 1000, 1004-1006, 1015-2999, or 5000 and above
	// (§7.4.1, §7.4.2; 1002).
	ErrCloseCode = frameErr("ws: invalid close code", CloseProtocolError)

	// ErrMessageTooBig means a message (all its fragments) would exceed
	// Decoder.MaxMessage. It is detected from the frame header, before the
	// payload arrives (§7.4.1; 1009).
	ErrMessageTooBig = frameErr("ws: message too big", CloseMessageTooBig)

	// ErrInvalidUTF8 means a Text message, or the reason of a Close frame,
	// is not valid UTF-8 (§5.6, §8.1; 1007).
	ErrInvalidUTF8 = frameErr("ws: invalid UTF-8 in text", CloseInvalidFramePayloadData)
)

// CloseCode returns the status code of the Close frame to fail the
// connection with for err: the sentinel's code for an *Error (also when
// wrapped), CloseInternalServerErr (1011) for any other error, and
// CloseNormalClosure (1000) for nil. It does not allocate when err is a
// sentinel.
func CloseCode(err error) uint16 {
	if err == nil {
		return CloseNormalClosure
	}
	if e, ok := err.(*Error); ok { // the hot path: a bare sentinel
		return e.code
	}
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	return CloseInternalServerErr
}

// UpgradeStatus returns the HTTP status to answer an upgrade request with
// for err, the result of Upgrade.Check: 101 for nil, the sentinel's status
// for an *Error (400, 405 or 426; also when wrapped), and 500 for any other
// error. AppendRefusal writes the whole response.
func UpgradeStatus(err error) int {
	if err == nil {
		return 101
	}
	if e, ok := err.(*Error); ok {
		return int(e.status)
	}
	var e *Error
	if errors.As(err, &e) {
		return int(e.status)
	}
	return 500
}

// validCloseCode reports whether a Close frame may carry code (RFC 6455
// §7.4.1, §7.4.2): the defined codes except the three reserved for local
// use (1005, 1006, 1015), the IANA-registered 1012-1014 (Service Restart,
// Try Again Later, Bad Gateway; gorilla/websocket accepts them too, gobwas
// does not), and the application and private ranges 3000-4999.
func validCloseCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}
