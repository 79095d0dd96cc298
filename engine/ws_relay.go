package engine

import (
	"encoding/binary"
	"sync"

	"github.com/trackerd/trackerd/swarm"
)

// A WebTorrent offer or answer often goes to a connection owned by another
// event loop, and gnet.Conn.Write from a foreign loop is a data race
// (DESIGN.md §2). Such frames go through the owner's inbox and are written
// by the owner: push appends under a mutex and reports whether the inbox
// was empty, and only then is the owner woken with EventLoop.Execute, so a
// burst of relays costs one wake-up.

// maxInbox bounds the bytes waiting in one loop's inbox; beyond it frames
// are dropped and counted, never queued without limit.
const maxInbox = 8 << 20

// inbox holds frames for one loop's connections. push is safe for
// concurrent use; drain runs on the owning loop only.
type inbox struct {
	mu  sync.Mutex
	buf []byte // records: swarm.Conn u64 | length u32 | frame
}

// push queues frame for the connection h. It returns wake when the inbox
// was empty (the caller must wake the owner) and ok false when the inbox
// is full and the frame was dropped.
func (in *inbox) push(h swarm.Conn, frame []byte) (wake, ok bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.buf)+12+len(frame) > maxInbox {
		return false, false
	}
	wake = len(in.buf) == 0
	in.buf = binary.LittleEndian.AppendUint64(in.buf, uint64(h))
	in.buf = binary.LittleEndian.AppendUint32(in.buf, uint32(len(frame)))
	in.buf = append(in.buf, frame...)
	return wake, true
}

// take swaps the queued records out for spare (an emptied buffer of the
// caller's, so neither side allocates once both have grown) and returns them.
func (in *inbox) take(spare []byte) []byte {
	in.mu.Lock()
	b := in.buf
	in.buf = spare[:0]
	in.mu.Unlock()
	return b
}

// nextFrame splits the first record off b, as returned by take; ok is
// false when b is empty.
func nextFrame(b []byte) (h swarm.Conn, frame, rest []byte, ok bool) {
	if len(b) < 12 {
		return 0, nil, nil, false
	}
	h = swarm.Conn(binary.LittleEndian.Uint64(b))
	n := int(binary.LittleEndian.Uint32(b[8:]))
	return h, b[12 : 12+n], b[12+n:], true
}

// wsSlots maps a loop's slot numbers to its WebSocket connections. Owned by
// the loop.
type wsSlots struct {
	conns []*httpConn
	gens  []uint16
	free  []uint32
}

// add gives hc a slot and returns its handle.
func (s *wsSlots) add(loop int, hc *httpConn) swarm.Conn {
	var slot uint32
	if len(s.free) > 0 {
		// The longest-free slot first: a generation comes round again only
		// after 65536 reuses of one slot, so a stale handle stays stale.
		slot = s.free[0]
		s.free = s.free[1:]
	} else {
		slot = uint32(len(s.conns))
		s.conns = append(s.conns, nil)
		s.gens = append(s.gens, 0)
	}
	s.conns[slot] = hc
	return swarm.MakeConn(uint16(loop), slot, s.gens[slot])
}

// remove frees h's slot; later lookups of h find nothing.
func (s *wsSlots) remove(h swarm.Conn) {
	slot := h.Slot()
	if s.lookup(h) == nil {
		return
	}
	s.conns[slot] = nil
	s.gens[slot]++
	s.free = append(s.free, slot)
}

// lookup returns the live connection of h, or nil.
func (s *wsSlots) lookup(h swarm.Conn) *httpConn {
	slot := h.Slot()
	if int(slot) >= len(s.conns) || s.gens[slot] != h.Gen() {
		return nil
	}
	return s.conns[slot]
}
