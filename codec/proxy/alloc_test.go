//go:build !race

package proxy

import "testing"

func TestAllocs_Parse(t *testing.T) {
	v1 := []byte("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n")
	v2 := AppendV2(nil, &Header{Src: addr("192.0.2.1"), Dst: addr("192.0.2.2"), SrcPort: 9, DstPort: 10})
	var h Header
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := h.Parse(v1); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Parse(v2); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("allocs = %v, want 0", n)
	}
}
