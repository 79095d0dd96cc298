package bencode

import (
	"bytes"
	"fmt"
)

// MaxDepth is the deepest nesting of lists and dicts Decode accepts; a value
// at the top level is at depth 1. It bounds Decode's recursion, so hostile
// input ("llll...") cannot exhaust the stack. Tracker responses nest 3 deep.
const MaxDepth = 64

// Decode parses exactly one bencoded value from b, for tests, fuzzing and
// the load generator's validation; the tracker's hot path never decodes.
//
// Values map to Go types as follows: an integer to int64, a string to string
// (a byte string: any bytes, not necessarily UTF-8; string makes results
// comparable with == and usable as map keys), a list to []any (non-nil,
// also when empty), a dict to map[string]any.
//
// Decode is strict: it accepts only the canonical encoding, so whatever it
// accepts re-encodes to exactly b. Integers have no leading zeros, no "-0"
// and must fit int64; string lengths have no leading zeros and may not run
// past the input; dict keys are strings in strictly increasing raw byte
// order (no duplicates); nesting is at most MaxDepth; and nothing may follow
// the value. Errors wrap a sentinel of type *Error with the offset where
// decoding stopped; test them with errors.Is.
//
// The result does not alias b. Decode allocates its result.
func Decode(b []byte) (any, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	if err == nil && d.off != len(b) {
		err = ErrTrailingData
	}
	if err != nil {
		return nil, fmt.Errorf("cannot decode bencode at offset %d: %w", d.off, err)
	}
	return v, nil
}

// decoder is Decode's cursor. On error off is the offset of the offending
// byte (len(b) for a premature end).
type decoder struct {
	b   []byte
	off int
}

// value decodes the value at d.off; depth is the number of lists and dicts
// that enclose it.
func (d *decoder) value(depth int) (any, error) {
	if d.off >= len(d.b) {
		return nil, ErrUnexpectedEOF
	}
	switch c := d.b[d.off]; {
	case c == 'i':
		return d.int()
	case c >= '0' && c <= '9':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return string(s), nil
	case c == 'l':
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		d.off++
		list := []any{}
		for {
			if d.off >= len(d.b) {
				return nil, ErrUnexpectedEOF
			}
			if d.b[d.off] == 'e' {
				d.off++
				return list, nil
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	case c == 'd':
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		d.off++
		dict := map[string]any{}
		var prev []byte // the previous key; aliases d.b
		for first := true; ; first = false {
			if d.off >= len(d.b) {
				return nil, ErrUnexpectedEOF
			}
			if c := d.b[d.off]; c == 'e' {
				d.off++
				return dict, nil
			} else if c < '0' || c > '9' {
				return nil, ErrKeyNotString
			}
			keyOff := d.off
			key, err := d.str()
			if err != nil {
				return nil, err
			}
			if !first {
				// BEP 3: keys "appear in sorted order (sorted as raw
				// strings, not alphanumerics)"; bytes.Compare is unsigned.
				switch bytes.Compare(prev, key) {
				case 0:
					d.off = keyOff
					return nil, ErrDuplicateKey
				case 1:
					d.off = keyOff
					return nil, ErrKeyOrder
				}
			}
			prev = key
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			dict[string(key)] = v
		}
	default:
		return nil, ErrInvalidValue
	}
}

// int decodes i<n>e at d.off. BEP 3: "i-0e is invalid. All encodings with
// a leading zero, such as i03e, are invalid, other than i0e".
func (d *decoder) int() (int64, error) {
	i := d.off + 1 // past 'i'
	neg := i < len(d.b) && d.b[i] == '-'
	if neg {
		i++
	}
	start := i
	var u uint64 // magnitude; at most 1<<63 (math.MinInt64) after the checks
	for ; i < len(d.b) && d.b[i] >= '0' && d.b[i] <= '9'; i++ {
		if u > (1<<63)/10 {
			d.off = i
			return 0, ErrBadInt
		}
		u = u*10 + uint64(d.b[i]-'0')
		if u > 1<<63 {
			d.off = i
			return 0, ErrBadInt
		}
	}
	if i >= len(d.b) {
		d.off = i
		return 0, ErrUnexpectedEOF
	}
	if d.b[i] != 'e' || i == start {
		d.off = i
		return 0, ErrBadInt
	}
	if d.b[start] == '0' && (neg || i-start > 1) {
		d.off = start
		return 0, ErrBadInt
	}
	if !neg && u > 1<<63-1 {
		d.off = start
		return 0, ErrBadInt
	}
	d.off = i + 1
	if neg {
		return int64(-u), nil // two's complement: also right for 1<<63
	}
	return int64(u), nil
}

// str decodes <len>:<bytes> at d.off (a digit) and returns the bytes,
// which alias d.b.
func (d *decoder) str() ([]byte, error) {
	start := d.off
	i := start
	n := 0
	for ; i < len(d.b) && d.b[i] >= '0' && d.b[i] <= '9'; i++ {
		n = n*10 + int(d.b[i]-'0')
		if n > len(d.b) { // cannot fit; also keeps n from overflowing
			d.off = start
			return nil, ErrUnexpectedEOF
		}
	}
	if i >= len(d.b) {
		d.off = i
		return nil, ErrUnexpectedEOF
	}
	if d.b[i] != ':' {
		d.off = i
		return nil, ErrBadLength
	}
	if d.b[start] == '0' && i-start > 1 {
		d.off = start
		return nil, ErrBadLength
	}
	i++ // past ':'
	if n > len(d.b)-i {
		d.off = start
		return nil, ErrUnexpectedEOF
	}
	d.off = i + n
	return d.b[i:d.off:d.off], nil
}
