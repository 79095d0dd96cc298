package httpq

import "bytes"

// The address parsers below accept exactly what net/netip.ParseAddr accepts
// without a zone (FuzzParseAddr checks it). netip is not called directly:
// it takes a string, and its errors are allocated values, so every
// unparseable "ip=" (host names are common there) would allocate.

// v4InV6Prefix is the IPv4-mapped IPv6 prefix ::ffff:0:0/96 (RFC 4291
// §2.5.5.2), the 16-byte form of an IPv4 address.
var v4InV6Prefix = [12]byte{10: 0xff, 11: 0xff}

// parseAddr parses an IPv4 address (returned IPv4-mapped) or an IPv6
// address, as netip.ParseAddr does: the first '.' or ':' decides the family.
func parseAddr(s []byte) ([16]byte, bool) {
	for _, c := range s {
		switch c {
		case '.':
			ip4, ok := parseIPv4(s)
			return mapV4(ip4), ok
		case ':':
			return parseIPv6(s)
		case '%': // a zone before any separator: no address
			return [16]byte{}, false
		}
	}
	return [16]byte{}, false
}

// mapV4 returns ip4 as ::ffff:a.b.c.d.
func mapV4(ip4 [4]byte) [16]byte {
	var ip [16]byte
	copy(ip[:], v4InV6Prefix[:])
	copy(ip[12:], ip4[:])
	return ip
}

// parseIPv4 parses dotted-decimal a.b.c.d: four fields of 1 to 3 digits, each
// at most 255, without leading zeros (netip refuses them: "010" reads as
// octal in some parsers and decimal in others).
func parseIPv4(s []byte) (ip [4]byte, ok bool) {
	field, val, digits := 0, 0, 0
	for i, c := range s {
		switch {
		case '0' <= c && c <= '9':
			if digits == 1 && val == 0 {
				return ip, false
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return ip, false
			}
		case c == '.':
			if digits == 0 || i == len(s)-1 || field == 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field++
			val, digits = 0, 0
		default:
			return ip, false
		}
	}
	if field != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}

// parseIPv6 parses an IPv6 address in RFC 4291 §2.2 text form: up to eight
// groups of 1 to 4 hex digits, at most one "::", optionally ending in an
// embedded IPv4 address. Zones are not accepted.
func parseIPv6(s []byte) (ip [16]byte, ok bool) {
	ellipsis := -1 // byte index in ip where "::" was found
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, true // "::"
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for ; off < len(s); off++ {
			d := unhex[s[off]]
			if d > 0x0f {
				break
			}
			if off == 4 { // a fifth digit
				return ip, false
			}
			acc = acc<<4 | int(d)
		}
		if off == 0 {
			return ip, false
		}
		if off < len(s) && s[off] == '.' {
			// An embedded IPv4 address replaces the last two groups.
			if (ellipsis < 0 && i != 12) || i+4 > 16 {
				return ip, false
			}
			ip4, ok := parseIPv4(s)
			if !ok {
				return ip, false
			}
			copy(ip[i:], ip4[:])
			i += 4
			s = nil
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false // a second "::"
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}

// parseEndpoint4 parses a BEP 7 ipv4 value: "a.b.c.d" or "a.b.c.d:port".
// port is 0 for a bare address.
func parseEndpoint4(s []byte) (ip [16]byte, port uint16, ok bool) {
	host := s
	if i := bytes.IndexByte(s, ':'); i >= 0 {
		host = s[:i]
		if port, ok = parsePort(s[i+1:]); !ok {
			return ip, 0, false
		}
	}
	ip4, ok := parseIPv4(host)
	if !ok {
		return ip, 0, false
	}
	return mapV4(ip4), port, true
}

// parseEndpoint6 parses a BEP 7 ipv6 value: "addr", "[addr]" or
// "[addr]:port" (RFC 2732). port is 0 without one. An IPv4-mapped address is
// refused: it names an IPv4 host, which ipv6= is not for.
func parseEndpoint6(s []byte) (ip [16]byte, port uint16, ok bool) {
	host := s
	if len(s) > 0 && s[0] == '[' {
		end := bytes.IndexByte(s, ']')
		if end < 0 {
			return ip, 0, false
		}
		host = s[1:end]
		if rest := s[end+1:]; len(rest) > 0 {
			if rest[0] != ':' {
				return ip, 0, false
			}
			if port, ok = parsePort(rest[1:]); !ok {
				return ip, 0, false
			}
		}
	}
	if ip, ok = parseIPv6(host); !ok || [12]byte(ip[:12]) == v4InV6Prefix {
		return [16]byte{}, 0, false
	}
	return ip, port, true
}

// parsePort parses 1 to 5 decimal digits with a value of 1..65535.
func parsePort(s []byte) (uint16, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	p := 0
	for _, c := range s {
		d := int(c - '0') // wraps for c < '0'
		if d > 9 {
			return 0, false
		}
		p = p*10 + d
	}
	if p == 0 || p > 65535 {
		return 0, false
	}
	return uint16(p), true
}
