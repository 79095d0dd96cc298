package bench

import (
	"bytes"
	"net"
	"strconv"
)

// ceilingAnnounceBody is the HTTP ceiling's only reply: a valid, empty
// compact announce reply (BEP 3, 23), keys in sorted order.
const ceilingAnnounceBody = "d8:completei0e10:incompletei0e8:intervali1800e12:min intervali900e5:peers0:e"

// ceilingResponse is the whole HTTP response to every request.
var ceilingResponse = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
	strconv.Itoa(len(ceilingAnnounceBody)) + "\r\n\r\n" + ceilingAnnounceBody)

// ceilingCloseResponse is ceilingResponse for a client that asked to close.
var ceilingCloseResponse = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
	strconv.Itoa(len(ceilingAnnounceBody)) + "\r\n\r\n" + ceilingAnnounceBody)

// ServeHTTPCeiling serves the HTTP ceiling on addr: every request, whatever
// its path, gets the same fixed announce reply, on keep-alive connections
// (pipelined requests are answered with one write). It parses no query and
// keeps no state, to show what the machine and the generator allow for
// HTTP. It uses the standard library's network poller, one goroutine per
// connection; it serves until the process is killed, or returns the
// listener's error.
func ServeHTTPCeiling(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveCeilingConn(c)
	}
}

// serveCeilingConn answers the requests of one connection until it closes.
func serveCeilingConn(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 0, 16<<10)
	out := make([]byte, 0, 4<<10)
	for {
		if len(buf) == cap(buf) {
			return // a 16 KiB request head: not a tracker client
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		if n == 0 || err != nil {
			return
		}
		buf = buf[:len(buf)+n]
		out = out[:0]
		closing := false
		for {
			end := bytes.Index(buf, []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			closing = wantsClose(buf[:end])
			rest := copy(buf, buf[end+4:]) // the next pipelined request, if any
			buf = buf[:rest]
			if closing {
				out = append(out, ceilingCloseResponse...)
				break
			}
			out = append(out, ceilingResponse...)
		}
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
		if closing {
			return
		}
	}
}

// wantsClose reports whether a request head asks to close the connection
// (HTTP/1.0, or "Connection: close").
func wantsClose(head []byte) bool {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if bytes.HasSuffix(line, []byte("HTTP/1.0")) {
		return true
	}
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Connection")) &&
			bytes.EqualFold(bytes.TrimSpace(value), []byte("close")) {
			return true
		}
	}
	return false
}
