package swarm

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
)

// Test helpers for RTCTable: peers from integers and a full invariant check
// of a table's internals.

// rtcID returns the peer_id of test peer i, in the WebTorrent client's form
// ("-WW" and a version, then random bytes): all share an 8-byte prefix, as
// real ones do.
func rtcID(i int) [20]byte {
	var id [20]byte
	copy(id[:], "-WW0208-")
	binary.BigEndian.PutUint64(id[8:], uint64(i)*0x9E3779B97F4A7C15)
	binary.BigEndian.PutUint32(id[16:], uint32(i))
	return id
}

// rtcConn returns the connection of test peer i: four loops, generation 1.
func rtcConn(i int) Conn { return MakeConn(uint16(i%4), uint32(i), 1) }

// rtcPeerOf returns test peer i on its own connection.
func rtcPeerOf(i int) RTCPeer { return RTCPeer{PeerID: rtcID(i), Conn: rtcConn(i)} }

// offerID returns a distinct offer_id for n.
func offerID(n int) [20]byte {
	var id [20]byte
	binary.BigEndian.PutUint64(id[:], uint64(n)+1)
	id[19] = 'o'
	return id
}

// rtcAnn announces test peer i on its own connection and fails the test on
// an error.
func rtcAnn(tb testing.TB, t *RTCTable, ih InfoHash, i int, seeder bool, ev Event, numWant int, now uint32) ([]RTCPeer, Counts) {
	tb.Helper()
	a := RTCAnnounce{InfoHash: ih, PeerID: rtcID(i), Conn: rtcConn(i), Seeder: seeder, Event: ev, NumWant: numWant}
	dst, c, err := t.Announce(nil, &a, now)
	if err != nil {
		tb.Fatalf("announce of peer %d: %v", i, err)
	}
	return dst, c
}

// check verifies every invariant of t's internals.
func (t *RTCTable) check(tb testing.TB) {
	tb.Helper()
	for si := range t.shards {
		s := &t.shards[si]
		s.mu.Lock()
		err := s.checkErr(t.cfg.MaxOffersPerPeer)
		s.mu.Unlock()
		if err != nil {
			tb.Fatalf("shard %d: %v", si, err)
		}
	}
}

func (s *rtcShard) checkErr(maxOffers int) error {
	if len(s.torrents) != len(s.slab) {
		return fmt.Errorf("map has %d torrents, slab %d", len(s.torrents), len(s.slab))
	}
	type block struct {
		base, size uint32
		what       string
	}
	var blocks []block
	for c := range uint8(rtcClasses) {
		seen := 0
		for b := s.free[c]; b != 0; b = uint32(s.peers[b].conn) {
			if seen++; seen > len(s.peers) {
				return fmt.Errorf("free list %d loops", c)
			}
			blocks = append(blocks, block{b, rtcBlockCap(c), fmt.Sprintf("free class %d", c)})
		}
	}
	offerSeen := make([]bool, len(s.offers))
	var seeders, leechers, offers, indexed int
	for i := range s.slab {
		tr := &s.slab[i]
		if ti, ok := s.torrents[tr.ih]; !ok || int(ti) != i {
			return fmt.Errorf("torrent %d: map says %d, %v", i, ti, ok)
		}
		if tr.nl > tr.n {
			return fmt.Errorf("torrent %d: nl %d > n %d", i, tr.nl, tr.n)
		}
		if tr.base == 0 {
			if tr.n != 0 {
				return fmt.Errorf("torrent %d: %d peers, no block", i, tr.n)
			}
			continue
		}
		if tr.n > rtcBlockCap(tr.class) {
			return fmt.Errorf("torrent %d: %d peers in class %d", i, tr.n, tr.class)
		}
		blocks = append(blocks, block{tr.base, rtcBlockCap(tr.class), fmt.Sprintf("torrent %d", i)})
		leechers += int(tr.nl)
		seeders += int(tr.n - tr.nl)
		ids := map[[20]byte]bool{}
		for pos, p := range s.list(tr) {
			if ids[p.id] {
				return fmt.Errorf("torrent %d: peer_id %x twice", i, p.id)
			}
			ids[p.id] = true
			if tr.indexed() {
				indexed++
				if at, ok := s.index[rtcKey{tr.ih, p.id}]; !ok || int(at) != pos {
					return fmt.Errorf("torrent %d peer %d: index says %d, %v", i, pos, at, ok)
				}
			}
			var n int
			var last uint32
			for o := p.offHead; o != 0; o = s.offers[o].next {
				if o >= uint32(len(s.offers)) || offerSeen[o] {
					return fmt.Errorf("torrent %d peer %d: offer %d out of range or shared", i, pos, o)
				}
				offerSeen[o] = true
				n++
				last = o
			}
			if n != int(p.offN) || last != p.offTail || n > maxOffers {
				return fmt.Errorf("torrent %d peer %d: %d offers, offN %d, tail %d (last %d), max %d",
					i, pos, n, p.offN, p.offTail, last, maxOffers)
			}
			offers += n
		}
	}
	if len(s.index) != indexed || (s.index != nil && indexed == 0) {
		return fmt.Errorf("index has %d peers (nil %v), indexed torrents %d", len(s.index), s.index == nil, indexed)
	}
	if seeders != s.seeders || leechers != s.leechers {
		return fmt.Errorf("totals %d/%d, torrents say %d/%d", s.seeders, s.leechers, seeders, leechers)
	}
	if offers != s.nOffers {
		return fmt.Errorf("%d offers pending, peers hold %d", s.nOffers, offers)
	}
	free := 0
	for o := s.offerFree; o != 0; o = s.offers[o].next {
		if offerSeen[o] {
			return fmt.Errorf("offer %d both free and used", o)
		}
		offerSeen[o] = true
		free++
	}
	if offers+free != len(s.offers)-1 {
		return fmt.Errorf("%d offers used + %d free, pool of %d", offers, free, len(s.offers)-1)
	}
	// Blocks, used and free, tile the peer pool after its unused record 0.
	slices.SortFunc(blocks, func(a, b block) int { return cmp.Compare(a.base, b.base) })
	next := uint32(1)
	for _, b := range blocks {
		if b.base != next {
			return fmt.Errorf("%s: block at %d, want %d (overlap or leak)", b.what, b.base, next)
		}
		next += b.size
	}
	if next != uint32(len(s.peers)) {
		return fmt.Errorf("blocks end at %d, pool of %d", next, len(s.peers))
	}
	return nil
}
