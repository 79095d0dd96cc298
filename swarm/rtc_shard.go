package swarm

import (
	"math/bits"
	"slices"
	"sync"
	"unsafe"
)

// Storage of one RTCTable shard: torrents in a slab, peers in power-of-two
// blocks of one pool, offers in another pool. Each torrent keeps its
// leechers at positions [0, nl) of its block and its seeders at [nl, n), so
// that a seeder's targets are a prefix and no record needs a seeder bit.

// rtcTorrent is one WebTorrent swarm, a value in its shard's slab. It holds
// no pointers. It is guarded by its shard's mutex. 44 bytes.
type rtcTorrent struct {
	ih         InfoHash // the map key, kept so that Clean can delete it
	base       uint32   // index in the peer pool of the block; 0 = no block
	n, nl      uint32   // peers, leechers
	expire     uint32   // last announce + peer timeout: no peer is live from then
	downloaded uint32   // completed events
	class      uint8    // the block holds rtcBlockCap(class) peers
}

// rtcRec is one peer. Guarded by its shard's mutex. 48 bytes.
type rtcRec struct {
	conn    Conn // in the first record of a free block: the next free block
	id      [20]byte
	expire  uint32 // last announce + peer timeout
	offHead uint32 // oldest pending offer (offer pool index); 0 = none
	offTail uint32 // youngest pending offer
	offN    uint16 // pending offers, at most MaxRTCOffersPerPeer
}

// rtcOffer is one pending offer, linked from its offerer's rtcRec in
// arrival order (so the oldest, first to expire, is at the head). Guarded
// by its shard's mutex. 56 bytes.
type rtcOffer struct {
	id     [20]byte // offer_id
	to     [20]byte // the target's peer_id
	toConn Conn     // the target's connection, which must send the answer
	expire uint32   // registration + offer TTL
	next   uint32   // younger offer of the same peer, or next free; 0 = none
}

// rtcClasses is the number of block sizes, 2 to 2^24 peers: a torrent of
// 16M peers is far beyond any WebTorrent swarm (each peer is a browser
// connection), and a full one refuses newcomers with ErrSwarmFull.
const rtcClasses = 24

func rtcBlockCap(class uint8) uint32 { return 2 << class }

// rtcClassFor returns the smallest class that holds n peers.
func rtcClassFor(n uint32) uint8 {
	if n <= 2 {
		return 0
	}
	return uint8(bits.Len32(n-1) - 1)
}

// rtcIndexClass is the smallest block class (128 peers) whose torrents are
// indexed: find scans a smaller torrent, which is faster than hashing a
// 40-byte key, and looks a bigger one up in rtcShardState.index, so that an
// announce or an answer in a swarm of thousands of browsers does not scan
// them all (BenchmarkRTCAnnounce/big).
const rtcIndexClass = 6

// rtcKey names a peer in the shard's index. Keyed by info hash rather than
// slab index, which changes when Clean drops a torrent.
type rtcKey struct {
	ih InfoHash
	id [20]byte
}

// rtcCleanWork bounds, roughly, the peers and offers Clean looks at under
// one lock hold (tens of microseconds).
const rtcCleanWork = 4096

// rtcPoolKeep is how many records a shard with no torrent left may keep in
// its pools; beyond that they are given back to the GC.
const rtcPoolKeep = 1024

// rtcShardState is everything one shard lock, mu, guards (but cleanPos).
type rtcShardState struct {
	mu        sync.Mutex
	torrents  map[InfoHash]uint32 // index into slab; pointer-free, so not scanned
	slab      []rtcTorrent        // dense: Clean moves the last torrent into a hole
	peers     []rtcRec            // blocks; [0] unused
	free      [rtcClasses]uint32  // free blocks per class, linked through rtcRec.conn
	offers    []rtcOffer          // [0] unused
	offerFree uint32              // free offers, linked through rtcOffer.next
	nOffers   int                 // pending offers
	seeders   int                 // for Stats
	leechers  int
	dropped   uint64 // offers pushed out by MaxOffersPerPeer
	mapPeak   int    // len(torrents) high-water mark since the map was built

	// index holds the position of every peer of the torrents whose block
	// is of class rtcIndexClass or more; nil while there are none.
	index map[rtcKey]uint32

	cleanPos int // next slab index to sweep; guarded by RTCTable.cleanMu, not mu
}

// rtcShard is an rtcShardState padded to a multiple of 128 bytes, so that
// no two shard locks share a cache line (or an adjacent-line prefetch).
type rtcShard struct {
	_ [(128 - unsafe.Sizeof(rtcShardState{})%128) % 128]byte
	rtcShardState
}

func (s *rtcShard) init() {
	s.torrents = make(map[InfoHash]uint32)
	s.peers = make([]rtcRec, 1)
	s.offers = make([]rtcOffer, 1)
}

// counts returns the torrent's scrape figures at now.
func (tr *rtcTorrent) counts(now uint32) Counts {
	if tr.expire <= now { // every peer expired: Clean has not come by yet
		return Counts{Downloaded: tr.downloaded}
	}
	return Counts{Seeders: tr.n - tr.nl, Leechers: tr.nl, Downloaded: tr.downloaded}
}

// rec returns the record at position pos of tr. The pointer is valid until
// the peer pool grows (insert or shrink of any torrent of the shard).
func (s *rtcShard) rec(tr *rtcTorrent, pos int) *rtcRec {
	return &s.peers[tr.base+uint32(pos)]
}

// list returns tr's peers; valid like rec's pointers.
func (s *rtcShard) list(tr *rtcTorrent) []rtcRec {
	return s.peers[tr.base : tr.base+tr.n]
}

// find returns the position of peer id in tr, or -1: a linear scan of a
// small torrent, the index for a big one.
func (s *rtcShard) find(tr *rtcTorrent, id *[20]byte) int {
	if tr.indexed() {
		if pos, ok := s.index[rtcKey{tr.ih, *id}]; ok {
			return int(pos)
		}
		return -1
	}
	ps := s.list(tr)
	for i := range ps {
		if sameID(&ps[i].id, id) {
			return i
		}
	}
	return -1
}

// indexed reports whether tr's peers are in the shard's index.
func (tr *rtcTorrent) indexed() bool { return tr.base != 0 && tr.class >= rtcIndexClass }

// reindex records the position of the peer at pos of an indexed torrent,
// after a move; a position outside [0, tr.n) holds no peer and is skipped.
func (s *rtcShard) reindex(tr *rtcTorrent, pos int) {
	if tr.indexed() && pos >= 0 && pos < int(tr.n) {
		s.index[rtcKey{tr.ih, s.rec(tr, pos).id}] = uint32(pos)
	}
}

// setIndexed adds all of tr's peers to the index, or removes them all.
func (s *rtcShard) setIndexed(tr *rtcTorrent, on bool) {
	if on && s.index == nil {
		s.index = make(map[rtcKey]uint32, rtcBlockCap(tr.class))
	}
	for pos, p := range s.list(tr) {
		if on {
			s.index[rtcKey{tr.ih, p.id}] = uint32(pos)
		} else {
			delete(s.index, rtcKey{tr.ih, p.id})
		}
	}
	if len(s.index) == 0 {
		s.index = nil // a map never shrinks: give the memory back
	}
}

// sameID reports whether a == b. It compares words, last first: == on a
// [20]byte calls runtime.memequal, which took 60% of an announce to 10k
// peers, and a WebTorrent peer_id begins with the same 8 bytes in every
// browser ("-WW0208-"), then random ones.
func sameID(a, b *[20]byte) bool {
	return le.Uint64(a[12:]) == le.Uint64(b[12:]) &&
		le.Uint64(a[4:]) == le.Uint64(b[4:]) &&
		le.Uint32(a[:]) == le.Uint32(b[:])
}

// addTorrent appends an empty torrent for ih and returns its slab index.
func (s *rtcShard) addTorrent(ih *InfoHash) uint32 {
	ti := uint32(len(s.slab))
	s.slab = append(s.slab, rtcTorrent{ih: *ih})
	s.torrents[*ih] = ti
	s.mapPeak = max(s.mapPeak, len(s.torrents))
	return ti
}

// dropTorrent removes the torrent at slab index ti, which has no peers,
// moving the last one into its place, and gives memory back when the shard
// has shrunk a lot.
func (s *rtcShard) dropTorrent(ti int) {
	tr := &s.slab[ti]
	if tr.n != 0 {
		panic("BUG: dropping a torrent with peers")
	}
	if tr.base != 0 {
		s.freeBlock(tr.base, tr.class)
	}
	s.slab, s.torrents = removeTorrent(s.slab, s.torrents, &s.mapPeak, ti)
	// The pools cannot be compacted in place, but once the shard is empty
	// they hold nothing.
	if len(s.slab) == 0 && (cap(s.peers) > rtcPoolKeep || cap(s.offers) > rtcPoolKeep) {
		s.peers = make([]rtcRec, 1)
		s.free = [rtcClasses]uint32{}
		s.offers = make([]rtcOffer, 1)
		s.offerFree = 0
	}
}

// allocBlock returns the base of a free block of class c, growing the pool
// if none is free.
func (s *rtcShard) allocBlock(c uint8) uint32 {
	if b := s.free[c]; b != 0 {
		s.free[c] = uint32(s.peers[b].conn)
		return b
	}
	b := len(s.peers)
	size := int(rtcBlockCap(c))
	s.peers = slices.Grow(s.peers, size)[:b+size]
	clear(s.peers[b:])
	return uint32(b)
}

// freeBlock puts the block at base, of class c, on its free list.
func (s *rtcShard) freeBlock(base uint32, c uint8) {
	s.peers[base].conn = Conn(s.free[c])
	s.free[c] = base
}

// relocate moves tr's peers to a new block of class c (or to none if tr
// has no peers) and frees the old block.
func (s *rtcShard) relocate(tr *rtcTorrent, c uint8) {
	was := tr.indexed()
	var base uint32
	if tr.n > 0 {
		base = s.allocBlock(c) // may move s.peers: copy after
		copy(s.peers[base:base+tr.n], s.list(tr))
	}
	if tr.base != 0 {
		s.freeBlock(tr.base, tr.class) // after the copy: the link overwrites a record
	}
	tr.base, tr.class = base, c
	// Positions in the block do not change; crossing rtcIndexClass does.
	if now := tr.indexed(); now != was {
		s.setIndexed(tr, now)
	}
}

// shrink moves a torrent that Clean has thinned to a block with room to
// double, when it uses a quarter of its block or less.
func (s *rtcShard) shrink(tr *rtcTorrent) {
	switch {
	case tr.base == 0:
	case tr.n == 0:
		s.relocate(tr, 0)
	case tr.class > 0 && tr.n <= rtcBlockCap(tr.class)/4:
		s.relocate(tr, rtcClassFor(2*tr.n))
	}
}

// insert adds a peer to tr and returns its position, or -1 if tr is full.
func (s *rtcShard) insert(tr *rtcTorrent, id *[20]byte, conn Conn, exp uint32, seeder bool) int {
	switch {
	case tr.base == 0:
		tr.base, tr.class = s.allocBlock(0), 0
	case tr.n == rtcBlockCap(tr.class):
		if tr.class+1 >= rtcClasses {
			return -1
		}
		s.relocate(tr, tr.class+1)
	}
	ps := s.peers[tr.base : tr.base+tr.n+1]
	r := rtcRec{conn: conn, id: *id, expire: exp}
	pos := tr.n
	if seeder {
		ps[pos] = r
		s.seeders++
	} else {
		ps[pos] = ps[tr.nl] // the first seeder moves to the end
		pos = tr.nl
		ps[pos] = r
		tr.nl++
		s.leechers++
	}
	tr.n++
	s.reindex(tr, int(tr.n)-1) // the moved seeder, or the new peer itself
	s.reindex(tr, int(pos))
	return int(pos)
}

// removeAt removes the peer at position i of tr with its offers, filling
// the hole from a later position, and returns the number of offers freed.
func (s *rtcShard) removeAt(tr *rtcTorrent, i int) int {
	ps := s.list(tr)
	freed := s.freeOffers(&ps[i])
	if tr.indexed() {
		delete(s.index, rtcKey{tr.ih, ps[i].id})
	}
	n, nl := len(ps), int(tr.nl)
	if i < nl {
		ps[i] = ps[nl-1]   // the last leecher fills the hole
		ps[nl-1] = ps[n-1] // the last seeder fills the last leecher's place
		tr.nl--
		s.leechers--
	} else {
		ps[i] = ps[n-1]
		s.seeders--
	}
	ps[n-1] = rtcRec{}
	tr.n--
	s.reindex(tr, i)
	s.reindex(tr, nl-1)
	return freed
}

// setRole moves the peer at position i to the leecher or seeder part of tr
// and returns its new position.
func (s *rtcShard) setRole(tr *rtcTorrent, i int, seeder bool) int {
	ps := s.list(tr)
	nl := int(tr.nl)
	switch {
	case seeder && i < nl:
		ps[i], ps[nl-1] = ps[nl-1], ps[i]
		tr.nl--
		s.leechers--
		s.seeders++
		s.reindex(tr, i)
		s.reindex(tr, nl-1)
		return nl - 1
	case !seeder && i >= nl:
		ps[i], ps[nl] = ps[nl], ps[i]
		tr.nl++
		s.seeders--
		s.leechers++
		s.reindex(tr, i)
		s.reindex(tr, nl)
		return nl
	}
	return i
}

// pushOffer appends an offer to p's list, expiring at now + ttl, after
// dropping p's expired offers and, if p still has maxOffers, its oldest.
func (s *rtcShard) pushOffer(p *rtcRec, id *[20]byte, to *RTCPeer, now, ttl uint32, maxOffers int) {
	s.pruneOffers(p, now)
	if int(p.offN) >= maxOffers {
		s.unlinkOffer(p, 0, p.offHead)
		s.dropped++
	}
	var i uint32
	if i = s.offerFree; i != 0 {
		s.offerFree = s.offers[i].next
	} else {
		i = uint32(len(s.offers))
		s.offers = append(s.offers, rtcOffer{})
	}
	s.offers[i] = rtcOffer{id: *id, to: to.PeerID, toConn: to.Conn, expire: now + ttl}
	if p.offTail == 0 {
		p.offHead = i
	} else {
		s.offers[p.offTail].next = i
	}
	p.offTail = i
	p.offN++
	s.nOffers++
}

// unlinkOffer removes offer i, which follows prev (0 if it is the head) in
// p's list, and frees it.
func (s *rtcShard) unlinkOffer(p *rtcRec, prev, i uint32) {
	next := s.offers[i].next
	if prev == 0 {
		p.offHead = next
	} else {
		s.offers[prev].next = next
	}
	if p.offTail == i {
		p.offTail = prev
	}
	p.offN--
	s.offers[i] = rtcOffer{next: s.offerFree}
	s.offerFree = i
	s.nOffers--
}

// pruneOffers frees the expired offers at the head of p's list and returns
// how many. Offers are in arrival order with one TTL, so the expired ones
// are a prefix (up to the callers' clocks disagreeing by a second).
func (s *rtcShard) pruneOffers(p *rtcRec, now uint32) int {
	n := 0
	for p.offHead != 0 && s.offers[p.offHead].expire <= now {
		s.unlinkOffer(p, 0, p.offHead)
		n++
	}
	return n
}

// freeOffers frees all of p's offers and returns how many.
func (s *rtcShard) freeOffers(p *rtcRec) int {
	n := int(p.offN)
	for p.offHead != 0 {
		s.unlinkOffer(p, 0, p.offHead)
	}
	return n
}

// takeOffer removes p's offer id sent to answerer and reports whether it
// was there and fresh.
func (s *rtcShard) takeOffer(p *rtcRec, id *[20]byte, answerer *RTCPeer, now uint32) bool {
	s.pruneOffers(p, now)
	var prev uint32
	for i := p.offHead; i != 0; prev, i = i, s.offers[i].next {
		o := &s.offers[i]
		if o.id != *id || o.to != answerer.PeerID || o.toConn != answerer.Conn {
			continue
		}
		fresh := o.expire > now
		s.unlinkOffer(p, prev, i)
		return fresh
	}
	return false
}

// clean sweeps up to min(budget, cleanBatch) torrents of s from cleanPos,
// stopping early after about rtcCleanWork peers and offers, and reports
// whether it reached the end of the slab (and so rewound).
func (s *rtcShard) clean(now uint32, budget int, refused func(*InfoHash) bool, st *RTCCleanStats) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	work := 0
	for range min(budget, cleanBatch) {
		ti := s.cleanPos
		if ti >= len(s.slab) || work >= rtcCleanWork {
			break
		}
		st.Torrents++
		tr := &s.slab[ti]
		work += 1 + int(tr.n)
		if refused != nil && refused(&tr.ih) {
			for tr.n > 0 {
				st.OffersRemoved += s.removeAt(tr, int(tr.n)-1)
				st.PeersRemoved++
			}
			st.TorrentsRefused++
			s.dropTorrent(ti) // the last torrent moves to ti: sweep ti again
			continue
		}
		for i := 0; i < int(tr.n); {
			p := s.rec(tr, i)
			if p.expire <= now {
				// The hole is filled from a later position: look at i again.
				st.OffersRemoved += s.removeAt(tr, i)
				st.PeersRemoved++
				continue
			}
			work += int(p.offN)
			st.OffersRemoved += s.pruneOffers(p, now)
			i++
		}
		s.shrink(tr)
		if tr.n == 0 && tr.expire <= now {
			s.dropTorrent(ti) // the last torrent moves to ti: sweep ti again
			st.TorrentsRemoved++
		} else {
			s.cleanPos++
		}
	}
	if s.cleanPos >= len(s.slab) {
		s.cleanPos = 0
		return true
	}
	return false
}

// appendTargets appends up to k live peers of tr chosen uniformly at random
// without repetition from positions [0, hi), except self, as in
// plist.appendSample (sample.go): every live candidate when k covers them,
// a partial Fisher-Yates shuffle when candidates are at most 2k, else
// rejection sampling with the drawn positions in a stack hash set.
func (s *rtcShard) appendTargets(dst []RTCPeer, tr *rtcTorrent, hi, self, k int, now uint32) []RTCPeer {
	ps := s.list(tr)
	m := hi
	if self >= 0 && self < hi {
		m--
	} else {
		self = hi // no position p >= self below
	}
	switch {
	case k <= 0 || m <= 0:
		return dst
	case k >= m:
		for p := range hi {
			if p != self && ps[p].expire > now {
				dst = append(dst, RTCPeer{PeerID: ps[p].id, Conn: ps[p].conn})
			}
		}
		return dst
	case m <= 2*k:
		var pos [2 * MaxRTCNumWant]uint16 // m <= 2k <= 164 candidates
		live := 0
		for p := range hi {
			if p != self && ps[p].expire > now {
				pos[live] = uint16(p)
				live++
			}
		}
		var r rng
		for i := range min(k, live) {
			j := i + int(r.uint32n(uint32(live-i)))
			pos[i], pos[j] = pos[j], pos[i]
			q := &ps[pos[i]]
			dst = append(dst, RTCPeer{PeerID: q.id, Conn: q.conn})
		}
		return dst
	}
	draws := 4*k + 16 // enough unless most candidates are dead
	if draws*4 <= 128*3 {
		var set [128]uint32 // stack arrays, at most 3/4 full: zeroed only in the branch taken
		return appendSparse(dst, ps, m, self, k, now, set[:], draws)
	}
	var set [512]uint32
	return appendSparse(dst, ps, m, self, k, now, set[:], draws)
}

var _ [512*3 - (4*MaxRTCNumWant+16)*4]struct{} // compile-time: the big set is big enough

// appendSparse draws candidate numbers j in [0, m) at random, skipping
// repeats (set, a power of two long, holds j+1) and dead peers, for at most
// draws draws. Candidate j is position j, or j+1 from self on.
func appendSparse(dst []RTCPeer, ps []rtcRec, m, self, k int, now uint32, set []uint32, draws int) []RTCPeer {
	mask := uint32(len(set) - 1)
	shift := 32 - uint32(bits.Len32(mask))
	var r rng
	for got := 0; draws > 0 && got < k; draws-- {
		j := r.uint32n(uint32(m))
		h := (j * 0x9E3779B1) >> shift // Fibonacci hashing: spreads runs of j
		for set[h] != 0 && set[h] != j+1 {
			h = (h + 1) & mask
		}
		if set[h] != 0 {
			continue
		}
		set[h] = j + 1
		p := int(j)
		if p >= self {
			p++
		}
		if q := &ps[p]; q.expire > now {
			dst = append(dst, RTCPeer{PeerID: q.id, Conn: q.conn})
			got++
		}
	}
	return dst
}
