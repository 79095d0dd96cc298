//go:build !race

package peerid

import "testing"

func TestAllocs_Prefix(t *testing.T) {
	id := []byte("-qB4520-abcdefghijkl")
	var p [PrefixLen]byte
	if n := testing.AllocsPerRun(1000, func() { p = Prefix(id) }); n != 0 {
		t.Errorf("Prefix allocates %v times", n)
	}
	buf := make([]byte, 0, MaxNameLen)
	if n := testing.AllocsPerRun(1000, func() { buf = AppendName(buf[:0], p[:]) }); n != 0 {
		t.Errorf("AppendName allocates %v times", n)
	}
}
