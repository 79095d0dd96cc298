package proxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"unsafe"
)

// Sizes from the spec.
const (
	// MaxV1Size is the longest version 1 header, CRLF included (spec 2.1).
	MaxV1Size = 107
	// v2HeaderSize is the fixed part of a version 2 header: signature,
	// version/command, family/protocol and length (spec 2.2).
	v2HeaderSize = 16
	// MaxV2Size bounds a version 2 header: addresses plus TLVs. The spec
	// allows 64 KiB of TLVs; a tracker needs none, so more is refused.
	MaxV2Size = v2HeaderSize + 1024
)

var (
	v1Prefix    = []byte("PROXY ")
	v2Signature = []byte("\r\n\r\n\x00\r\nQUIT\n")
)

// Sentinel errors. ErrNeedMore is not a failure: more bytes are needed.
var (
	ErrNeedMore = errors.New("proxy: need more bytes")
	ErrInvalid  = errors.New("proxy: invalid PROXY protocol header")
)

// Header is a decoded PROXY protocol header. Parse overwrites every field.
type Header struct {
	// Local is true for a v2 LOCAL command or a v1 "UNKNOWN" header: the
	// connection was made by the proxy itself (a health check), and the
	// socket's own addresses apply.
	Local bool
	// Src and Dst are the client's and the proxy's addresses, IPv4 as
	// ::ffff:a.b.c.d. Valid when !Local.
	Src, Dst         [16]byte
	SrcPort, DstPort uint16
}

// Parse decodes the header at the start of b and returns its length. With
// ErrNeedMore b is a prefix of a header that may still be valid; with
// ErrInvalid the stream does not start with a header and must be closed.
func (h *Header) Parse(b []byte) (int, error) {
	*h = Header{}
	switch {
	case len(b) == 0:
		return 0, ErrNeedMore
	case hasPrefix(b, v2Signature):
		return h.parseV2(b)
	case hasPrefix(b, v1Prefix):
		return h.parseV1(b)
	}
	return 0, ErrInvalid
}

// hasPrefix reports whether b starts with p, or is a prefix of p (then
// the answer may change with more bytes, and the parsers say ErrNeedMore).
func hasPrefix(b, p []byte) bool {
	n := min(len(b), len(p))
	return n > 0 && bytes.Equal(b[:n], p[:n])
}

// parseV1 decodes "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n".
func (h *Header) parseV1(b []byte) (int, error) {
	end := bytes.Index(b[:min(len(b), MaxV1Size)], []byte("\r\n"))
	if end < 0 {
		if len(b) >= MaxV1Size {
			return 0, ErrInvalid
		}
		return 0, ErrNeedMore
	}
	line := b[len(v1Prefix):end]
	var f [5][]byte
	n := 0
	for len(line) > 0 && n < len(f) {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		f[n], n = line[:i], n+1
		line = line[min(i+1, len(line)):]
	}
	if n >= 1 && string(f[0]) == "UNKNOWN" {
		h.Local = true // the rest of the line is to be ignored (spec 2.1)
		return end + 2, nil
	}
	if n != 5 || len(line) > 0 || (string(f[0]) != "TCP4" && string(f[0]) != "TCP6") {
		return 0, ErrInvalid
	}
	src, err1 := parseAddr(f[1], string(f[0]) == "TCP4")
	dst, err2 := parseAddr(f[2], string(f[0]) == "TCP4")
	sp, ok1 := parsePort(f[3])
	dp, ok2 := parsePort(f[4])
	if err1 != nil || err2 != nil || !ok1 || !ok2 {
		return 0, ErrInvalid
	}
	h.Src, h.Dst, h.SrcPort, h.DstPort = src, dst, sp, dp
	return end + 2, nil
}

func parseAddr(b []byte, want4 bool) ([16]byte, error) {
	if len(b) == 0 {
		return [16]byte{}, ErrInvalid
	}
	// The string lives only for this call; ParseAddr keeps no reference.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil || a.Is4() != want4 || a.Zone() != "" {
		return [16]byte{}, ErrInvalid
	}
	return a.As16(), nil
}

// parsePort parses a decimal port without leading zeros (spec 2.1).
func parsePort(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return uint16(n), n <= 0xffff
}

// parseV2 decodes the binary header (spec 2.2).
func (h *Header) parseV2(b []byte) (int, error) {
	if len(b) < v2HeaderSize {
		return 0, ErrNeedMore
	}
	verCmd, famProto := b[12], b[13]
	size := v2HeaderSize + int(binary.BigEndian.Uint16(b[14:16]))
	if verCmd>>4 != 2 || size > MaxV2Size {
		return 0, ErrInvalid
	}
	if len(b) < size {
		return 0, ErrNeedMore
	}
	body := b[v2HeaderSize:size]
	switch verCmd & 0xf {
	case 0: // LOCAL: addresses, if any, are to be ignored
		h.Local = true
		return size, nil
	case 1: // PROXY
	default:
		return 0, ErrInvalid
	}
	switch famProto {
	case 0x11, 0x12: // TCP or UDP over IPv4
		if len(body) < 12 {
			return 0, ErrInvalid
		}
		h.Src = netip.AddrFrom4([4]byte(body[0:4])).As16()
		h.Dst = netip.AddrFrom4([4]byte(body[4:8])).As16()
		h.SrcPort = binary.BigEndian.Uint16(body[8:10])
		h.DstPort = binary.BigEndian.Uint16(body[10:12])
	case 0x21, 0x22: // TCP or UDP over IPv6
		if len(body) < 36 {
			return 0, ErrInvalid
		}
		h.Src = [16]byte(body[0:16])
		h.Dst = [16]byte(body[16:32])
		h.SrcPort = binary.BigEndian.Uint16(body[32:34])
		h.DstPort = binary.BigEndian.Uint16(body[34:36])
	case 0x00: // UNSPEC: the receiver must use the socket's addresses
		h.Local = true
	default:
		return 0, ErrInvalid // AF_UNIX and unknown families carry no IP client
	}
	return size, nil // TLVs after the addresses are skipped
}

// AppendV1 appends a version 1 header for h (tests and load generators).
func AppendV1(dst []byte, h *Header) []byte {
	if h.Local {
		return append(dst, "PROXY UNKNOWN\r\n"...)
	}
	src, dstA := netip.AddrFrom16(h.Src).Unmap(), netip.AddrFrom16(h.Dst).Unmap()
	proto := "PROXY TCP6 "
	if src.Is4() && dstA.Is4() {
		proto = "PROXY TCP4 "
	} else {
		src, dstA = netip.AddrFrom16(h.Src), netip.AddrFrom16(h.Dst)
	}
	dst = append(dst, proto...)
	dst = src.AppendTo(dst)
	dst = append(dst, ' ')
	dst = dstA.AppendTo(dst)
	dst = append(dst, ' ')
	dst = appendUint(dst, h.SrcPort)
	dst = append(dst, ' ')
	dst = appendUint(dst, h.DstPort)
	return append(dst, "\r\n"...)
}

// AppendV2 appends a version 2 header for h (tests and load generators).
func AppendV2(dst []byte, h *Header) []byte {
	dst = append(dst, v2Signature...)
	if h.Local {
		return append(dst, 0x20, 0x00, 0, 0)
	}
	src, dstA := netip.AddrFrom16(h.Src), netip.AddrFrom16(h.Dst)
	if src.Is4In6() && dstA.Is4In6() {
		dst = append(dst, 0x21, 0x11, 0, 12)
		s4, d4 := src.Unmap().As4(), dstA.Unmap().As4()
		dst = append(dst, s4[:]...)
		dst = append(dst, d4[:]...)
	} else {
		dst = append(dst, 0x21, 0x21, 0, 36)
		dst = append(dst, h.Src[:]...)
		dst = append(dst, h.Dst[:]...)
	}
	dst = binary.BigEndian.AppendUint16(dst, h.SrcPort)
	return binary.BigEndian.AppendUint16(dst, h.DstPort)
}

func appendUint(dst []byte, n uint16) []byte {
	var b [5]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}
