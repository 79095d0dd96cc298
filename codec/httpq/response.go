package httpq

import "strconv"

// AppendResponseHead appends a response head to dst and returns the extended
// slice:
//
//	HTTP/1.1 <status> <reason>\r\n
//	[Allow: GET, HEAD\r\n]             status 405 only (RFC 9110 §15.5.6)
//	[Content-Type: <contentType>\r\n]  if contentType != ""
//	Content-Length: <contentLength>\r\n
//	[Connection: close\r\n]            if !keepAlive
//	\r\n
//
// Content-Length is always sent (omitted only for 1xx and 204, where RFC 9110
// §8.6 forbids it), so the client can find the end of the body on a
// persistent connection; for a HEAD request pass the length the GET body
// would have and send no body. With keepAlive false, the engine closes the
// connection once the response is written. To answer an HTTP/1.0 keep-alive
// client, use Request.AppendResponseHead, which adds "Connection:
// keep-alive".
//
// There is no Date or Server header. RFC 9110 §6.6.1 asks an origin server
// with a clock for Date, but no tracker client reads it (tracker replies are
// never cached, and intervals are relative), opentracker omits it, and it
// would cost a formatted clock per response and 37 bytes on the wire; Server
// only tells scanners what to attack.
//
// contentType is written as is: pass a constant such as "text/plain". The
// status must be 100..999 and contentLength >= 0 (0 for 1xx and 204): other
// values are programmer bugs and panic. AppendResponseHead allocates only
// when dst lacks capacity (about 90 bytes).
func AppendResponseHead(dst []byte, status int, contentType string, contentLength int, keepAlive bool) []byte {
	connection := ""
	if !keepAlive {
		connection = "Connection: close\r\n"
	}
	return appendResponseHead(dst, status, contentType, contentLength, connection)
}

// AppendResponseHead appends a response head for r, as the package-level
// AppendResponseHead with keepAlive = r.KeepAlive, and for an HTTP/1.0
// client that asked for keep-alive it adds "Connection: keep-alive": without
// it an HTTP/1.0 client assumes the server will close (RFC 9112 §C.2.2). It
// reads only r.Minor and r.KeepAlive, so it may be called after the head's
// bytes were discarded.
func (r *Request) AppendResponseHead(dst []byte, status int, contentType string, contentLength int) []byte {
	connection := "Connection: close\r\n"
	if r.KeepAlive {
		connection = ""
		if r.Minor == 0 {
			connection = "Connection: keep-alive\r\n"
		}
	}
	return appendResponseHead(dst, status, contentType, contentLength, connection)
}

func appendResponseHead(dst []byte, status int, contentType string, contentLength int, connection string) []byte {
	if status < 100 || status > 999 {
		panic("BUG: httpq: response status out of range")
	}
	noLength := status < 200 || status == 204
	if contentLength < 0 || (noLength && contentLength != 0) {
		panic("BUG: httpq: bad response content length")
	}
	if line := statusLine(status); line != "" {
		dst = append(dst, line...)
	} else {
		// RFC 9112 §4: the reason phrase may be empty, the SP before it not.
		dst = append(dst, "HTTP/1.1 "...)
		dst = strconv.AppendUint(dst, uint64(status), 10)
		dst = append(dst, " \r\n"...)
	}
	if status == 405 {
		dst = append(dst, "Allow: GET, HEAD\r\n"...)
	}
	if contentType != "" {
		dst = append(dst, "Content-Type: "...)
		dst = append(dst, contentType...)
		dst = append(dst, "\r\n"...)
	}
	if !noLength {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendUint(dst, uint64(contentLength), 10)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, connection...)
	return append(dst, "\r\n"...)
}

// statusLine returns the whole status line for the statuses a tracker
// sends, or "" for others. Reason phrases are RFC 9110 §15's.
func statusLine(status int) string {
	switch status {
	case 101:
		return "HTTP/1.1 101 Switching Protocols\r\n"
	case 200:
		return "HTTP/1.1 200 OK\r\n"
	case 204:
		return "HTTP/1.1 204 No Content\r\n"
	case 301:
		return "HTTP/1.1 301 Moved Permanently\r\n"
	case 302:
		return "HTTP/1.1 302 Found\r\n"
	case 400:
		return "HTTP/1.1 400 Bad Request\r\n"
	case 403:
		return "HTTP/1.1 403 Forbidden\r\n"
	case 404:
		return "HTTP/1.1 404 Not Found\r\n"
	case 405:
		return "HTTP/1.1 405 Method Not Allowed\r\n"
	case 408:
		return "HTTP/1.1 408 Request Timeout\r\n"
	case 413:
		return "HTTP/1.1 413 Content Too Large\r\n"
	case 414:
		return "HTTP/1.1 414 URI Too Long\r\n"
	case 426:
		return "HTTP/1.1 426 Upgrade Required\r\n"
	case 429:
		return "HTTP/1.1 429 Too Many Requests\r\n"
	case 431:
		return "HTTP/1.1 431 Request Header Fields Too Large\r\n"
	case 500:
		return "HTTP/1.1 500 Internal Server Error\r\n"
	case 501:
		return "HTTP/1.1 501 Not Implemented\r\n"
	case 503:
		return "HTTP/1.1 503 Service Unavailable\r\n"
	case 505:
		return "HTTP/1.1 505 HTTP Version Not Supported\r\n"
	}
	return ""
}
