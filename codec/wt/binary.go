package wt

import "unicode/utf8"

// JS "binary strings": info_hash, peer_id, offer_id and to_peer_id are
// strings of 20 characters U+0000-U+00FF, one per byte
// (bittorrent-tracker's client makes them with hex2bin,
// lib/client/websocket-tracker.js:51-52,383, and the server checks
// `.length !== 20`, lib/server/parse-websocket.js:14,19,25). JSON carries
// them as UTF-8 text, so a byte 0x80-0xFF travels as two bytes and control
// characters as escapes.

const hexDigits = "0123456789abcdef"

// AppendBinaryString appends s as a JSON string of len(s) binary
// characters, byte c becoming U+00cc, written exactly as JSON.stringify
// writes it (ECMA-262 QuoteJSONString): printable ASCII and 0x7f raw, '"'
// and '\' backslash-escaped, \b \t \n \f \r, \u00XX (lower-case hex) for
// the other control characters, and 0x80-0xff as their 2-byte UTF-8
// encoding. Browsers and encoding/json decode it back to the same
// characters. It allocates only if dst lacks capacity (at most 2+6*len(s)
// bytes are appended).
func AppendBinaryString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for _, c := range s {
		if c >= 0x80 {
			dst = append(dst, 0xc0|c>>6, 0x80|c&0x3f)
			continue
		}
		switch e := escape[c]; e {
		case 0:
			dst = append(dst, c)
		case 'u':
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, '\\', e)
		}
	}
	return append(dst, '"')
}

// decodeBinary decodes the contents raw of a JSON string that scanString
// has validated into dst, one byte per character. It reports false, leaving
// dst partly written, when a character is above U+00FF or the string is not
// exactly 20 characters long.
func decodeBinary(dst *[20]byte, raw []byte) bool {
	n := 0
	for i := 0; i < len(raw); n++ {
		if n == len(dst) {
			return false
		}
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			v := unhex4(raw[i+2 : i+6])
			if v > 0xff {
				return false
			}
			c = byte(v)
			i += 6
		case c == '\\':
			c = unescape(raw[i+1])
			i += 2
		case c < 0x80:
			i++
		case c == 0xc2 || c == 0xc3:
			// U+0080-U+00FF: 110000xx 10xxxxxx, already validated.
			c = c<<6 | raw[i+1]&0x3f
			i += 2
		default:
			return false // U+0100 and above
		}
		dst[n] = c
	}
	return n == len(dst)
}

// decodeBinaryQuoted decodes the string that starts with the quote at b[i]
// into dst in one pass, when it is exactly 20 characters each written as
// AppendBinaryString and browsers write them: printable ASCII, U+0080-U+00FF
// as two bytes of UTF-8, a two-character escape or \u00XX. It returns the
// index after the closing quote. For any other string it reports false,
// leaving dst partly written: scanString and decodeBinary then give the
// answer, valid or not. A binary id is about half escapes and 2-byte
// characters, which scanString's 8-byte fast path cannot skip; this reads
// such an id once instead of twice.
//
// Info hashes and offer ids are random bytes: half of their characters
// take one byte and half two, at random, which a branch per character
// mispredicts half the time. Here one or two is computed from the top bit
// of the first byte, and only escapes (one character in eight) branch; a
// byte that cannot start a character is collected in bad and checked once,
// at the end. BenchmarkParseRandomIDs: answer 735 -> 590 ns, announce with
// 10 offers 4.15 -> 2.95 µs; fixtures parsed over and over, whose ids the
// predictor learns, are about 8% slower.
func decodeBinaryQuoted(dst *[20]byte, b []byte, i int) (int, bool) {
	i++ // the opening quote
	var bad byte
	for n := range dst {
		if i+1 >= len(b) { // a whole string has its closing quote still to come
			return 0, false
		}
		c, c1 := b[i], b[i+1]
		if c == '\\' {
			switch c1 {
			case 'u':
				if i+6 > len(b) || b[i+2] != '0' || b[i+3] != '0' || unhex[b[i+4]]|unhex[b[i+5]] > 0xf {
					return 0, false
				}
				dst[n] = unhex[b[i+4]]<<4 | unhex[b[i+5]]
				i += 6
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				dst[n] = unescape(c1)
				i += 2
			default:
				return 0, false
			}
			continue
		}
		two := -(c >> 7) // 0xff when c starts two bytes (0xc2 or 0xc3 if valid), else 0
		bad |= notBinLead[c] | (c1&0xc0^0x80)&two
		dst[n] = c ^ (c^(c<<6|c1&0x3f))&two
		i += 1 + int(c>>7)
	}
	if bad != 0 || i >= len(b) || b[i] != '"' {
		return 0, false
	}
	return i + 1, true
}

// appendText appends s as a JSON string of UTF-8 text, escaped as
// JSON.stringify escapes it; each byte of invalid UTF-8 becomes \ufffd, as
// encoding/json does, so the result is always valid JSON in valid UTF-8.
func appendText(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch e := escape[c]; e {
			case 0:
				dst = append(dst, c)
			case 'u':
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, '\\', e)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
