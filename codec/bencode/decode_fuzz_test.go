package bencode

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, fails only with a wrapped
// sentinel, and that whatever it accepts is canonical: the test-only
// generic encoder re-encodes it to the identical bytes, which decode to an
// equal value. Seeds: every golden encoder output, the valid decode cases
// and the error table.
func FuzzDecode(f *testing.F) {
	for _, tt := range announceGolden() {
		f.Add(AppendAnnounce(nil, &tt.a))
	}
	for _, tt := range scrapeGolden(f) {
		f.Add([]byte(tt.want))
	}
	f.Add(AppendFailure(nil, "unregistered torrent", 90))
	for _, tt := range decodeErrors {
		if len(tt.in) < 1024 {
			f.Add([]byte(tt.in))
		}
	}
	f.Add([]byte("d3:bar4:spam3:fooi42ee"))
	f.Add([]byte("lldeleee"))

	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("Decode returned %v, which wraps no *Error", err)
			}
			if v != nil {
				t.Fatalf("Decode returned %v with error %v", v, err)
			}
			return
		}
		enc := encodeCanonical(nil, v)
		if !bytes.Equal(enc, b) {
			t.Fatalf("accepted non-canonical input\n  in %q\nre-encoded %q", b, enc)
		}
		v2, err := Decode(enc)
		if err != nil || !reflect.DeepEqual(v2, v) {
			t.Fatalf("re-Decode = %#v, %v; want %#v", v2, err, v)
		}
	})
}
