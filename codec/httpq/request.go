package httpq

import "bytes"

// Default limits (see Limits). A tracker request head is a few hundred bytes:
// the captured qBittorrent, Transmission and aria2 announces in testdata are
// 340 to 380 bytes, their request lines under 300.
const (
	// MaxRequestLine bounds the request line, including its line ending.
	// A longer line is ErrURITooLong (414).
	MaxRequestLine = 8 << 10

	// MaxHeaderBytes bounds the header section: every header line with its
	// line ending, plus the empty line that ends the head. A longer section
	// is ErrHeaderTooLarge (431).
	MaxHeaderBytes = 16 << 10

	// MaxHeaderLines bounds the number of header lines (Apache's
	// LimitRequestFields default); more is ErrHeaderTooLarge (431). Tracker
	// clients send under 10 and browsers about 20. The bound also caps the
	// line scans a partial head costs (see ParseLimits).
	MaxHeaderLines = 100
)

// Limits bounds what Request.ParseLimits accepts. A zero or negative field
// means the default (MaxRequestLine, MaxHeaderBytes, MaxHeaderLines). A head
// is therefore at most RequestLine+HeaderBytes bytes (plus one skipped empty
// line), which is also the most a connection's inbound buffer must hold
// before Parse gives an answer other than ErrNeedMore. Limits is a plain
// value, safe to copy and share.
type Limits struct {
	RequestLine int // bytes, including the line ending
	HeaderBytes int // bytes, including the final empty line
	HeaderLines int // header lines, not counting the final empty line
}

// Method is the request method. Only GET and HEAD are served; every other
// valid method token is MethodOther (and ErrMethodNotAllowed). The zero
// Method means no request line was parsed. It is a plain value, safe to copy
// and share.
type Method uint8

// Methods. HTTP methods are case-sensitive (RFC 9110 §9.1): "get" is
// MethodOther.
const (
	// MethodGet is GET, the method of every announce and scrape.
	MethodGet Method = 1

	// MethodHead is HEAD: answer with the head a GET would get, no body.
	MethodHead Method = 2

	// MethodOther is any other valid method token (ErrMethodNotAllowed).
	MethodOther Method = 3
)

// String returns "GET", "HEAD", "OTHER" or "" for the zero Method.
func (m Method) String() string {
	switch m {
	case MethodGet:
		return "GET"
	case MethodHead:
		return "HEAD"
	case MethodOther:
		return "OTHER"
	}
	return ""
}

// rootPath is Request.Path for an absolute-form target without a path
// ("http://host" or "http://host?q"), which RFC 9110 §4.2.3 reads as "/".
// It is shared: callers must not write to Request.Path.
var rootPath = []byte{'/'}

// Request is one parsed HTTP/1.1 request head.
//
// Every slice aliases the buffer passed to Parse and is valid until the
// caller discards or overwrites those bytes (for gnet: until Discard, or
// until OnTraffic returns, whichever is first). Copy anything that must live
// longer. A nil slice means the header (or the query) was absent; Parse
// never sets a slice to point anywhere but into its input, except
// Path == "/" for an absolute-form target without a path (a shared,
// read-only slice).
//
// Parse overwrites every field. A Request is owned by one event loop; never
// share it. It is about 300 bytes: keep one per loop and reuse it.
type Request struct {
	Method Method

	// Minor is the HTTP/1.x minor version: 0 or 1. A higher minor version
	// (HTTP/1.2 to HTTP/1.9) is read as 1, as RFC 9110 §2.5 asks.
	Minor uint8

	// KeepAlive reports whether the connection stays open after the
	// response: for HTTP/1.1 unless a Connection header has the "close"
	// token; for HTTP/1.0 only if it has "keep-alive" and not "close"
	// (RFC 9112 §9.3).
	KeepAlive bool

	// ConnectionUpgrade reports whether a Connection header has the token
	// "upgrade" (case-insensitive, comma list), as a WebSocket handshake
	// requires (RFC 6455 §4.2.1).
	ConnectionUpgrade bool

	Target []byte // the raw request-target, as sent
	Path   []byte // Target before the first '?', raw (not unescaped); for an absolute-form GET or HEAD, from the first '/' after the authority
	Query  []byte // Target after the first '?', raw; nil if Target has no '?'

	// Host is the Host header's value with surrounding whitespace removed.
	// A second Host line is ErrBadHost. A missing Host is accepted even
	// with HTTP/1.1 (RFC 9112 §3.2 says 400): the tracker does not route by
	// host, and rejecting it would only break minimal clients.
	Host []byte

	// XForwardedFor is the value of the LAST X-Forwarded-For header line,
	// and NXForwardedFor counts the lines. Lines are not joined (that would
	// allocate). The rightmost entries are the ones added by the nearest
	// proxies, and a proxy that adds its own line (HAProxy's
	// "option forwardfor") or appends to the existing one (nginx's
	// $proxy_add_x_forwarded_for) puts its entry in the last line, so the
	// last line holds the rightmost untrusted entry whenever one trusted
	// proxy hop added it. With several trusted hops that each add a line,
	// the entry the engine wants may sit in an earlier, dropped line: the
	// engine must then refuse the request (NXForwardedFor > 1 and every
	// entry of the last line trusted) rather than trust a client-written
	// entry.
	XForwardedFor  []byte
	NXForwardedFor int

	XRealIP []byte // the last X-Real-IP line's value

	// The WebSocket handshake headers (RFC 6455 §4.2.1), last line of each.
	Upgrade, SecWebSocketKey, SecWebSocketVersion, SecWebSocketExtensions []byte

	// ContentLength is the Content-Length value, or -1 if absent. Repeated
	// equal values (also as a list, "5, 5") are one value; differing ones
	// are ErrBadContentLength (RFC 9112 §6.3). The body is not part of the
	// head: the engine must skip or refuse ContentLength bytes after
	// HeadLen before parsing the next request.
	ContentLength int64

	// HeadLen is the length of the head in bytes: the request line, the
	// headers and the empty line that ends them (plus one empty line
	// skipped before the request line, if any).
	HeadLen int
}

// Parse parses one request head at the start of b with the default Limits.
// See ParseLimits.
func (r *Request) Parse(b []byte) (int, error) {
	return r.ParseLimits(b, Limits{})
}

// ParseLimits parses one request head at the start of b. It returns the
// number of bytes the head used (== r.HeadLen) and a nil error, or 0 and an
// *Error sentinel. It does not allocate and keeps no reference to b beyond
// the slices it stores in r.
//
// Streaming: b may hold less than a head, exactly one, or several pipelined
// requests. ErrNeedMore means b is the incomplete start of a head that is
// still within the limits; nothing is consumed: call again with the same
// bytes plus whatever arrived since. On success the caller discards n bytes
// (and any body, see ContentLength) and calls again for the next request.
//
// A head is validated once it is complete: malformed lines are reported
// when the empty line that ends the head has arrived, the first one in the
// head winning. Two checks come earlier: the method token is checked as its
// bytes arrive (a TLS ClientHello or other binary junk on the port fails at
// once), and a limit reached before the line or head end is an error at
// once, so a connection that sends 256 KiB of URL or headers is refused
// after one limit's worth of bytes, whatever follows. Once Parse returns
// anything other than ErrNeedMore for a prefix of a stream, it returns the
// same for every longer prefix.
//
// Cost: Parse keeps no state between calls, so a head that arrives in k
// pieces is scanned k times. A partial head costs at most one IndexByte call
// per line (at most HeaderLines of them) plus the validation of 1 KiB or 32
// lines, not a full validation: about 1.5 µs at the limits whatever the line
// lengths (BenchmarkParsePartialLimit), so a client dripping a long head one
// byte per segment cannot make Parse much dearer than the segment's own
// read. The engine should call Parse only when new bytes arrived; its idle
// sweep bounds how long a slow client may keep a partial head.
//
// Line endings: CRLF, or a bare LF as RFC 9112 §2.2 allows and most servers
// accept (a trailing CR before the LF is dropped; a CR anywhere else in a
// line is an error). One empty line before the request line is skipped
// (RFC 9112 §2.2), which tolerates a client's stray CRLF after a body.
//
// On error the fields of r are unspecified, except after
// ErrMethodNotAllowed: the head was complete and valid, r is filled and
// r.HeadLen is its length. See the Err* sentinels for the statuses.
func (r *Request) ParseLimits(b []byte, lim Limits) (int, error) {
	lineMax, hdrMax, linesMax := lim.RequestLine, lim.HeaderBytes, lim.HeaderLines
	if lineMax <= 0 {
		lineMax = MaxRequestLine
	}
	if hdrMax <= 0 {
		hdrMax = MaxHeaderBytes
	}
	if linesMax <= 0 {
		linesMax = MaxHeaderLines
	}
	*r = Request{ContentLength: -1}

	// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF)
	// received prior to the request-line.
	start := 0
	if len(b) > 0 {
		switch b[0] {
		case '\n':
			start = 1
		case '\r':
			if len(b) == 1 {
				return 0, ErrNeedMore
			}
			if b[1] == '\n' {
				start = 2
			}
		}
	}

	line := b[start:]
	if len(line) > lineMax {
		line = line[:lineMax]
	}
	// Check the method now: binary junk (a TLS ClientHello on the
	// plain-text port) is refused at once, not after 8 KiB or a timeout.
	if !validMethodPrefix(line) {
		return 0, ErrBadRequestLine
	}
	i := bytes.IndexByte(line, '\n')
	if i < 0 {
		if len(line) == lineMax {
			return 0, ErrURITooLong
		}
		return 0, ErrNeedMore
	}
	reqLine := trimCR(line[:i])
	pos := start + i + 1

	hb := b[pos:]
	full := len(hb) >= hdrMax
	if full {
		hb = hb[:hdrMax]
	}
	var h headerState
	var err error // the first malformed header line, reported once the head is complete
	off, lines := 0, 0
	endKnown := false
	for {
		j := bytes.IndexByte(hb[off:], '\n')
		if j < 0 {
			return 0, incomplete(full)
		}
		hl := trimCR(hb[off : off+j])
		off += j + 1
		if len(hl) == 0 {
			break
		}
		if lines++; lines > linesMax {
			return 0, ErrHeaderTooLarge
		}
		if !endKnown && (off > validateBudget || lines > validateLines) {
			// A long head: make sure it is complete before validating
			// more of it (see the Cost paragraph above).
			if end, tooMany := headEnds(hb[off:], linesMax-lines); tooMany {
				return 0, ErrHeaderTooLarge
			} else if !end {
				return 0, incomplete(full)
			}
			endKnown = true
		}
		if err == nil {
			err = r.parseHeader(hl, &h)
		}
	}
	// The request line comes first in the head, so its error wins.
	if rerr := r.parseRequestLine(reqLine); rerr != nil {
		return 0, rerr
	}
	if err != nil {
		return 0, err
	}

	// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with
	// "keep-alive". "close" wins when both are present.
	if r.Minor == 0 {
		r.KeepAlive = h.keepAlive && !h.close
	} else {
		r.KeepAlive = !h.close
	}
	r.HeadLen = pos + off
	if r.Method == MethodOther {
		return 0, ErrMethodNotAllowed
	}
	return r.HeadLen, nil
}

// validateBudget and validateLines bound the header bytes and lines Parse
// validates before it checks that the head is complete. Real heads are a
// few hundred bytes in under 20 lines, so they are parsed in one pass; a
// longer head costs one extra scan (headEnds).
const (
	validateBudget = 1 << 10
	validateLines  = 32
)

// incomplete is the answer for a head whose end is not in the buffer: wait,
// unless the header window is already full.
func incomplete(full bool) error {
	if full {
		return ErrHeaderTooLarge
	}
	return ErrNeedMore
}

// headEnds scans the complete lines of hb, which starts at the beginning of
// a header line: end reports that one of them is the empty line that ends
// the head, tooMany that more than maxLines header lines come first.
func headEnds(hb []byte, maxLines int) (end, tooMany bool) {
	for n := 0; ; n++ {
		j := bytes.IndexByte(hb, '\n')
		if j < 0 {
			return false, false
		}
		if j == 0 || (j == 1 && hb[0] == '\r') {
			return true, false
		}
		if n == maxLines {
			return false, true
		}
		hb = hb[j+1:]
	}
}

// validMethodPrefix reports whether p, the start of a request line (or the
// whole line), can still begin a valid one: token bytes up to the first SP,
// and at least one of them if there is a SP. Every line it rejects is one
// parseRequestLine rejects with the same ErrBadRequestLine, so a prefix and
// the whole head get the same error.
func validMethodPrefix(p []byte) bool {
	for i, c := range p {
		if c == ' ' {
			return i > 0
		}
		if class[c]&classToken == 0 {
			return false
		}
	}
	return true
}

// trimCR drops one trailing CR: the line ended in CRLF.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// parseRequestLine parses "METHOD SP request-target SP HTTP-version"
// (RFC 9112 §3), without its line ending.
func (r *Request) parseRequestLine(line []byte) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return ErrBadRequestLine
	}
	method := line[:sp]
	for _, c := range method {
		if class[c]&classToken == 0 {
			return ErrBadRequestLine
		}
	}
	switch string(method) {
	case "GET":
		r.Method = MethodGet
	case "HEAD":
		r.Method = MethodHead
	default:
		r.Method = MethodOther
	}

	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 { // no version, or two SPs in a row (RFC 9112 §3: exactly one SP)
		return ErrBadRequestLine
	}
	target, version := rest[:sp], rest[sp+1:]

	// HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
	if len(version) != 8 || string(version[:7]) != "HTTP/1." || version[7] < '0' || version[7] > '9' {
		return ErrBadVersion
	}
	r.Minor = min(version[7]-'0', 1)

	return r.parseTarget(target)
}

// parseTarget checks and splits the request-target (RFC 9112 §3.2).
func (r *Request) parseTarget(t []byte) error {
	if !validTarget(t) {
		return ErrBadTarget
	}
	r.Target = t
	path := t
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		path, r.Query = t[:q], t[q+1:]
	}
	switch {
	case len(path) > 0 && path[0] == '/': // origin-form, what clients send
		r.Path = path
	case r.Method == MethodOther:
		// Refused with 405 anyway: accept any form (asterisk-form for
		// OPTIONS, authority-form for CONNECT) rather than answer 400.
		r.Path = path
	case hasPrefixFold(path, "http://") || hasPrefixFold(path, "https://"):
		// absolute-form, which RFC 9112 §3.2.2 says a server MUST accept.
		rest := path[bytes.IndexByte(path, ':')+3:]
		slash := bytes.IndexByte(rest, '/')
		switch {
		case slash == 0 || len(rest) == 0: // no authority: "http:///x"
			return ErrBadTarget
		case slash < 0:
			r.Path = rootPath
		default:
			r.Path = rest[slash:]
		}
	default:
		return ErrBadTarget
	}
	return nil
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && equalFold(b[:len(prefix)], prefix)
}

// equalFold reports whether b equals the lower-case ASCII string s,
// ignoring case. It does not allocate.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(s) {
		if lower[b[i]] != s[i] {
			return false
		}
	}
	return true
}
