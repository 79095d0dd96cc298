package bencode

import "strconv"

// AppendInt appends n as a bencode integer, i<n>e (BEP 3: base ten, no
// leading zeros, negative with '-').
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, 'i')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, 'e')
}

// AppendString appends s as a bencode string, <len>:<bytes>. The bytes are
// written raw: bencode strings are byte strings, not text.
func AppendString(dst []byte, s []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, ':')
	return append(dst, s...)
}

// AppendStringS is AppendString for a string argument, so callers need no
// []byte conversion.
func AppendStringS(dst []byte, s string) []byte {
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, ':')
	return append(dst, s...)
}
