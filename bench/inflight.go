package bench

// Kinds of request a slot can wait for.
const (
	kindConnect uint8 = iota
	kindAnnounce
	kindScrape
)

// slot is one request in flight.
type slot struct {
	sentNs  int64  // when it was sent, nanoseconds since the run started
	peer    uint32 // the simulated peer it announces for (fill)
	gen     uint16 // bumped on every use, so a late reply does not match
	used    bool
	kind    uint8
	conn    uint16 // index of the socket it went out on
	nHashes uint8  // info hashes in a scrape
}

// inflight is the fixed window of requests in flight of a UDP generator.
// A transaction id is gen<<16 | slot index, so a reply finds its request in
// O(1) and a reply to a reused slot is told apart from a late one. It is
// owned by one goroutine.
type inflight struct {
	slots []slot
	free  []uint16 // stack of unused slot indices
}

// maxWindow is the most requests in flight: slot indices are 16 bits.
const maxWindow = 1 << 16

func newInflight(window int) *inflight {
	window = min(max(window, 1), maxWindow)
	f := &inflight{slots: make([]slot, window), free: make([]uint16, window)}
	for i := range f.free {
		f.free[i] = uint16(window - 1 - i)
	}
	return f
}

// available returns how many more requests may be sent now.
func (f *inflight) available() int { return len(f.free) }

// acquire takes a free slot, which the caller fills in, and returns its
// index and the transaction id to send. It panics when none is free: check
// available first.
func (f *inflight) acquire(nowNs int64) (int, uint32) {
	i := int(f.free[len(f.free)-1])
	f.free = f.free[:len(f.free)-1]
	s := &f.slots[i]
	s.gen++
	s.used = true
	s.sentNs = nowNs
	return i, uint32(s.gen)<<16 | uint32(i)
}

// lookup returns the index of the request that txID answers, or -1 when no
// request in flight has that id (a late reply, or garbage).
func (f *inflight) lookup(txID uint32) int {
	i := int(txID & 0xffff)
	if i >= len(f.slots) {
		return -1
	}
	s := &f.slots[i]
	if !s.used || s.gen != uint16(txID>>16) {
		return -1
	}
	return i
}

// release frees slot i.
func (f *inflight) release(i int) {
	f.slots[i].used = false
	f.free = append(f.free, uint16(i))
}

// expire releases every request sent before deadlineNs, calling fn (if not
// nil) with each before it is released.
func (f *inflight) expire(deadlineNs int64, fn func(i int, s *slot)) int {
	n := 0
	for i := range f.slots {
		s := &f.slots[i]
		if s.used && s.sentNs < deadlineNs {
			if fn != nil {
				fn(i, s)
			}
			f.release(i)
			n++
		}
	}
	return n
}
