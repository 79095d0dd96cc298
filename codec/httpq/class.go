package httpq

import "encoding/binary"

//go:generate go run tables_gen.go

// Byte classes in the class table (tables.go, made by tables_gen.go, whose
// constants must match these; TestTables checks).
const (
	classToken  = 1 << 0 // tchar, RFC 9110 §5.6.2: methods and field names
	classValue  = 1 << 1 // field-vchar / SP / HTAB / obs-text, RFC 9110 §5.5
	classTarget = 1 << 2 // allowed in a request-target: any byte but CTLs, SP, DEL
)

// SWAR ("SIMD within a register") checks of 8 bytes at a time. The request
// target is most of a tracker request's bytes, and checking it byte by byte
// through the class table was 45% of Parse (profile of BenchmarkParse);
// with these, BenchmarkParse/qbittorrent went from 256 to 192 ns (aria2: 227
// to 167 ns). TestValidSWAR checks them against the class table.
const (
	lsb = 0x0101010101010101 // 0x01 in every byte
	msb = 0x8080808080808080 // 0x80 in every byte
)

// anyLess reports whether a byte of x is below n (n <= 0x80). The classic
// bit trick: only bytes below n borrow into their own top bit without it
// having been set in x; the "any" answer is exact.
func anyLess(x uint64, n byte) bool {
	return (x-lsb*uint64(n))&^x&msb != 0
}

// anyEqual reports whether a byte of x equals c.
func anyEqual(x uint64, c byte) bool {
	y := x ^ lsb*uint64(c)
	return (y-lsb)&^y&msb != 0
}

// validTarget reports whether every byte of t may appear in a
// request-target: no CTL, SP or DEL (classTarget).
func validTarget(t []byte) bool {
	for len(t) >= 8 {
		x := binary.LittleEndian.Uint64(t)
		if anyLess(x, 0x21) || anyEqual(x, 0x7f) {
			return false
		}
		t = t[8:]
	}
	for _, c := range t {
		if class[c]&classTarget == 0 {
			return false
		}
	}
	return true
}

// validValue reports whether every byte of v may appear in a field value:
// no CTL but HTAB, no DEL (classValue). A word with a HTAB or a bad byte is
// rechecked byte by byte; tabs are rare.
func validValue(v []byte) bool {
	for len(v) >= 8 {
		x := binary.LittleEndian.Uint64(v)
		if anyLess(x, 0x20) || anyEqual(x, 0x7f) {
			for _, c := range v[:8] {
				if class[c]&classValue == 0 {
					return false
				}
			}
		}
		v = v[8:]
	}
	for _, c := range v {
		if class[c]&classValue == 0 {
			return false
		}
	}
	return true
}
