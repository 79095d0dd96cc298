package engine

import (
	"testing"
	"time"
)

var sinkU32 uint32

func BenchmarkClock(b *testing.B) {
	b.Run("coarse", func(b *testing.B) {
		var c clock
		c.set(time.Now())
		b.ReportAllocs()
		for b.Loop() {
			sinkU32 = c.Now()
		}
	})
	b.Run("time.Now", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkU32 = uint32(time.Now().Unix())
		}
	})
}
