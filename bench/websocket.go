package bench

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// A small WebSocket client (RFC 6455): the opening handshake, masked text
// frames out, unmasked frames in, fragmented messages, ping and close. No
// extensions: permessage-deflate is not offered.

// WebSocket opcodes (RFC 6455 §5.2).
const (
	wsContinuation = 0x0
	wsText         = 0x1
	wsBinary       = 0x2
	wsClose        = 0x8
	wsPing         = 0x9
	wsPong         = 0xA
)

// maxWSMessage bounds a received message; WebTorrent messages are a few
// kilobytes at most.
const maxWSMessage = 1 << 20

// wsGUID is the key suffix of RFC 6455 §1.3.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

var (
	errWSHandshake = errors.New("bench: WebSocket upgrade refused")
	errWSFrame     = errors.New("bench: malformed WebSocket frame")
	errWSClosed    = errors.New("bench: WebSocket closed by the server")
)

// wsConn is the client end of one WebSocket connection, owned by one
// goroutine. Frames written are queued and sent together just before a
// read has to wait for the server (flushingReader), as a browser's event
// loop answers every message of one read before it writes: one write(2)
// per message would cost the generator, and the tracker's receive path on
// loopback, more than the messages themselves.
type wsConn struct {
	c   net.Conn
	br  *bufio.Reader
	rng *rand.Rand
	out []byte // frames queued, not yet written
	msg []byte // message being reassembled; returned by readMessage
}

// maxQueued is how many bytes of frames wsConn queues before it writes
// without waiting for a read.
const maxQueued = 64 << 10

// flushingReader reads the connection for bufio, writing the queued
// frames first.
type flushingReader struct{ w *wsConn }

func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.w.flush(); err != nil {
		return 0, err
	}
	return f.w.c.Read(p)
}

// flush writes the queued frames.
func (w *wsConn) flush() error {
	if len(w.out) == 0 {
		return nil
	}
	_, err := w.c.Write(w.out)
	w.out = w.out[:0]
	return err
}

// dialWS opens a TCP connection from src to target and upgrades it on path.
func dialWS(target netip.AddrPort, src netip.Addr, path string, timeout time.Duration, rng *rand.Rand) (*wsConn, error) {
	d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: src.AsSlice()}}
	c, err := d.Dial("tcp", target.String())
	if err != nil {
		return nil, err
	}
	w := &wsConn{c: c, rng: rng}
	w.br = bufio.NewReaderSize(flushingReader{w}, 8192)
	var key [16]byte
	binary.LittleEndian.PutUint64(key[:], rng.Uint64())
	binary.LittleEndian.PutUint64(key[8:], rng.Uint64())
	k := base64.StdEncoding.EncodeToString(key[:])
	req := "GET " + path + " HTTP/1.1\r\nHost: " + target.String() +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + k +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	if err := readUpgrade(w.br, wsAccept(k)); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return w, nil
}

// wsAccept returns the Sec-WebSocket-Accept value for key (RFC 6455 §4.2.2).
func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// readUpgrade reads the server's handshake reply: 101 and the right accept.
func readUpgrade(br *bufio.Reader, accept string) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 101")) {
		return errors.Join(errWSHandshake, errors.New(strconv.Quote(string(bytes.TrimSpace(line)))))
	}
	ok := false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if bytes.EqualFold(name, []byte("Sec-WebSocket-Accept")) && string(bytes.TrimSpace(value)) == accept {
			ok = true
		}
	}
	if !ok {
		return errors.Join(errWSHandshake, errors.New("wrong Sec-WebSocket-Accept"))
	}
	return nil
}

// appendFrame appends one final client frame: opcode, the mask bit and key,
// and payload masked with key (RFC 6455 §5.2, §5.3).
func appendFrame(dst []byte, opcode byte, payload []byte, key [4]byte) []byte {
	dst = append(dst, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, 0x80|byte(n))
	case n < 1<<16:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, key[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	for i := range payload {
		dst[start+i] ^= key[i&3]
	}
	return dst
}

// writeMessage queues payload as one frame; it is written before the next
// read waits, or now when maxQueued bytes are waiting.
func (w *wsConn) writeMessage(opcode byte, payload []byte) error {
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], w.rng.Uint32())
	w.out = appendFrame(w.out, opcode, payload, key)
	if len(w.out) >= maxQueued {
		return w.flush()
	}
	return nil
}

// readFrameHeader reads a server frame's header: FIN, opcode and payload
// length. Server frames must not be masked (RFC 6455 §5.1).
func readFrameHeader(br *bufio.Reader) (fin bool, opcode byte, n int, err error) {
	var h [2]byte
	if _, err = io.ReadFull(br, h[:]); err != nil {
		return
	}
	fin, opcode = h[0]&0x80 != 0, h[0]&0x0f
	if h[0]&0x70 != 0 || h[1]&0x80 != 0 { // reserved bits, or masked
		return fin, opcode, 0, errWSFrame
	}
	n = int(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(br, b[:]); err != nil {
			return
		}
		n = int(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(br, b[:]); err != nil {
			return
		}
		v := binary.BigEndian.Uint64(b[:])
		if v > maxWSMessage {
			return fin, opcode, 0, errWSFrame
		}
		n = int(v)
	}
	if opcode >= wsClose && (n > 125 || !fin) { // control frames (§5.5)
		return fin, opcode, 0, errWSFrame
	}
	return fin, opcode, n, nil
}

// readMessage returns the next text or binary message, answering pings on
// the way. The result aliases w and is valid until the next readMessage.
func (w *wsConn) readMessage() ([]byte, error) {
	w.msg = w.msg[:0]
	inMessage := false
	for {
		fin, op, n, err := readFrameHeader(w.br)
		if err != nil {
			return nil, err
		}
		if len(w.msg)+n > maxWSMessage {
			return nil, errWSFrame
		}
		start := len(w.msg)
		w.msg = append(w.msg, make([]byte, n)...)
		if _, err := io.ReadFull(w.br, w.msg[start:]); err != nil {
			return nil, err
		}
		switch op {
		case wsPing:
			payload := append([]byte(nil), w.msg[start:]...)
			w.msg = w.msg[:start]
			if err := w.writeMessage(wsPong, payload); err != nil {
				return nil, err
			}
			continue
		case wsPong:
			w.msg = w.msg[:start]
			continue
		case wsClose:
			return nil, errWSClosed
		case wsText, wsBinary:
			if inMessage {
				return nil, errWSFrame
			}
			inMessage = true
		case wsContinuation:
			if !inMessage {
				return nil, errWSFrame
			}
		default:
			return nil, errWSFrame
		}
		if fin {
			return w.msg, nil
		}
	}
}

func (w *wsConn) close() { w.c.Close() }
