package proxy

import (
	"testing"
)

// FuzzParse: Parse never panics; a parsed header re-encodes (v1 and v2)
// to bytes that parse to the same header; every strict prefix of a header
// asks for more bytes rather than failing.
func FuzzParse(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\nGET / HTTP/1.1\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(AppendV2(nil, &Header{Src: addr("192.0.2.1"), Dst: addr("192.0.2.2"), SrcPort: 9, DstPort: 10}))
	f.Add(AppendV2(nil, &Header{Src: addr("2001:db8::1"), Dst: addr("2001:db8::2"), SrcPort: 9, DstPort: 10}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Header
		n, err := h.Parse(b)
		if err != nil {
			return
		}
		for i := range n {
			var p Header
			if _, err := p.Parse(b[:i]); err != ErrNeedMore {
				t.Fatalf("prefix of %d bytes of a %d-byte header: %v", i, n, err)
			}
		}
		for _, enc := range [][]byte{AppendV1(nil, &h), AppendV2(nil, &h)} {
			var again Header
			if m, err := again.Parse(enc); err != nil || m != len(enc) || again != h {
				t.Fatalf("re-encoded %q: %d, %v, %+v; want %+v", enc, m, err, again, h)
			}
		}
	})
}
