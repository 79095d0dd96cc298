package wt

import "errors"

// Error is a client error: the message broke JSON or the WebTorrent tracker
// message rules. Its text is short, starts with "wt: ", and is safe to send
// to the client as the "failure reason" of a failure message (see
// FailureReason and AppendFailure). Values are the package-level sentinels
// below; they are immutable and safe for concurrent use. Nothing is
// formatted per message.
type Error struct {
	msg string
}

// Error returns the message, for example "wt: invalid info_hash".
func (e *Error) Error() string { return e.msg }

// Sentinels returned by Request.Parse. When a message breaks several rules,
// Parse picks one by a fixed order (see Request.Parse), not by where the
// members are, so the reason does not depend on the order of the members.
// Cited files are bittorrent-tracker's (see the package doc).
var (
	// ErrJSON means the message is not one well-formed JSON object in UTF-8
	// (RFC 8259): a syntax error, a raw control character or invalid UTF-8
	// in a string, a bad escape, trailing bytes, or a top-level value that
	// is not an object. The reference answers a message that JSON.parse
	// rejects with a bare failure reason (lib/server/parse-websocket.js:7,
	// server.js:474-476).
	ErrJSON error = &Error{msg: "wt: invalid JSON"}

	// ErrTooDeep means objects and arrays nest deeper than MaxDepth.
	ErrTooDeep error = &Error{msg: "wt: JSON nested too deep"}

	// ErrAction means "action" is missing or is not the string "announce" or
	// "scrape" (parse-websocket.js:11,39,52).
	ErrAction error = &Error{msg: "wt: invalid action"}

	// ErrInfoHash means an announce's "info_hash" is not a binary string of
	// 20 characters, or a scrape's "info_hash" is neither such a string nor
	// a non-empty array of them (parse-websocket.js:14,45).
	ErrInfoHash error = &Error{msg: "wt: invalid info_hash"}

	// ErrTooManyHashes means a scrape's "info_hash" array holds more than
	// MaxScrapeHashes entries.
	ErrTooManyHashes error = &Error{msg: "wt: too many info_hash values"}

	// ErrPeerID means an announce's "peer_id" is missing or is not a binary
	// string of 20 characters (parse-websocket.js:19).
	ErrPeerID error = &Error{msg: "wt: invalid peer_id"}

	// ErrNumber means "uploaded", "downloaded", "left" or "numwant" is not
	// null and not a non-negative integer that fits an int64 ("numwant": an
	// int32).
	ErrNumber error = &Error{msg: "wt: invalid uploaded, downloaded, left or numwant"}

	// ErrEvent means "event" is not null, "", "started", "stopped",
	// "completed", "update", "paused" or "empty" (lib/server/swarm.js:43-56,
	// server.js:672).
	ErrEvent error = &Error{msg: "wt: invalid event"}

	// ErrOffers means "offers" is not null and not an array of objects each
	// carrying an "offer" object.
	ErrOffers error = &Error{msg: "wt: invalid offers"}

	// ErrOfferID means an offer in "offers", or an announce carrying an
	// "answer", lacks an "offer_id" that is a binary string of 20
	// characters.
	ErrOfferID error = &Error{msg: "wt: invalid offer_id"}

	// ErrAnswer means "answer" is neither null nor an object.
	ErrAnswer error = &Error{msg: "wt: invalid answer"}

	// ErrToPeerID means an announce carrying an "answer" lacks a "to_peer_id"
	// that is a binary string of 20 characters (parse-websocket.js:24-29).
	ErrToPeerID error = &Error{msg: "wt: invalid to_peer_id (required with answer)"}
)

// internalFailure is what FailureReason sends for errors that are not the
// client's fault, so internal details never reach the wire (STYLE §7).
const internalFailure = "internal error"

// FailureReason returns the text to send as the "failure reason" of a
// failure message for err: the sentinel's own text for an *Error (also when
// wrapped), "internal error" for any other non-nil error, and "" for nil.
// It does not allocate when err is a sentinel.
func FailureReason(err error) string {
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
	return internalFailure
}
