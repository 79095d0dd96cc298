package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// A small HTTP/1.1 client side on raw TCP: request lines are appended by
// hand and responses are framed by Content-Length, chunked encoding or the
// end of the connection. Nothing from net/http: its client would cost the
// generator more CPU than some trackers spend per request.

// maxBody bounds a response body; tracker replies are a few hundred bytes.
const maxBody = 1 << 20

var (
	errHTTPStatusLine = errors.New("bench: malformed HTTP status line")
	errHTTPHeader     = errors.New("bench: malformed HTTP header")
	errHTTPBody       = errors.New("bench: malformed or oversize HTTP body")
)

// httpReply is one HTTP response. body aliases the buffer passed to
// readReply and is valid until that buffer is reused.
type httpReply struct {
	status int
	body   []byte
	close  bool // the server closes the connection after this response
}

// readReply reads one response from br, with its body appended to buf[:0].
// It returns io.EOF only if the connection ended before the first byte of
// the response (a closed keep-alive connection), io.ErrUnexpectedEOF if it
// ended within it.
func readReply(br *bufio.Reader, buf []byte) (httpReply, error) {
	var r httpReply
	line, err := br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF && len(line) == 0 {
			return r, io.EOF
		}
		return r, unexpected(err)
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return r, errHTTPStatusLine
	}
	http10 := line[7] == '0'
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return r, errHTTPStatusLine
	}
	r.status = code
	r.close = http10
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return r, unexpected(err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return r, errHTTPHeader
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > maxBody {
				return r, errHTTPHeader
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				r.close = true
			} else if bytes.EqualFold(value, []byte("keep-alive")) {
				r.close = false
			}
		}
	}
	switch {
	case chunked:
		r.body, err = readChunked(br, buf[:0])
	case length >= 0:
		r.body, err = readN(br, buf[:0], length)
	default: // no length: the body ends with the connection
		r.close = true
		r.body, err = readAll(br, buf[:0])
	}
	return r, err
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readN appends exactly n bytes from br to dst.
func readN(br *bufio.Reader, dst []byte, n int) ([]byte, error) {
	if cap(dst) < n {
		dst = make([]byte, 0, n)
	}
	dst = dst[:n]
	_, err := io.ReadFull(br, dst)
	return dst, unexpected(err)
}

// readAll appends everything up to the end of the connection.
func readAll(br *bufio.Reader, dst []byte) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			if len(dst) >= maxBody {
				return dst, errHTTPBody
			}
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := br.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// readChunked appends a chunked body (RFC 9112 §7.1); trailers are skipped.
func readChunked(br *bufio.Reader, dst []byte) ([]byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return dst, unexpected(err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || len(dst)+int(n) > maxBody {
			return dst, errHTTPBody
		}
		if n == 0 {
			for { // trailers, then the empty line
				line, err = br.ReadSlice('\n')
				if err != nil {
					return dst, unexpected(err)
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return dst, nil
				}
			}
		}
		start := len(dst)
		dst = append(dst, make([]byte, n)...)
		if _, err := io.ReadFull(br, dst[start:]); err != nil {
			return dst, unexpected(err)
		}
		if _, err := br.Discard(2); err != nil { // CRLF after the data
			return dst, unexpected(err)
		}
	}
}

// unreserved marks the bytes a query may carry unescaped (RFC 3986 §2.3).
var unreserved = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~" {
		t[c] = true
	}
	return t
}()

// appendEscaped appends b percent-encoded for a query value: how clients
// send the raw 20 bytes of info_hash and peer_id.
func appendEscaped(dst, b []byte) []byte {
	const hexDigits = "0123456789ABCDEF"
	for _, c := range b {
		if unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// appendAnnounceRequest appends a GET /announce request line and headers.
func appendAnnounceRequest(dst []byte, host string, ih, peerID *[20]byte, port uint16, left uint64, event string, numWant int, keepAlive bool) []byte {
	dst = append(dst, "GET /announce?info_hash="...)
	dst = appendEscaped(dst, ih[:])
	dst = append(dst, "&peer_id="...)
	dst = appendEscaped(dst, peerID[:])
	dst = append(dst, "&port="...)
	dst = strconv.AppendUint(dst, uint64(port), 10)
	dst = append(dst, "&uploaded=0&downloaded=0&left="...)
	dst = strconv.AppendUint(dst, left, 10)
	if event != "" {
		dst = append(dst, "&event="...)
		dst = append(dst, event...)
	}
	dst = append(dst, "&numwant="...)
	dst = strconv.AppendInt(dst, int64(numWant), 10)
	dst = append(dst, "&compact=1 HTTP/1.1\r\nHost: "...)
	return appendRequestEnd(dst, host, keepAlive)
}

// appendScrapeRequest appends a GET /scrape request for hashes.
func appendScrapeRequest(dst []byte, host string, hashes [][20]byte, keepAlive bool) []byte {
	dst = append(dst, "GET /scrape"...)
	for i := range hashes {
		if i == 0 {
			dst = append(dst, "?info_hash="...)
		} else {
			dst = append(dst, "&info_hash="...)
		}
		dst = appendEscaped(dst, hashes[i][:])
	}
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	return appendRequestEnd(dst, host, keepAlive)
}

func appendRequestEnd(dst []byte, host string, keepAlive bool) []byte {
	dst = append(dst, host...)
	dst = append(dst, "\r\nUser-Agent: trackerbench\r\n"...)
	if !keepAlive {
		dst = append(dst, "Connection: close\r\n"...)
	}
	return append(dst, "\r\n"...)
}
