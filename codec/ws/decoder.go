package ws

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// Frame size limits (RFC 6455 §5.2, §5.5).
const (
	// MaxHeaderSize is the longest frame header: 2 bytes, a 64-bit
	// extended length and a 4-byte masking key.
	MaxHeaderSize = 14

	// MaxControlPayload is the largest payload of a Close, Ping or Pong
	// frame (§5.5).
	MaxControlPayload = 125

	// DefaultMaxMessage is Decoder.MaxMessage when it is zero: a WebTorrent
	// announce with ten offers is about 10 KiB, so 64 KiB is ample
	// (PROTOCOL.md: cap whole messages, never single frames below that).
	DefaultMaxMessage = 64 << 10
)

// maxRetained is the largest reassembly buffer a Decoder keeps after a
// fragmented message, for the next one. A larger one is handed out as the
// Payload and then left to the GC, so an idle connection holds at most
// this much however large its past messages were. Browsers do not fragment
// what they send, so most Decoders never allocate a buffer at all.
const maxRetained = 4 << 10

// Opcode is a frame opcode (RFC 6455 §5.2, §11.8). It is a plain value.
type Opcode uint8

// Opcodes. The others are reserved and refused with ErrReservedOpcode.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xa
)

// String returns the opcode's RFC 6455 name ("text", "ping", ...) or
// "reserved". It does not allocate.
func (op Opcode) String() string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return "reserved"
}

// isControl reports whether op is a control opcode, reserved ones included
// (§5.5: the most significant opcode bit marks control frames).
func (op Opcode) isControl() bool { return op&0x8 != 0 }

// Message is one message returned by Decoder.Decode. The zero Message
// (Op == OpContinuation) means "no message yet": Decode never returns a
// message with Op OpContinuation.
type Message struct {
	// Op is OpText or OpBinary for a data message (fragments joined),
	// OpPing, OpPong or OpClose for a control frame.
	Op Opcode

	// Payload is the unmasked payload: the whole data message, the
	// application data of a Ping or Pong (a Pong reply echoes it), or the
	// reason of a Close (the bytes after the status code; valid UTF-8).
	//
	// It aliases either the b passed to Decode (unmasked in place) or the
	// Decoder's reassembly buffer (for a fragmented message). It is valid
	// until the next Decode call on the same Decoder and until the caller
	// discards or overwrites b's bytes, whichever comes first. Copy what
	// must live longer.
	Payload []byte

	// CloseCode is the status code of a Close message, or
	// CloseNoStatusReceived (1005) if the frame had no payload. It is 0
	// for other messages.
	CloseCode uint16
}

// Decoder reassembles messages from a connection's inbound byte stream
// (RFC 6455 §5). Decode reads whole frames only, so the Decoder holds no
// partial frame: its only state is a fragmented message in progress.
//
// The zero Decoder is ready to use as a server's decoder. Set MaxMessage
// and Client before the first Decode; do not change them afterwards.
//
// A Decoder belongs to one connection and is owned by that connection's
// event loop; never share it. It is 40 bytes, plus a reassembly buffer of
// at most 4 KiB between messages, allocated only if the peer fragments.
type Decoder struct {
	// MaxMessage bounds a data message in bytes, all fragments together
	// (DefaultMaxMessage when zero or negative). A longer message is
	// ErrMessageTooBig as soon as the header of the frame that crosses the
	// limit arrives. Single frames are never capped below MaxMessage.
	MaxMessage int

	// Client makes the Decoder read a server's frames, as a client does
	// (the load generator and tests): frames must then be unmasked, and a
	// masked frame is ErrMasked (§5.1).
	Client bool

	// TextUnchecked leaves the UTF-8 check of Text messages (§8.1) to the
	// caller, who must fail the connection with ErrInvalidUTF8 itself when
	// one is not UTF-8. Set it when the caller validates every byte anyway:
	// codec/wt's Request.Parse accepts only UTF-8, so the tracker checks
	// invalid UTF-8 only for a message Parse refused, and reads each
	// message once instead of twice.
	TextUnchecked bool

	op  Opcode // OpText or OpBinary while a fragmented message is open, else 0
	buf []byte // the open fragmented message, unmasked
}

// Decode consumes whole frames from the start of b and returns how many
// bytes it used and at most one message.
//
// It loops over the frames in b until it has a message to return or needs
// more bytes. A message is a complete Text or Binary message (its fragments
// joined), a Ping, a Pong or a Close. A control frame that arrives between
// the fragments of a data message (§5.4) is returned at once, and the data
// message later.
//
// "Nothing yet" is err == nil with the zero Message (m.Op ==
// OpContinuation): b holds no complete frame past used. used may still be
// positive: fragments were absorbed into the Decoder. The caller discards
// used bytes, keeps the rest buffered, and calls Decode again when more
// bytes arrive. Because single frames are never capped below MaxMessage,
// the rest can be up to MaxMessage+MaxHeaderSize-1 bytes long (or 130, the
// longest control frame, if MaxMessage is below 125); given more, Decode
// always uses some bytes, returns a message or fails. That bounds the
// inbound buffer of a connection.
//
// Decode unmasks the payloads of the frames it uses IN PLACE in b: used
// bytes must never be decoded again. It never writes to bytes past used.
//
// A non-nil err is one of the frame sentinels (*Error). The connection must
// then be failed (§7.1.7): send AppendClose(dst, CloseCode(err), "") and
// close it. used and m are meaningless then, and the Decoder must be Reset
// before it is used again. A Close message is not an error: answer it with
// a Close (AppendClose(dst, m.CloseCode, "") echoes its code) and close.
//
// Decode allocates only to grow the reassembly buffer of a fragmented
// message; a warm Decoder and every unfragmented message allocate nothing.
func (d *Decoder) Decode(b []byte) (used int, m Message, err error) {
	limit := d.MaxMessage
	if limit <= 0 {
		limit = DefaultMaxMessage
	}
	for {
		p := b[used:]
		if len(p) < 2 {
			return used, Message{}, nil
		}
		b0, b1 := p[0], p[1]
		fin := b0&0x80 != 0
		op := Opcode(b0 & 0x0f)
		masked := b1&0x80 != 0
		n := uint64(b1 & 0x7f)

		// The checks up to the payload need only header bytes and run in a
		// fixed order as they arrive, so an error is the same whether the
		// frame came whole or a byte at a time (FuzzDecode checks it).
		if b0&0x70 != 0 {
			return used, Message{}, ErrReservedBits // §5.2: no extension negotiated
		}
		switch op {
		case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		default:
			return used, Message{}, ErrReservedOpcode
		}
		if masked == d.Client {
			if d.Client {
				return used, Message{}, ErrMasked
			}
			return used, Message{}, ErrUnmasked // §5.1: clients MUST mask
		}
		switch {
		case op.isControl():
			if !fin {
				return used, Message{}, ErrControlFragmented // §5.5
			}
			if n > MaxControlPayload {
				return used, Message{}, ErrControlTooLong // §5.5
			}
		case op == OpContinuation:
			if d.op == 0 {
				return used, Message{}, ErrUnexpectedContinuation // §5.4
			}
		default:
			if d.op != 0 {
				return used, Message{}, ErrExpectedContinuation // §5.4
			}
		}

		hlen := 2
		switch n {
		case 126:
			if len(p) < 4 {
				return used, Message{}, nil
			}
			n, hlen = uint64(binary.BigEndian.Uint16(p[2:])), 4
		case 127:
			if len(p) < 10 {
				return used, Message{}, nil
			}
			n, hlen = binary.BigEndian.Uint64(p[2:]), 10
			if n>>63 != 0 {
				return used, Message{}, ErrLength // §5.2: the top bit MUST be 0
			}
		}
		// Refuse an oversize message from its header: waiting for the
		// payload would let a peer make the loop buffer it first.
		if !op.isControl() {
			total := n
			if op == OpContinuation {
				total += uint64(len(d.buf)) // no overflow: n < 2^63, len(d.buf) <= limit
			}
			if total > uint64(limit) {
				return used, Message{}, ErrMessageTooBig
			}
		}
		var mask [4]byte
		if masked {
			if len(p) < hlen+4 {
				return used, Message{}, nil
			}
			mask = [4]byte(p[hlen : hlen+4])
			hlen += 4
		}
		if uint64(len(p)-hlen) < n {
			return used, Message{}, nil
		}
		end := hlen + int(n) // n <= len(p): no overflow
		payload := p[hlen:end:end]
		used += end

		switch op {
		case OpText, OpBinary:
			if !fin { // the first fragment (§5.4)
				d.op = op
				d.buf = appendUnmasked(d.buf[:0], payload, masked, mask)
				continue
			}
			if masked {
				ws.Cipher(payload, mask, 0)
			}
			if op == OpText && !d.TextUnchecked && !utf8.Valid(payload) {
				return used, Message{}, ErrInvalidUTF8 // §8.1
			}
			return used, Message{Op: op, Payload: payload}, nil

		case OpContinuation:
			d.buf = appendUnmasked(d.buf, payload, masked, mask)
			if !fin {
				continue
			}
			m = Message{Op: d.op, Payload: d.buf[:len(d.buf):len(d.buf)]}
			d.op = 0
			if cap(d.buf) > maxRetained {
				d.buf = nil // m.Payload keeps it alive while the caller needs it
			} else {
				d.buf = d.buf[:0] // reused by the next message, after the next Decode
			}
			if m.Op == OpText && !d.TextUnchecked && !utf8.Valid(m.Payload) {
				return used, Message{}, ErrInvalidUTF8
			}
			return used, m, nil
		}

		// A control frame.
		if masked {
			ws.Cipher(payload, mask, 0)
		}
		if op != OpClose {
			return used, Message{Op: op, Payload: payload}, nil
		}
		return closeMessage(used, payload)
	}
}

// closeMessage decodes a Close frame's payload: an optional status code
// and a UTF-8 reason (§5.5.1).
func closeMessage(used int, p []byte) (int, Message, error) {
	switch len(p) {
	case 0:
		return used, Message{Op: OpClose, Payload: p, CloseCode: CloseNoStatusReceived}, nil // §7.1.5
	case 1:
		return used, Message{}, ErrCloseLength
	}
	code := binary.BigEndian.Uint16(p)
	if !validCloseCode(code) {
		return used, Message{}, ErrCloseCode
	}
	reason := p[2:]
	if !utf8.Valid(reason) {
		return used, Message{}, ErrInvalidUTF8
	}
	return used, Message{Op: OpClose, Payload: reason, CloseCode: code}, nil
}

// appendUnmasked appends p to dst and unmasks the copy, leaving p as it
// was. It allocates only when dst lacks room, and then only for bytes that
// have arrived: the buffer never grows on a peer-declared length.
func appendUnmasked(dst, p []byte, masked bool, mask [4]byte) []byte {
	start := len(dst)
	dst = append(dst, p...)
	if masked {
		ws.Cipher(dst[start:], mask, 0)
	}
	return dst
}

// Reset forgets any fragmented message in progress, so the Decoder can
// serve a new connection or recover after an error. It keeps MaxMessage,
// Client and a reassembly buffer of up to 4 KiB.
func (d *Decoder) Reset() {
	d.op = 0
	if cap(d.buf) > maxRetained {
		d.buf = nil
	} else {
		d.buf = d.buf[:0]
	}
}
