package wt

import (
	"bytes"
	"encoding/json"
	"testing"
)

// all256 returns the bytes 0x00-0xff in order.
func all256() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestAppendBinaryString_Stringify compares every character with what
// node's JSON.stringify wrote (testdata/gen.mjs).
func TestAppendBinaryString_Stringify(t *testing.T) {
	want := readFixture(t, "stringify_256.txt")
	if got := AppendBinaryString(nil, all256()); !bytes.Equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// decodeBinaryString scans and decodes a whole JSON binary string.
func decodeBinaryString(enc []byte) (id [20]byte, ok bool) {
	end, _, err := scanString(enc, 0)
	if err != nil || end != len(enc) {
		return id, false
	}
	return id, decodeBinary(&id, enc[1:end-1])
}

// TestBinaryRoundTrip encodes ids holding every byte value with
// AppendBinaryString and with encoding/json and decodes them both ways.
func TestBinaryRoundTrip(t *testing.T) {
	var ids [][20]byte
	for c := range 256 {
		var id [20]byte
		for i := range id {
			id[i] = byte(c)
		}
		ids = append(ids, id)
		id[0], id[19] = 'a', 0xff
		ids = append(ids, id)
	}
	all := all256()
	for i := 0; i < len(all); i += 20 {
		var id [20]byte
		copy(id[:], all[i:])
		ids = append(ids, id)
	}
	for _, id := range ids {
		for _, enc := range [][]byte{AppendBinaryString(nil, id[:]), []byte(jsBin(id[:]))} {
			got, ok := decodeBinaryString(enc)
			if !ok || got != id {
				t.Fatalf("decode(%q) = %x, %v; want %x", enc, got, ok, id)
			}
			var s string
			if err := json.Unmarshal(enc, &s); err != nil || s != binString(id[:]) {
				t.Fatalf("encoding/json reads %q as %q (%v)", enc, s, err)
			}
		}
	}
}

// TestDecodeBinary covers the other spellings JSON allows and what is not
// a binary string of 20 characters.
func TestDecodeBinary(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex; "" for an error
	}{
		{in: `"\u0000\u00FF\u00e9\/\"\\\b\f\n\r\t` + "\xc3\xbf\x7f" + `abcdefg"`, want: "00ffe92f225c080c0a0d09ff7f61626364656667"},
		{in: `"aaaaaaaaaaaaaaaaaaaa"`, want: "6161616161616161616161616161616161616161"},
		{in: `"aaaaaaaaaaaaaaaaaaa"`},
		{in: `"aaaaaaaaaaaaaaaaaaaaa"`},
		{in: `""`},
		{in: `"\u0100aaaaaaaaaaaaaaaaaaa"`},
		{in: `"` + "\xc4\x80" + `aaaaaaaaaaaaaaaaaaa"`},
		{in: `"` + "\xe2\x82\xac" + `aaaaaaaaaaaaaaaaaaa"`},
		{in: `"\ud800aaaaaaaaaaaaaaaaaaa"`},
		{in: `"\ud83d\ude00aaaaaaaaaaaaaaaaaa"`},
		{in: `"` + "\xf0\x9f\x98\x80" + `aaaaaaaaaaaaaaaaaaa"`},
	}
	for _, tt := range tests {
		got, ok := decodeBinaryString([]byte(tt.in))
		switch {
		case tt.want == "" && ok:
			t.Errorf("%q decoded to %x", tt.in, got)
		case tt.want != "" && (!ok || got != id20(t, tt.want)):
			t.Errorf("%q = %x, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}
