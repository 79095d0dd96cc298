package engine

import (
	"sync/atomic"
	"time"
)

// clock is a coarse Unix-seconds clock updated by one goroutine, so that the
// hot path reads time with one atomic load (clock_bench_test.go compares it
// with time.Now). Safe for concurrent use.
type clock struct {
	now atomic.Uint32
}

func (c *clock) Now() uint32 { return c.now.Load() }

func (c *clock) set(t time.Time) { c.now.Store(uint32(t.Unix())) }

// run updates c every 100 ms until done is closed. The short period keeps
// the clock within 0.1 s of the wall clock across second boundaries.
func (c *clock) run(done <-chan struct{}) {
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	for {
		select {
		case <-done:
			return
		case t := <-tk.C:
			c.set(t)
		}
	}
}
