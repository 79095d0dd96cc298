package wt

//go:generate go run tables_gen.go

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays Parse accepts,
// counting the message object as 1: an offer object inside "offers" is at
// depth 4. WebRTC session descriptions are flat ({"type":..,"sdp":..}), so
// 32 leaves room for extensions while bounding the work and keeping the
// skipper's container stack in one machine word. (encoding/json allows
// 10000.) The bound matters beyond this parser: relayed offers and answers
// reach other peers' JSON parsers verbatim.
const MaxDepth = 32

// The message's own structure reaches depth 4 (an offer object), which the
// parser does not check; skipValue keeps one bit per open container in a
// uint64. This fails to compile if MaxDepth leaves that range.
const _ = uint(MaxDepth-4) + uint(64-MaxDepth)

// The scanner functions below take the message b and the index i of the
// first byte of a token, and return the index just after it. They validate
// RFC 8259 strictly (including UTF-8 inside strings, RFC 8259 §8.1, which
// a WebSocket text frame must carry anyway, RFC 6455 §8.1) and return only
// ErrJSON or ErrTooDeep. Nothing here allocates or recurses.

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace (RFC 8259 §2: space, tab, line feed, carriage return).
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString scans the string that starts with the quote at b[i]. It
// returns the index after the closing quote and whether the contents
// b[i+1:end-1] hold any escape (so decoders can take a fast path).
func scanString(b []byte, i int) (end int, esc bool, err error) {
	i++ // the opening quote
	for i < len(b) {
		// SDPs are hundreds of plain ASCII bytes: test 8 at a time. Long
		// plain runs scan 2.7x faster; real SDPs, whose \r\n escapes
		// come every ~40 bytes, about 10% (BenchmarkParseAnnounce10Offers).
		// A word that is not all plain says where its first other byte
		// is: the scan moves straight to it, the closing quote of most
		// strings, rather than byte by byte.
		for i+8 <= len(b) {
			m := notPlain8(binary.LittleEndian.Uint64(b[i:]))
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if plain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return 0, false, ErrJSON
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				// Any four hex digits: lone surrogates are valid JSON
				// text (RFC 8259 §8.2) and decode to U+FFFD in
				// encoding/json. They are never a binary character.
				if i+6 > len(b) || unhex[b[i+2]]|unhex[b[i+3]]|unhex[b[i+4]]|unhex[b[i+5]] > 0xf {
					return 0, false, ErrJSON
				}
				i += 6
			default:
				return 0, false, ErrJSON
			}
		case c < 0x20:
			return 0, false, ErrJSON // RFC 8259 §7: control characters must be escaped
		case c >= 0xc2 && c <= 0xdf && i+1 < len(b) && b[i+1]&0xc0 == 0x80:
			i += 2 // U+0080-U+07FF: binary characters 0x80-0xff are here
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, false, ErrJSON
			}
			i += size
		}
	}
	return 0, false, ErrJSON // unterminated
}

// notPlain8 returns the top bit of every byte of w that is not plain (see
// the plain table): below 0x20, '"', '\\' or 0x80 and above; 0 when all
// are. w itself flags a byte of 0x80 and above; among bytes below 0x80,
// x-n.. (n <= 0x80) flags the lowest byte below n, which nothing borrowed
// from, and '"' and '\\' are the zero bytes of w^'"'.. and w^'\\'... A
// borrow can flag a plain byte, but only above one that is not: the lowest
// flag is always exact (TestPlain8).
func notPlain8(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ones*'"'
	s := w ^ ones*'\\'
	return ((w - ones*0x20) | (q - ones) | (s - ones) | w) & highs
}

// scanNumber scans the number that starts at b[i] (RFC 8259 §6). v is its
// value and isInt is true when it is written as an integer (no fraction,
// no exponent) within ±math.MaxInt64; otherwise v is meaningless.
func scanNumber(b []byte, i int) (end int, v int64, isInt bool, err error) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	if i >= len(b) {
		return 0, 0, false, ErrJSON
	}
	var u uint64
	isInt = true
	switch c := b[i]; {
	case c == '0':
		i++ // no leading zeros: "01" ends the number after the 0
	case '1' <= c && c <= '9':
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			d := uint64(b[i] - '0')
			if u > (1<<63-1-d)/10 {
				isInt = false // keeps scanning: still valid JSON
			} else {
				u = u*10 + d
			}
		}
	default:
		return 0, 0, false, ErrJSON
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, 0, false, ErrJSON
		}
		isInt = false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, 0, false, ErrJSON
		}
		isInt = false
	}
	v = int64(u)
	if neg {
		v = -v
	}
	return i, v, isInt, nil
}

// scanLiteral scans lit ("true", "false" or "null") at b[i].
func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, ErrJSON
	}
	return i + len(lit), nil
}

// scanScalar scans a string, number or literal at b[i].
func scanScalar(b []byte, i int) (int, error) {
	var err error
	switch b[i] {
	case '"':
		i, _, err = scanString(b, i)
	case 't':
		i, err = scanLiteral(b, i, "true")
	case 'f':
		i, err = scanLiteral(b, i, "false")
	case 'n':
		i, err = scanLiteral(b, i, "null")
	default:
		i, _, _, err = scanNumber(b, i)
	}
	return i, err
}

// scanColon scans the member name at b[i] (after whitespace), the
// whitespace after it and the colon, and returns the index after the colon.
func scanColon(b []byte, i int) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '"' {
		return 0, ErrJSON
	}
	i, _, err := scanString(b, i)
	if err != nil {
		return 0, err
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return 0, ErrJSON
	}
	return i + 1, nil
}

// skipValue validates and skips the value at or after i (leading whitespace
// allowed), which sits in a container at nesting depth depth (the message
// object is depth 1). It is iterative: the kinds of the containers it opens
// are bits of one word, so a depth bomb costs neither stack nor heap.
func skipValue(b []byte, i, depth int) (int, error) {
	var objs uint64 // bit k set: the k-th open container is an object
	n := 0          // containers opened here and not yet closed
	var err error
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, ErrJSON
		}
		if c := b[i]; c == '{' || c == '[' {
			if depth+n >= MaxDepth {
				return 0, ErrTooDeep
			}
			if c == '{' {
				objs |= 1 << n
			} else {
				objs &^= 1 << n
			}
			n++
			i = skipWS(b, i+1)
			if i >= len(b) || b[i] != c+2 { // '{'+2 is '}', '['+2 is ']'
				if c == '{' {
					if i, err = scanColon(b, i); err != nil {
						return 0, err
					}
				}
				continue // the first member or element
			}
			i++ // an empty container: a complete value
			n--
		} else if i, err = scanScalar(b, i); err != nil {
			return 0, err
		}
		// A value ended at i: close containers until one continues.
		for {
			if n == 0 {
				return i, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return 0, ErrJSON
			}
			obj := objs>>(n-1)&1 != 0
			if b[i] == ',' {
				i++
				if obj {
					if i, err = scanColon(b, i); err != nil {
						return 0, err
					}
				}
				break
			}
			if obj && b[i] == '}' || !obj && b[i] == ']' {
				i++
				n--
				continue
			}
			return 0, ErrJSON
		}
	}
}

// asciiString returns the contents of a JSON string that can only match
// when it is short ASCII (a member name, an action, an event): raw itself
// when it has no escapes, else its decoding into buf. ok is false when the
// decoding is not ASCII or longer than buf, so nothing can match. raw must
// have passed scanString.
func asciiString(raw []byte, esc bool, buf *[16]byte) (s []byte, ok bool) {
	if !esc {
		return raw, true
	}
	n := 0
	for i := 0; i < len(raw); n++ {
		if n == len(buf) {
			return nil, false
		}
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			v := unhex4(raw[i+2 : i+6])
			if v >= 0x80 {
				return nil, false
			}
			c = byte(v)
			i += 6
		case c == '\\':
			c = unescape(raw[i+1])
			i += 2
		case c >= 0x80:
			return nil, false
		default:
			i++
		}
		buf[n] = c
	}
	return buf[:n], true
}

// unhex4 decodes four hex digits that scanString has validated.
func unhex4(h []byte) uint32 {
	_ = h[3]
	return uint32(unhex[h[0]])<<12 | uint32(unhex[h[1]])<<8 | uint32(unhex[h[2]])<<4 | uint32(unhex[h[3]])
}

// unescape returns the byte a validated one-character escape stands for.
func unescape(e byte) byte {
	switch e {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return e // '"', '\\', '/'
}
