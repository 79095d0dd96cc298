package bench

import "errors"

// A minimal bencode reader (BEP 3), enough to validate tracker replies
// strictly: every value is checked to the end, nothing is converted. Its
// functions are pure and do not allocate.

var (
	errBencode      = errors.New("bench: malformed bencode")
	errBencodeDepth = errors.New("bench: bencode nested too deep")
	errBencodeTrail = errors.New("bench: bytes after the bencoded value")
)

// maxBencodeDepth bounds nesting: tracker replies nest three levels deep
// (scrape: dict → files dict → counts dict).
const maxBencodeDepth = 8

// bskip returns the offset just past the bencoded value at b[i:].
func bskip(b []byte, i, depth int) (int, error) {
	if depth > maxBencodeDepth {
		return 0, errBencodeDepth
	}
	if i >= len(b) {
		return 0, errBencode
	}
	switch c := b[i]; {
	case c == 'i':
		j := i + 1
		if j < len(b) && b[j] == '-' {
			j++
		}
		start := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		// At least one digit, no leading zeros, no "-0" (BEP 3).
		if j == start || j >= len(b) || b[j] != 'e' ||
			(b[start] == '0' && j-start > 1) || (b[start] == '0' && start > i+1) {
			return 0, errBencode
		}
		return j + 1, nil
	case c >= '0' && c <= '9':
		_, end, err := bstring(b, i)
		return end, err
	case c == 'l' || c == 'd':
		j := i + 1
		for {
			if j >= len(b) {
				return 0, errBencode
			}
			if b[j] == 'e' {
				return j + 1, nil
			}
			if c == 'd' { // keys are strings
				if b[j] < '0' || b[j] > '9' {
					return 0, errBencode
				}
				var err error
				if _, j, err = bstring(b, j); err != nil {
					return 0, err
				}
			}
			var err error
			if j, err = bskip(b, j, depth+1); err != nil {
				return 0, err
			}
		}
	}
	return 0, errBencode
}

// bstring decodes the byte string at b[i:]: it returns the string (aliasing
// b) and the offset past it.
func bstring(b []byte, i int) (s []byte, end int, err error) {
	n := 0
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		if n > len(b) {
			return nil, 0, errBencode
		}
		n = n*10 + int(b[j]-'0')
		j++
	}
	if j == i || j >= len(b) || b[j] != ':' || (b[i] == '0' && j-i > 1) {
		return nil, 0, errBencode
	}
	j++
	if n > len(b)-j {
		return nil, 0, errBencode
	}
	return b[j : j+n : j+n], j + n, nil
}

// bint decodes the integer value v ("i42e").
func bint(v []byte) (int64, bool) {
	if len(v) < 3 || v[0] != 'i' || v[len(v)-1] != 'e' {
		return 0, false
	}
	d := v[1 : len(v)-1]
	neg := d[0] == '-'
	if neg {
		d = d[1:]
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// bdict walks the top-level dictionary b, which must be exactly one valid
// bencoded dict, and calls fn with each key and raw value (both aliasing b).
func bdict(b []byte, fn func(key, val []byte)) error {
	if len(b) == 0 || b[0] != 'd' {
		return errBencode
	}
	end, err := bskip(b, 0, 0)
	if err != nil {
		return err
	}
	if end != len(b) {
		return errBencodeTrail
	}
	for j := 1; b[j] != 'e'; {
		key, vstart, _ := bstring(b, j) // validated by bskip
		vend, _ := bskip(b, vstart, 1)
		fn(key, b[vstart:vend])
		j = vend
	}
	return nil
}
