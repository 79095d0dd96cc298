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

	"github.com/gobwas/ws"
)

// A small WebSocket client (RFC 6455): the opening handshake here, masked
// frames out and unmasked frames in, fragmented messages, ping and close
// in wsloop.go. No extensions: permessage-deflate is not offered.

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

// wsConn is a connection dialWS has upgraded; takeWS hands its socket to a
// wsLoop.
type wsConn struct {
	c   net.Conn
	br  *bufio.Reader // may hold bytes read past the handshake
	rng *rand.Rand
}

// dialWS opens a TCP connection from src to target and upgrades it on path.
func dialWS(target netip.AddrPort, src netip.Addr, path string, timeout time.Duration, rng *rand.Rand) (*wsConn, error) {
	d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: src.AsSlice()}}
	c, err := d.Dial("tcp", target.String())
	if err != nil {
		return nil, err
	}
	w := &wsConn{c: c, br: bufio.NewReaderSize(c, 4096), rng: rng}
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
	ws.Cipher(dst[start:], key, 0) // with AVX2 where there is
	return dst
}

func (w *wsConn) close() { w.c.Close() }
