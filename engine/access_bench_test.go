package engine

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchList writes an allow list of n hashes plus udpHash(7), the
// fixture's torrent, and returns its settings.
func benchList(b *testing.B, n int) *settings {
	b.Helper()
	path := filepath.Join(b.TempDir(), "allow.list")
	buf := make([]byte, 0, 41*(n+1))
	buf = fmt.Appendf(buf, "%x\n", udpHash(7))
	for i := range n {
		var h [20]byte
		binary.BigEndian.PutUint64(h[:], uint64(i)*0x9E3779B97F4A7C15+1)
		buf = fmt.Appendf(buf, "%x\n", h)
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		b.Fatal(err)
	}
	a, err := loadAccess(AccessConfig{Mode: AccessAllow, File: path})
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig(BackendMmsg)
	return newSettings(&cfg, a)
}

// BenchmarkAccess measures the check alone on a list of a million hashes,
// and a UDP announce (the BenchmarkUDPHandle/announce case) with a list of
// 100,000 hashes in force, to compare with BenchmarkUDPHandle/announce.
func BenchmarkAccess(b *testing.B) {
	b.Run("refused/1M", func(b *testing.B) {
		s := benchList(b, 1_000_000)
		var ih [20]byte
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			ih[0] = byte(i)
			if s.access.refused(&ih) == (ih[0] == 7) {
				b.Fatal("wrong verdict")
			}
		}
	})
	b.Run("udp-announce/100k", func(b *testing.B) {
		f := newHandlerFixture(b)
		live := f.h.live
		live.Store(benchList(b, 100_000))
		for i := range 100 {
			f.from.set4([4]byte{10, 0, byte(i >> 8), byte(i)}, 6881)
			f.h.handle(make([]byte, 0, txCap), f.reconnect(), &f.from, f.now)
		}
		dst := make([]byte, 0, txCap)
		b.ReportAllocs()
		for b.Loop() {
			dst = f.h.handle(dst[:0], f.announce, &f.from, f.now)
		}
		if n := (len(dst) - announceHeader) / 6; n != 50 {
			b.Fatalf("reply carries %d peers", n)
		}
	})
}
