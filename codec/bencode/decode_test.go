package bencode

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecode_Valid(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{in: "i0e", want: int64(0)},
		{in: "i-1e", want: int64(-1)},
		{in: "i10e", want: int64(10)},
		{in: "i9223372036854775807e", want: int64(math.MaxInt64)},
		{in: "i-9223372036854775808e", want: int64(math.MinInt64)},
		{in: "0:", want: ""},
		{in: "4:spam", want: "spam"},
		{in: "3:\x00\xff:", want: "\x00\xff:"},
		{in: "le", want: []any{}},
		{in: "de", want: map[string]any{}},
		{in: "l4:spami42ee", want: []any{"spam", int64(42)}},
		{in: "d3:bar4:spam3:fooi42ee", want: map[string]any{"bar": "spam", "foo": int64(42)}},
		{in: "d0:i1e1:ai2e2:aai3ee", want: map[string]any{"": int64(1), "a": int64(2), "aa": int64(3)}},
		// Raw unsigned byte order: 0x7f before 0x80.
		{in: "d1:\x7fi1e1:\x80i2ee", want: map[string]any{"\x7f": int64(1), "\x80": int64(2)}},
		{in: "lldeleee", want: []any{[]any{map[string]any{}, []any{}}}},
		{in: strings.Repeat("l", MaxDepth) + strings.Repeat("e", MaxDepth), want: nested(MaxDepth)},
	}
	for _, tt := range tests {
		got := mustDecode(t, []byte(tt.in))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Decode(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// nested returns n nested empty lists.
func nested(n int) any {
	v := []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}

// decodeErrors is shared by TestDecode_Errors and the fuzz seeds.
var decodeErrors = []struct {
	in   string
	want error
}{
	{"", ErrUnexpectedEOF},
	{"i", ErrUnexpectedEOF},
	{"i1", ErrUnexpectedEOF},
	{"i-", ErrUnexpectedEOF},
	{"ie", ErrBadInt},
	{"i-e", ErrBadInt},
	{"i-0e", ErrBadInt},
	{"i00e", ErrBadInt},
	{"i03e", ErrBadInt},
	{"i-03e", ErrBadInt},
	{"i+1e", ErrBadInt},
	{"i1.0e", ErrBadInt},
	{"i 1e", ErrBadInt},
	{"i--1e", ErrBadInt},
	{"i9223372036854775808e", ErrBadInt},
	{"i-9223372036854775809e", ErrBadInt},
	{"i18446744073709551616e", ErrBadInt},
	{"i99999999999999999999999999e", ErrBadInt},
	{"3", ErrUnexpectedEOF},
	{"3:ab", ErrUnexpectedEOF},
	{"99999999999999999999999:a", ErrUnexpectedEOF},
	{"00:", ErrBadLength},
	{"03:abc", ErrBadLength},
	{"3abc", ErrBadLength},
	{"-1:a", ErrInvalidValue},
	{"x", ErrInvalidValue},
	{"e", ErrInvalidValue},
	{"l", ErrUnexpectedEOF},
	{"l4:spam", ErrUnexpectedEOF},
	{"d", ErrUnexpectedEOF},
	{"d1:a", ErrUnexpectedEOF},
	{"d1:ae", ErrInvalidValue},
	{"di1ei2ee", ErrKeyNotString},
	{"dlei1ee", ErrKeyNotString},
	{"d1:bi1e1:ai2ee", ErrKeyOrder},
	{"d2:abi1e1:ai2ee", ErrKeyOrder},
	{"d1:\x80i1e1:\x7fi2ee", ErrKeyOrder},
	{"d1:ai1e1:ai2ee", ErrDuplicateKey},
	{"d0:i1e0:i2ee", ErrDuplicateKey},
	{"d1:ad1:bi1e1:ai2eee", ErrKeyOrder},
	{"i1ei2e", ErrTrailingData},
	{"4:spamx", ErrTrailingData},
	{"le ", ErrTrailingData},
	{"dee", ErrTrailingData},
	{"d8:intervali1800e8:completei1ee", ErrKeyOrder}, // a map-ordered encoder
	{strings.Repeat("l", MaxDepth+1) + strings.Repeat("e", MaxDepth+1), ErrTooDeep},
	{strings.Repeat("d1:a", MaxDepth+1) + "i0e" + strings.Repeat("e", MaxDepth+1), ErrTooDeep},
	{strings.Repeat("l", 1<<20), ErrTooDeep},
}

func TestDecode_Errors(t *testing.T) {
	for _, tt := range decodeErrors {
		v, err := Decode([]byte(tt.in))
		if !errors.Is(err, tt.want) || v != nil {
			name := tt.in
			if len(name) > 40 {
				name = name[:40] + "..."
			}
			t.Errorf("Decode(%q) = %v, %v; want nil, %v", name, v, err, tt.want)
		}
	}
}

// TestDecode_Offset checks where decoding stops on error (the offset Decode
// wraps into its error): at the offending byte, or len(b) at a premature end.
func TestDecode_Offset(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{in: "", want: 0},
		{in: "l4:spam", want: 7},
		{in: "li1ei03ee", want: 5},      // the leading zero
		{in: "li1ei-0ee", want: 6},      // the zero after '-'
		{in: "li1ei1xe", want: 6},       // the 'x'
		{in: "l6:abcde", want: 1},       // the length that runs past the end
		{in: "d1:bi1e1:ai2ee", want: 7}, // the key out of order
		{in: "d1:ai1ex", want: 7},       // the non-string key
		{in: "i1e ", want: 3},           // the trailing byte
	}
	for _, tt := range tests {
		d := decoder{b: []byte(tt.in)}
		_, err := d.value(0)
		if err == nil && d.off == len(d.b) {
			t.Errorf("%q: no error", tt.in)
		}
		if d.off != tt.want {
			t.Errorf("%q: stopped at %d, want %d (%v)", tt.in, d.off, tt.want, err)
		}
	}
}
