package ws

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// reservedHeader is the room BeginFrame leaves for a header: 4 bytes, enough
// for every payload up to 64 KiB, which is every WebTorrent message.
const reservedHeader = 4

// AppendFrameHeader appends the header of an unmasked server frame (RFC 6455
// §5.2) whose payload of payloadLen bytes the caller appends next. The
// length takes the shortest encoding (2, 4 or 10 header bytes). A negative
// payloadLen, a reserved opcode, or a control frame that is not final or
// longer than 125 bytes is a programmer bug and panics. It does not
// allocate when dst has room.
func AppendFrameHeader(dst []byte, op Opcode, fin bool, payloadLen int) []byte {
	checkFrame(op, fin, payloadLen)
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	return appendHeader(dst, b0, 0, payloadLen)
}

// AppendFrame appends one final, unmasked server frame carrying payload.
// The rules of AppendFrameHeader apply. To answer a Ping, echo its payload:
// AppendFrame(dst, OpPong, m.Payload). It does not allocate when dst has
// room for len(payload)+10 bytes.
func AppendFrame(dst []byte, op Opcode, payload []byte) []byte {
	dst = AppendFrameHeader(dst, op, true, len(payload))
	return append(dst, payload...)
}

// AppendText appends one final Text frame carrying payload, which must be
// valid UTF-8 (§5.6; the caller's JSON encoder guarantees it, so it is not
// checked here). It does not allocate when dst has room.
func AppendText(dst []byte, payload []byte) []byte {
	return AppendFrame(dst, OpText, payload)
}

// AppendClose appends a Close frame with status code and reason (§5.5.1).
// With code 0 or CloseNoStatusReceived the frame has no payload, so
// AppendClose(dst, m.CloseCode, "") echoes any received Close (§5.5.1). The
// reason is cut at a rune boundary to fit the 125-byte control payload and
// must be valid UTF-8. A code that must not be sent (see ErrCloseCode) is
// a programmer bug and panics. It does not allocate when dst has room.
func AppendClose(dst []byte, code uint16, reason string) []byte {
	if code == 0 || code == CloseNoStatusReceived {
		return append(dst, 0x80|byte(OpClose), 0)
	}
	if !validCloseCode(code) {
		panic("BUG: ws: AppendClose with a close code that must not be sent")
	}
	if len(reason) > MaxControlPayload-2 {
		n := MaxControlPayload - 2
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n--
		}
		reason = reason[:n]
	}
	dst = append(dst, 0x80|byte(OpClose), byte(2+len(reason)))
	dst = binary.BigEndian.AppendUint16(dst, code)
	return append(dst, reason...)
}

// BeginFrame starts a final server frame whose payload the caller appends
// to dst without knowing its length first (a JSON encoder writing straight
// into the output buffer). It reserves room for the header and returns the
// extended slice and the frame's start offset, for EndFrame:
//
//	dst, start := ws.BeginFrame(dst)
//	dst = wt.AppendAnnounceReply(dst, ...)
//	dst = ws.EndFrame(dst, start, ws.OpText)
//
// It does not allocate when dst has room.
func BeginFrame(dst []byte) ([]byte, int) {
	start := len(dst)
	return append(dst, 0, 0, 0, 0), start
}

// EndFrame writes the header of the frame that BeginFrame started at start,
// with everything appended since as its payload, and returns dst. The
// result is the same bytes as AppendFrame(dst[:start], op, payload). It
// moves the payload only when it is shorter than 126 bytes (2 bytes back)
// or longer than 64 KiB (6 bytes forward, which may allocate). A start
// that BeginFrame did not return, or a frame AppendFrameHeader would
// refuse, is a programmer bug and panics.
func EndFrame(dst []byte, start int, op Opcode) []byte {
	if start < 0 || start > len(dst)-reservedHeader {
		panic("BUG: ws: EndFrame without BeginFrame")
	}
	n := len(dst) - start - reservedHeader
	checkFrame(op, true, n)
	b0 := 0x80 | byte(op)
	switch {
	case n < 126:
		dst[start], dst[start+1] = b0, byte(n)
		copy(dst[start+2:], dst[start+reservedHeader:])
		return dst[:len(dst)-2]
	case n <= 0xffff:
		dst[start], dst[start+1] = b0, 126
		binary.BigEndian.PutUint16(dst[start+2:], uint16(n))
		return dst
	}
	dst = append(dst, 0, 0, 0, 0, 0, 0)
	copy(dst[start+10:], dst[start+reservedHeader:len(dst)-6])
	dst[start], dst[start+1] = b0, 127
	binary.BigEndian.PutUint64(dst[start+2:], uint64(n))
	return dst
}

// AppendClientFrame appends a frame as a client sends it (§5.3): masked with
// mask, the payload copied and masked in dst (payload itself is not
// modified). It writes exactly what it is told, reserved opcodes (op's low
// 4 bits), long or unfinished control frames included, so tests and fuzz
// targets can build invalid input too. For the load generator and tests;
// real clients should draw each mask from a strong random source (§10.3). It
// does not allocate when dst has room.
func AppendClientFrame(dst []byte, op Opcode, fin bool, mask [4]byte, payload []byte) []byte {
	b0 := byte(op) & 0x0f
	if fin {
		b0 |= 0x80
	}
	dst = appendHeader(dst, b0, 0x80, len(payload))
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	ws.Cipher(dst[start:], mask, 0)
	return dst
}

// appendHeader appends the first two header bytes and the extended length,
// shortest encoding first (§5.2).
func appendHeader(dst []byte, b0, maskBit byte, n int) []byte {
	switch {
	case n < 126:
		return append(dst, b0, maskBit|byte(n))
	case n <= 0xffff:
		return append(dst, b0, maskBit|126, byte(n>>8), byte(n))
	}
	dst = append(dst, b0, maskBit|127)
	return binary.BigEndian.AppendUint64(dst, uint64(n))
}

// checkFrame panics on a server frame the protocol forbids (§5.2, §5.5):
// only the encoder's caller can get these wrong, never a peer.
func checkFrame(op Opcode, fin bool, n int) {
	switch op {
	case OpContinuation, OpText, OpBinary:
	case OpClose, OpPing, OpPong:
		if !fin || n > MaxControlPayload {
			panic("BUG: ws: control frame not final or over 125 bytes")
		}
	default:
		panic("BUG: ws: reserved opcode")
	}
	if n < 0 {
		panic("BUG: ws: negative payload length")
	}
}
