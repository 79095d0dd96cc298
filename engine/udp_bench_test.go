package engine

import (
	"encoding/binary"
	"testing"
)

// BenchmarkUDPHandle measures one datagram through parse, connection-id
// check, swarm and reply encoding, without sockets.
func BenchmarkUDPHandle(b *testing.B) {
	b.Run("announce", func(b *testing.B) {
		f := newHandlerFixture(b)
		// A swarm of 100 leechers, so the reply carries 50 peers.
		for i := range 100 {
			f.from.set4([4]byte{10, 0, byte(i >> 8), byte(i)}, 6881)
			f.h.handle(make([]byte, 0, txCap), f.reconnect(), &f.from, f.now)
		}
		dst := make([]byte, 0, txCap)
		b.ReportAllocs()
		b.SetBytes(int64(len(f.announce)))
		for b.Loop() {
			dst = f.h.handle(dst[:0], f.announce, &f.from, f.now)
		}
		if n := (len(dst) - announceHeader) / 6; n != 50 {
			b.Fatalf("reply carries %d peers", n)
		}
	})
	b.Run("scrape3", func(b *testing.B) {
		f := newHandlerFixture(b)
		dst := make([]byte, 0, txCap)
		b.ReportAllocs()
		b.SetBytes(int64(len(f.scrape)))
		for b.Loop() {
			dst = f.h.handle(dst[:0], f.scrape, &f.from, f.now)
		}
	})
	b.Run("connect", func(b *testing.B) {
		f := newHandlerFixture(b)
		dst := make([]byte, 0, txCap)
		b.ReportAllocs()
		for b.Loop() {
			dst = f.h.handle(dst[:0], f.connect, &f.from, f.now)
		}
		_ = binary.BigEndian.Uint64(dst[8:])
	})
}

// BenchmarkClientCount is the per-announce cost of counting the client.
func BenchmarkClientCount(b *testing.B) {
	var c Counters
	ids := [...][20]byte{[20]byte([]byte("-qB4520-abcdefghijkl")), [20]byte([]byte("-TR3000-abcdefghijkl")),
		[20]byte([]byte("A2-1-36-0-abcdefghij")), [20]byte([]byte("M7-4-3--abcdefghijkl"))}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.clients.count(&ids[i&3])
		i++
	}
}
