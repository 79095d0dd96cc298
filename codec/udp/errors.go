package udp

import "errors"

// Error is a client error: the packet's bytes broke the protocol. Its text is
// short, starts with "udp: ", and is safe to send to the client as the message
// of an action-3 error reply (see ErrorMessage). Values are the package-level
// sentinels below; they are immutable and safe for concurrent use.
type Error struct {
	msg string
}

// Error returns the message, for example "udp: bad event".
func (e *Error) Error() string { return e.msg }

// Sentinels returned by Request.Parse and Response.Parse. Messages are kept
// short because an error reply is 8 bytes plus the message, and the engine
// truncates it when it must not answer with more bytes than it received.
var (
	// ErrShortPacket means the packet is shorter than its action requires
	// (16 bytes for any request, 98 for an announce; 8/16/20 for replies).
	ErrShortPacket error = &Error{msg: "udp: short packet"}

	// ErrOversize means the request is longer than MaxPacketSize.
	ErrOversize error = &Error{msg: "udp: oversize packet"}

	// ErrProtocolID means a connect request did not carry ProtocolID in its
	// connection_id field (BEP 15 "Connect"). It is most likely not a
	// BitTorrent packet.
	ErrProtocolID error = &Error{msg: "udp: bad protocol id"}

	// ErrUnknownAction means the action is not connect, announce or scrape.
	// Action 3 (error) is server-to-client only, and the old opentracker IPv6
	// action 4 is not supported (BEP 15 IPv6 uses action 1 on an IPv6 socket).
	ErrUnknownAction error = &Error{msg: "udp: unknown action"}

	// ErrBadEvent means an announce carried an event above 3 (BEP 15
	// "Announce").
	ErrBadEvent error = &Error{msg: "udp: bad event"}

	// ErrURLDataTooLong means the BEP 41 URLData chunks of an announce add up
	// to more than MaxURLData bytes.
	ErrURLDataTooLong error = &Error{msg: "udp: url data too long"}

	// ErrNoHashes means a scrape request carried no complete info hash.
	ErrNoHashes error = &Error{msg: "udp: no info hash"}

	// ErrTooManyHashes means a scrape request carried more than
	// MaxScrapeHashes info hashes.
	ErrTooManyHashes error = &Error{msg: "udp: too many hashes"}

	// ErrBadScrapeLength means a scrape request ended in a partial info hash
	// (its length is not 16+20n), or a scrape reply is not 8+12n bytes.
	ErrBadScrapeLength error = &Error{msg: "udp: bad scrape length"}

	// ErrBadPeerLength means the peer list of an announce reply is not a
	// multiple of the peer size. Returned by Response.Parse only.
	ErrBadPeerLength error = &Error{msg: "udp: bad peer length"}
)

// internalErrorMessage is what ErrorMessage sends for errors that are not the
// client's fault, so internal details never reach the wire (STYLE §7).
const internalErrorMessage = "internal error"

// ErrorMessage returns the text to send as the message of a BEP 15 action-3
// error reply for err: the sentinel's own text for an *Error (also when
// wrapped), "internal error" for any other non-nil error, and "" for nil.
// It does not allocate when err is a sentinel.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok { // the hot path: a bare sentinel
		return e.msg
	}
	var e *Error
	if errors.As(err, &e) {
		return e.msg
	}
	return internalErrorMessage
}
