package httpq

import "errors"

// Error is a client error: the request's bytes broke HTTP/1.1 framing or the
// announce/scrape query rules. Its text is short, starts with "httpq: ", and
// is safe to send to the client (see ErrorMessage). Values are the
// package-level sentinels below; they are immutable and safe for concurrent
// use. Nothing is formatted per request.
type Error struct {
	msg    string
	status int
}

// Error returns the message, for example "httpq: bad info_hash".
func (e *Error) Error() string { return e.msg }

// Status returns the HTTP status code for e (see the package Status).
func (e *Error) Status() int { return e.status }

// ErrNeedMore is returned by Request.Parse when b holds the start of a head
// that is still within the limits: nothing was consumed; call Parse again
// once more bytes have arrived. It is not a client error (Status 0).
var ErrNeedMore error = &Error{msg: "httpq: need more data", status: 0}

// Framing errors, returned by Request.Parse. The engine answers them with a
// bare status response (AppendResponseHead with keepAlive false) and closes
// the connection: after a framing error it cannot know where the next
// request starts.
var (
	// ErrBadRequestLine means the request line is not
	// "METHOD SP request-target SP HTTP-version" (RFC 9112 §3): a method
	// that is not a token, a missing part, or extra whitespace. The method
	// is checked as soon as its bytes arrive, so a TLS ClientHello or other
	// binary junk fails at once instead of waiting for a line end.
	ErrBadRequestLine error = &Error{msg: "httpq: bad request line", status: 400}

	// ErrBadTarget means the request-target holds a control byte, or, for
	// GET and HEAD, is neither origin-form ("/path?query") nor absolute-form
	// ("http://host/path?query") (RFC 9112 §3.2). Other methods get
	// ErrMethodNotAllowed whatever their target's form.
	ErrBadTarget error = &Error{msg: "httpq: bad request target", status: 400}

	// ErrBadVersion means the HTTP-version is not HTTP/1.x with one digit x
	// (RFC 9112 §2.3): HTTP/2.0, HTTP/0.9, "http/1.1" and "HTTP/1.10" all
	// fail. Status 400 rather than 505: a client speaking another major
	// version over this connection cannot read our reply anyway.
	ErrBadVersion error = &Error{msg: "httpq: unsupported http version", status: 400}

	// ErrBadHeader means a header line is malformed (RFC 9112 §5): no colon,
	// an empty or non-token name, whitespace before the colon, a control
	// byte in the value, or a line starting with whitespace (obs-fold, which
	// RFC 9112 §5.2 lets a server reject; it is also the smuggling vector).
	ErrBadHeader error = &Error{msg: "httpq: bad header", status: 400}

	// ErrBadHost means the head has more than one Host header line. RFC 9112
	// §3.2 requires a 400: two Hosts are ambiguous, and two parsers picking
	// different ones is how request smuggling starts.
	ErrBadHost error = &Error{msg: "httpq: duplicate host header", status: 400}

	// ErrBadContentLength means a Content-Length value is not a decimal
	// number that fits an int64, or two values differ (RFC 9112 §6.3).
	ErrBadContentLength error = &Error{msg: "httpq: bad content-length", status: 400}

	// ErrTransferEncoding means the head has a Transfer-Encoding header.
	// Tracker requests are bodiless GETs and this parser decodes no transfer
	// coding, so the status is 501 as RFC 9112 §6.1 asks for a coding the
	// server does not understand; the body framing is then unknown, so the
	// engine must close the connection after answering.
	ErrTransferEncoding error = &Error{msg: "httpq: transfer-encoding not supported", status: 501}

	// ErrMethodNotAllowed means the method is a valid token other than GET or
	// HEAD. It is reported only once the whole head has parsed cleanly, so r
	// is filled and r.HeadLen is its length (AppendResponseHead adds the
	// Allow header RFC 9110 §15.5.6 requires).
	ErrMethodNotAllowed error = &Error{msg: "httpq: method not allowed", status: 405}

	// ErrURITooLong means the request line (with its line ending) is longer
	// than the request-line limit. It is returned as soon as that many
	// bytes have arrived without a line end.
	ErrURITooLong error = &Error{msg: "httpq: request line too long", status: 414}

	// ErrHeaderTooLarge means the header section (every header line and the
	// empty line that ends the head) is longer than the header limit, or has
	// more header lines than the line limit. It is returned as soon as that
	// many bytes or lines have arrived without the end of the head.
	ErrHeaderTooLarge error = &Error{msg: "httpq: header section too large", status: 431}
)

// Query errors, returned by Announce.ParseQuery and Scrape.ParseQuery. The
// request was well framed: BEP 3 clients show a tracker's "failure reason",
// so the engine answers HTTP 200 with a bencoded failure reason
// (ErrorMessage) and may keep the connection. Status returns 200 for them.
var (
	// ErrMissingInfoHash means an announce has no info_hash parameter.
	ErrMissingInfoHash error = &Error{msg: "httpq: missing info_hash", status: 200}

	// ErrBadInfoHash means an info_hash value does not decode to exactly
	// 20 bytes (or holds a bad percent-escape).
	ErrBadInfoHash error = &Error{msg: "httpq: bad info_hash", status: 200}

	// ErrMissingPeerID means an announce has no peer_id parameter.
	ErrMissingPeerID error = &Error{msg: "httpq: missing peer_id", status: 200}

	// ErrBadPeerID means a peer_id value does not decode to exactly 20 bytes.
	ErrBadPeerID error = &Error{msg: "httpq: bad peer_id", status: 200}

	// ErrBadPort means the port parameter is missing, 0, not a decimal
	// number, or above 65535.
	ErrBadPort error = &Error{msg: "httpq: bad port", status: 200}

	// ErrBadUploaded means uploaded is not a decimal uint64.
	ErrBadUploaded error = &Error{msg: "httpq: bad uploaded", status: 200}

	// ErrBadDownloaded means downloaded is not a decimal uint64.
	ErrBadDownloaded error = &Error{msg: "httpq: bad downloaded", status: 200}

	// ErrBadLeft means left is not a decimal uint64.
	ErrBadLeft error = &Error{msg: "httpq: bad left", status: 200}

	// ErrBadEvent means event is not started, completed, stopped, paused
	// (BEP 21), empty or the empty string. Values are case-sensitive.
	ErrBadEvent error = &Error{msg: "httpq: bad event", status: 200}

	// ErrBadCompact means compact is neither "0" nor "1" (BEP 23).
	ErrBadCompact error = &Error{msg: "httpq: bad compact", status: 200}

	// ErrBadNumWant means numwant is not a decimal int32 (a leading '-' is
	// allowed).
	ErrBadNumWant error = &Error{msg: "httpq: bad numwant", status: 200}

	// ErrBadKey means key decodes to more than MaxKey bytes or holds a bad
	// percent-escape.
	ErrBadKey error = &Error{msg: "httpq: bad key", status: 200}

	// ErrBadTrackerID means trackerid decodes to more than MaxTrackerID
	// bytes or holds a bad percent-escape.
	ErrBadTrackerID error = &Error{msg: "httpq: bad trackerid", status: 200}

	// ErrTooManyHashes means a scrape carries more than MaxScrapeHashes
	// info_hash parameters.
	ErrTooManyHashes error = &Error{msg: "httpq: too many info_hash", status: 200}
)

// internalErrorMessage is what ErrorMessage returns for errors that are not
// the client's fault, so internal details never reach the wire (STYLE §7).
const internalErrorMessage = "internal error"

// Status returns the HTTP status code to answer err with: 0 for ErrNeedMore
// (nothing to answer yet), 200 for nil and for the query errors (answer with
// a bencoded failure reason), the sentinel's 4xx/5xx status for framing
// errors (answer with a bare status and close the connection), and 500 for
// any error that is not an *Error. Wrapped sentinels are unwrapped. It does
// not allocate when err is a sentinel.
func Status(err error) int {
	if err == nil {
		return 200
	}
	if e, ok := err.(*Error); ok { // the hot path: a bare sentinel
		return e.status
	}
	var e *Error
	if errors.As(err, &e) {
		return e.status
	}
	return 500
}

// ErrorMessage returns the text to send for err, for example as a bencoded
// "failure reason": the sentinel's own text for an *Error (also when
// wrapped), "internal error" for any other non-nil error, and "" for nil. It
// does not allocate when err is a sentinel.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok {
		return e.msg
	}
	var e *Error
	if errors.As(err, &e) {
		return e.msg
	}
	return internalErrorMessage
}
