package peerid

import "strconv"

// PrefixLen is the length of a Prefix: enough for the longest
// client-and-version part decoded here (aria2's "A2-1-36-10-" with
// two-digit fields is 12 bytes).
const PrefixLen = 12

// MaxNameLen bounds the length in bytes of what AppendName appends.
const MaxNameLen = 48

// Unknown is the name of a peer_id that follows no known convention.
const Unknown = "unknown"

type style uint8

const (
	styleUnknown  style = iota
	styleAzureus        // "-qB4520-", "-TIX0302-"
	styleMainline       // "M7-4-3--"
	styleAria2          // "A2-1-36-0-"
	styleShadow         // "T03I--"
	styleFixed          // a fixed string such as "exbc", then no readable version
	styleXBT            // "XBT054d-"
)

// Prefix returns the bytes of id that name the client and its version,
// followed by zeros: peer_ids of one client version have equal prefixes
// although the rest of the peer_id is random. Name(p[:]) equals Name(id).
// It does not allocate.
func Prefix(id []byte) [PrefixLen]byte {
	var p [PrefixLen]byte
	_, n := scan(id)
	copy(p[:], id[:n])
	return p
}

// scan returns the style of id and how many leading bytes carry the client
// and version (at most PrefixLen). It examines no byte at or past n unless
// it returns styleUnknown (n = 0), so scan of Prefix(id) agrees with scan
// of id.
func scan(id []byte) (style, int) {
	if n := azureus(id); n > 0 {
		return styleAzureus, n
	}
	if n := mainline(id); n > 0 {
		if id[0] == 'A' {
			return styleAria2, n
		}
		return styleMainline, n
	}
	if n := shadow(id); n > 0 {
		return styleShadow, n
	}
	for _, f := range fixed {
		if len(id) >= len(f.prefix) && string(id[:len(f.prefix)]) == f.prefix {
			return styleFixed, len(f.prefix)
		}
	}
	// XBT: "XBT" and three version digits, then 'd' for a debug build or '-'.
	if len(id) >= 7 && string(id[:3]) == "XBT" && isDigit(id[3]) && isDigit(id[4]) && isDigit(id[5]) {
		return styleXBT, 6
	}
	return styleUnknown, 0
}

// azureus matches '-', a two- or three-character alphanumeric client code,
// four alphanumeric version characters and '-'.
func azureus(id []byte) int {
	if len(id) < 8 || id[0] != '-' {
		return 0
	}
	for _, n := range [...]int{8, 9} {
		if len(id) < n || id[n-1] != '-' {
			continue
		}
		ok := true
		for _, c := range id[1 : n-1] {
			ok = ok && isAlnum(c)
		}
		if ok {
			return n
		}
	}
	return 0
}

// mainline matches a client letter ("M", or aria2's "A2"), then three
// decimal fields of one to three digits, each followed by '-'.
func mainline(id []byte) int {
	i := 0
	switch {
	case len(id) >= 3 && id[0] == 'A' && id[1] == '2' && id[2] == '-':
		i = 3
	case len(id) >= 1 && mainlineNames[id[0]] != "":
		i = 1
	default:
		return 0
	}
	for range 3 {
		d := 0
		for i < len(id) && i < PrefixLen && isDigit(id[i]) && d < 3 {
			i, d = i+1, d+1
		}
		if d == 0 || i >= len(id) || i >= PrefixLen || id[i] != '-' {
			return 0
		}
		i++
	}
	return i
}

// shadow matches a known client letter, three to five version characters
// of Shadow's base-64 alphabet (0-9, A-Z, a-z, '.'), then '-'.
func shadow(id []byte) int {
	if len(id) < 5 || shadowNames[id[0]] == "" {
		return 0
	}
	i := 1
	for i < len(id) && i <= 5 && shadowDigit(id[i]) >= 0 {
		i++
	}
	if i-1 < 3 || i >= len(id) || id[i] != '-' {
		return 0
	}
	return i + 1
}

// Name returns the client's name and version, such as "qBittorrent 4.5.2",
// or Unknown. id is a peer_id or its Prefix.
func Name(id []byte) string { return string(AppendName(nil, id)) }

// AppendName appends the client's name and version (printable UTF-8, at
// most MaxNameLen bytes) to dst and returns the extended slice.
func AppendName(dst, id []byte) []byte {
	st, n := scan(id)
	id = id[:n]
	switch st {
	case styleAzureus:
		code := string(id[1 : n-5])
		ver := id[n-5 : n-1]
		name, ok := azureusNames[code]
		if !ok {
			// The convention is clear, the code is not ours: show it.
			return append(append(dst, "unknown "...), id...)
		}
		dst = append(append(dst, name...), ' ')
		switch code {
		case "TR":
			return appendTransmission(dst, ver)
		case "WW", "WD":
			// webtorrent: two two-digit fields, "0105" is 1.5.
			dst = strconv.AppendInt(dst, int64(dec(ver[0:2])), 10)
			dst = append(dst, '.')
			return strconv.AppendInt(dst, int64(dec(ver[2:4])), 10)
		case "TIX":
			// "0302" is 3.02.
			dst = strconv.AppendInt(dst, int64(dec(ver[0:2])), 10)
			return append(append(dst, '.'), ver[2:4]...)
		}
		return appendFields(dst, ver)
	case styleMainline, styleAria2:
		if st == styleAria2 {
			dst = append(dst, "aria2 "...)
			id = id[3:]
		} else {
			dst = append(append(dst, mainlineNames[id[0]]...), ' ')
			id = id[1:]
		}
		// Three decimal fields, each followed by '-': "4-20-8-".
		for f := range 3 {
			v, j := 0, 0
			for ; id[j] != '-'; j++ {
				v = v*10 + int(id[j]-'0')
			}
			if f > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, int64(v), 10)
			id = id[j+1:]
		}
		return dst
	case styleShadow:
		dst = append(append(dst, shadowNames[id[0]]...), ' ')
		for i, c := range id[1 : n-1] {
			if i > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, int64(shadowDigit(c)), 10)
		}
		return dst
	case styleFixed:
		for _, f := range fixed {
			if string(id) == f.prefix {
				return append(dst, f.name...)
			}
		}
	case styleXBT:
		return appendFields(append(dst, "XBT "...), id[3:6])
	}
	return append(dst, Unknown...)
}

// appendFields appends version characters as dotted numbers (base 36:
// 'A' or 'a' is 10), dropping a last field of 0 when there are four:
// "4520" is 4.5.2, "0D60" 0.13.6, "3415" 3.4.1.5.
func appendFields(dst, ver []byte) []byte {
	if len(ver) == 4 && ver[3] == '0' {
		ver = ver[:3]
	}
	for i, c := range ver {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendInt(dst, int64(base36(c)), 10)
	}
	return dst
}

// appendTransmission follows Transmission's own decoder
// (libtransmission/clients.cc): "-TR0072-" is 0.72, "-TR2940-" 2.94,
// "-TR3000-" 3.00, and from 4 on one digit per field, "-TR4050-" 4.0.5;
// 'Z' or 'X' last marks a development build, 'B' a beta.
func appendTransmission(dst, ver []byte) []byte {
	switch {
	case string(ver[:3]) == "000":
		dst = append(append(dst, "0."...), ver[3])
	case string(ver[:2]) == "00":
		dst = append(append(dst, "0."...), ver[2:4]...)
	case ver[0] <= '3':
		dst = append(append(append(dst, ver[0]), '.'), ver[1:3]...)
	default:
		dst = appendFields(dst, ver[:3])
	}
	switch ver[3] {
	case 'Z', 'X':
		dst = append(dst, '+')
	case 'B':
		dst = append(dst, " beta"...)
	}
	return dst
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// base36 is the value of an alphanumeric version character.
func base36(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	}
	return 0
}

// dec is the decimal value of two alphanumeric characters, non-digits
// counting as their base-36 value.
func dec(b []byte) int { return base36(b[0])*10 + base36(b[1]) }

// shadowDigit is the value of a Shadow-style version character, or -1.
func shadowDigit(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	case c == '.':
		return 62
	}
	return -1
}
