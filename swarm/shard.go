package swarm

import (
	"hash/maphash"
	"sync"
	"unsafe"
)

// shardState is everything one shard lock, mu, guards (but cleanPos).
type shardState struct {
	mu       sync.Mutex
	torrents map[InfoHash]uint32 // index into slab; pointer-free, so not scanned
	slab     []torrent           // dense: Clean moves the last torrent into a hole
	arena    arena               // peer-list blocks
	bigs     []bigList           // lists of more than maxPooled peers
	bigFree  []uint32            // free bigs slots
	seed     maphash.Seed        // bigList index hash: peers choose their ports
	leechers [2]int              // per family, for Stats
	seeders  [2]int
	mapPeak  int // len(torrents) high-water mark since the map was built

	cleanPos int // next slab index to sweep; guarded by Table.cleanMu, not mu
}

// shard is a shardState padded to a multiple of 128 bytes (two cache lines,
// for the adjacent-line prefetcher), so that no two shard locks share a
// line. The padding goes first: a zero-size last field would itself add
// padding.
type shard struct {
	_ [(128 - unsafe.Sizeof(shardState{})%128) % 128]byte
	shardState
}

// bigList holds a list of more than maxPooled peers in its own slices, with
// an open-addressing index from (address, port) to position, so that an
// announce costs O(1) however big the swarm. There are few of them, so their
// slice headers are all the GC scans. Guarded by its shard's mutex.
type bigList struct {
	recs []byte   // cap × record size
	idx  []uint32 // 2 × cap slots; slot = position+1, 0 = empty
}

func (s *shard) init(seed maphash.Seed) {
	s.torrents = make(map[InfoHash]uint32)
	s.seed = seed
	s.arena.init()
}

// addTorrent appends an empty torrent for ih and returns its slab index.
func (s *shard) addTorrent(ih *InfoHash) uint32 {
	ti := uint32(len(s.slab))
	s.slab = append(s.slab, torrent{ih: *ih})
	s.torrents[*ih] = ti
	s.mapPeak = max(s.mapPeak, len(s.torrents))
	return ti
}

// dropTorrent removes the torrent at slab index ti, moving the last one into
// its place, and gives memory back when the shard has shrunk a lot.
func (s *shard) dropTorrent(ti int) {
	tr := &s.slab[ti]
	for fam := range 2 {
		s.release(tr, fam)
		s.leechers[fam] -= int(tr.nl[fam])
		s.seeders[fam] -= int(tr.n[fam] - tr.nl[fam])
	}
	s.slab, s.torrents = removeTorrent(s.slab, s.torrents, &s.mapPeak, ti)
}

// view points l at family fam's list of tr. The view is valid while the
// shard lock is held and until the next relocate of that list or addTorrent.
func (s *shard) view(l *plist, tr *torrent, fam int) {
	l.rs = recSize[fam]
	l.n = int(tr.n[fam])
	l.nl = int(tr.nl[fam])
	l.track = -1
	l.seed = s.seed
	l.idx = nil
	switch st := tr.st[fam]; st {
	case stEmpty:
		l.recs = nil
	case stInline:
		l.recs = tr.inl[:]
	case stBig:
		b := &s.bigs[tr.ref[fam]]
		l.recs, l.idx = b.recs, b.idx
	default:
		c := int(st - stArena)
		l.recs = s.arena.block(tr.ref[fam], blockBytes(fam, c))
	}
}

// store writes l's counts back to tr and keeps the shard totals in step.
func (s *shard) store(tr *torrent, fam int, l *plist) {
	dn, dnl := l.n-int(tr.n[fam]), l.nl-int(tr.nl[fam])
	s.leechers[fam] += dnl
	s.seeders[fam] += dn - dnl
	tr.n[fam], tr.nl[fam] = uint32(l.n), uint32(l.nl)
}

// grow moves a full list to the next bigger storage.
func (s *shard) grow(tr *torrent, fam int, l *plist) {
	switch st := tr.st[fam]; {
	case st == stBig:
		s.relocate(tr, fam, l, stBig, 2*l.cap())
	case l.n+1 > maxPooled:
		s.relocate(tr, fam, l, stBig, 2*maxPooled)
	default:
		s.relocate(tr, fam, l, stateFor(fam, l.n+1), 0)
	}
}

// shrink moves a list that Clean has thinned to smaller storage, with room
// to grow by half again, so that a list at a class boundary does not bounce.
func (s *shard) shrink(tr *torrent, fam int, l *plist) {
	cur := tr.st[fam]
	switch {
	case l.n == 0:
		if cur != stEmpty {
			s.relocate(tr, fam, l, stEmpty, 0)
		}
	case fam == fam4 && l.n <= inlinePeers:
		if cur != stInline {
			s.relocate(tr, fam, l, stInline, 0)
		}
	case cur == stBig:
		if l.n <= maxPooled/2 {
			s.relocate(tr, fam, l, stateFor(fam, l.n+l.n/2), 0)
		} else if c := bigCapFor(l.n); 2*c <= l.cap() {
			s.relocate(tr, fam, l, stBig, c)
		}
	default:
		want := stateFor(fam, min(l.n+l.n/2, maxPooled))
		if 2*capOf(want) <= l.cap() {
			s.relocate(tr, fam, l, want, 0)
		}
	}
}

// relocate copies family fam's list of tr into new storage of state st
// (bigCap peers if st is stBig), frees the old storage and repoints l.
func (s *shard) relocate(tr *torrent, fam int, l *plist, st uint8, bigCap int) {
	old, oldRef := tr.st[fam], tr.ref[fam]
	var recs []byte
	var idx []uint32
	var ref uint32
	switch st {
	case stEmpty:
	case stInline:
		recs = tr.inl[:]
	case stBig:
		recs = make([]byte, bigCap*l.rs)
		idx = make([]uint32, 2*bigCap)
		if old == stBig {
			ref = oldRef
		} else {
			ref = s.newBig()
		}
	default:
		c := int(st - stArena)
		ref = s.arena.alloc(fam, c)
		recs = s.arena.block(ref, blockBytes(fam, c))
	}
	copy(recs, l.recs[:l.n*l.rs])
	if old != stBig || st != stBig {
		s.release(tr, fam) // after the copy: a freed block holds a free-list link
	}
	tr.st[fam], tr.ref[fam] = st, ref
	l.recs, l.idx = recs, idx
	if st == stBig {
		s.bigs[ref] = bigList{recs: recs, idx: idx}
		for i := range l.n {
			l.indexAdd(i)
		}
	}
}

// release frees family fam's storage of tr, leaving it stEmpty.
func (s *shard) release(tr *torrent, fam int) {
	switch st := tr.st[fam]; st {
	case stEmpty, stInline:
	case stBig:
		s.bigs[tr.ref[fam]] = bigList{}
		s.bigFree = append(s.bigFree, tr.ref[fam])
	default:
		s.arena.release(fam, int(st-stArena), tr.ref[fam])
	}
	tr.st[fam], tr.ref[fam] = stEmpty, 0
}

func (s *shard) newBig() uint32 {
	if n := len(s.bigFree); n > 0 {
		ref := s.bigFree[n-1]
		s.bigFree = s.bigFree[:n-1]
		return ref
	}
	s.bigs = append(s.bigs, bigList{})
	return uint32(len(s.bigs) - 1)
}
