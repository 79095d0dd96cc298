package httpq

import "bytes"

// headerState carries what one head's header lines have said so far, for
// the checks that span lines. It lives on Parse's stack.
type headerState struct {
	host      bool // a Host line was seen (a second one is ErrBadHost)
	close     bool // a Connection token "close"
	keepAlive bool // a Connection token "keep-alive"
	clSeen    bool // a Content-Length value was seen
}

// parseHeader parses one header line, "field-name: OWS field-value OWS"
// (RFC 9112 §5), without its line ending, and stores the fields trackerd
// uses. Names are matched case-insensitively by length and then byte by byte
// through the lower table, so no header costs an allocation or a map lookup.
func (r *Request) parseHeader(line []byte, h *headerState) error {
	// The name is a token ending at the colon: this one scan rejects an
	// empty name, whitespace before the colon and a line that starts with
	// whitespace (obs-fold, RFC 9112 §5.2).
	i := 0
	for i < len(line) && class[line[i]]&classToken != 0 {
		i++
	}
	if i == 0 || i == len(line) || line[i] != ':' {
		return ErrBadHeader
	}
	name, v := line[:i], line[i+1:]
	if !validValue(v) { // CTLs, including a bare CR or NUL
		return ErrBadHeader
	}
	v = trimOWS(v)

	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			if h.host {
				return ErrBadHost
			}
			h.host = true
			r.Host = v
		}
	case 7:
		if equalFold(name, "upgrade") {
			r.Upgrade = v
		}
	case 9:
		if equalFold(name, "x-real-ip") {
			r.XRealIP = v
		}
	case 10:
		if equalFold(name, "connection") {
			r.parseConnection(v, h)
		}
	case 14:
		if equalFold(name, "content-length") {
			return r.parseContentLength(v, h)
		}
	case 15:
		if equalFold(name, "x-forwarded-for") {
			r.XForwardedFor = v
			r.NXForwardedFor++
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			return ErrTransferEncoding
		}
		if equalFold(name, "sec-websocket-key") {
			r.SecWebSocketKey = v
		}
	case 21:
		if equalFold(name, "sec-websocket-version") {
			r.SecWebSocketVersion = v
		}
	case 24:
		if equalFold(name, "sec-websocket-extensions") {
			r.SecWebSocketExtensions = v
		}
	}
	return nil
}

// parseConnection reads the comma-separated connection options
// (RFC 9110 §7.6.1); several Connection lines add up.
func (r *Request) parseConnection(v []byte, h *headerState) {
	for len(v) > 0 {
		tok := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		tok = trimOWS(tok)
		switch len(tok) {
		case 5:
			if equalFold(tok, "close") {
				h.close = true
			}
		case 7:
			if equalFold(tok, "upgrade") {
				r.ConnectionUpgrade = true
			}
		case 10:
			if equalFold(tok, "keep-alive") {
				h.keepAlive = true
			}
		}
	}
}

// parseContentLength reads Content-Length = 1*DIGIT. RFC 9110 §8.6 lets a
// recipient accept a list of identical values ("5, 5", or the same value on
// two lines, as some proxies produce); anything else ambiguous is an error
// (RFC 9112 §6.3), because a wrong body length desynchronises the stream.
func (r *Request) parseContentLength(v []byte, h *headerState) error {
	for {
		elem := v
		i := bytes.IndexByte(v, ',')
		if i >= 0 {
			elem, v = v[:i], v[i+1:]
		}
		elem = trimOWS(elem)
		if len(elem) == 0 {
			return ErrBadContentLength
		}
		var n int64
		for _, c := range elem {
			d := c - '0'
			if d > 9 {
				return ErrBadContentLength
			}
			if n > (maxInt64-int64(d))/10 {
				return ErrBadContentLength
			}
			n = n*10 + int64(d)
		}
		if h.clSeen && n != r.ContentLength {
			return ErrBadContentLength
		}
		h.clSeen = true
		r.ContentLength = n
		if i < 0 {
			return nil
		}
	}
}

const maxInt64 = 1<<63 - 1

// trimOWS removes optional whitespace (SP and HTAB, RFC 9110 §5.6.3) from
// both ends of v.
func trimOWS(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
