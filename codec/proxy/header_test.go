package proxy

import (
	"net/netip"
	"testing"
)

func addr(s string) [16]byte { return netip.MustParseAddr(s).As16() }

func TestParse(t *testing.T) {
	v4 := Header{Src: addr("192.0.2.1"), Dst: addr("198.51.100.2"), SrcPort: 56324, DstPort: 443}
	v6 := Header{Src: addr("2001:db8::1"), Dst: addr("2001:db8::2"), SrcPort: 1, DstPort: 65535}
	tests := []struct {
		name string
		in   string
		want Header
		n    int // bytes used; 0 with err
		err  error
	}{
		{name: "v1 tcp4", in: "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET /", want: v4, n: 45},
		{name: "v1 tcp6", in: "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", want: v6, n: 44},
		{name: "v1 unknown", in: "PROXY UNKNOWN ffff:: 1 2 3\r\n", want: Header{Local: true}, n: 28},
		{name: "v1 partial", in: "PROXY TCP4 192.0.2.1", err: ErrNeedMore},
		{name: "v1 signature prefix", in: "PRO", err: ErrNeedMore},
		{name: "v1 family mismatch", in: "PROXY TCP4 2001:db8::1 2001:db8::2 1 2\r\n", err: ErrInvalid},
		{name: "v1 port out of range", in: "PROXY TCP4 192.0.2.1 198.51.100.2 65536 443\r\n", err: ErrInvalid},
		{name: "v1 leading zero port", in: "PROXY TCP4 192.0.2.1 198.51.100.2 0443 443\r\n", err: ErrInvalid},
		{name: "v1 extra field", in: "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n", err: ErrInvalid},
		{name: "v1 too long", in: "PROXY TCP6 " + string(make([]byte, 120)), err: ErrInvalid},
		{name: "plain http", in: "GET /announce HTTP/1.1\r\n", err: ErrInvalid},
		{name: "v2 local", in: string(AppendV2(nil, &Header{Local: true})), want: Header{Local: true}, n: 16},
		{name: "v2 partial", in: string(AppendV2(nil, &v4)[:20]), err: ErrNeedMore},
		{name: "v2 bad version", in: "\r\n\r\n\x00\r\nQUIT\n\x11\x11\x00\x00", err: ErrInvalid},
		{name: "v2 unix family", in: "\r\n\r\n\x00\r\nQUIT\n\x21\x31\x00\x00", err: ErrInvalid},
		{name: "v2 tlv skipped", in: string(append(append(AppendV2(nil, &v4)[:14], 0, 15), AppendV2(nil, &v4)[16:]...)) + "\x04\x00\x00", want: v4, n: 31},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			n, err := h.Parse([]byte(tc.in))
			if err != tc.err || n != tc.n {
				t.Fatalf("Parse = %d, %v; want %d, %v", n, err, tc.n, tc.err)
			}
			if err == nil && h != tc.want {
				t.Fatalf("Parse = %+v, want %+v", h, tc.want)
			}
		})
	}
}

func TestAppendRoundTrip(t *testing.T) {
	for _, h := range []Header{
		{Src: addr("192.0.2.1"), Dst: addr("198.51.100.2"), SrcPort: 1, DstPort: 2},
		{Src: addr("2001:db8::1"), Dst: addr("::1"), SrcPort: 65535, DstPort: 0},
		{Local: true},
	} {
		for _, enc := range [][]byte{AppendV1(nil, &h), AppendV2(nil, &h)} {
			var got Header
			if n, err := got.Parse(enc); err != nil || n != len(enc) || got != h {
				t.Fatalf("%q: Parse = %d, %v, %+v; want %+v", enc, n, err, got, h)
			}
		}
	}
}
