package swarm

import "runtime"

// CleanStats reports what one Clean call did. It is a plain value.
type CleanStats struct {
	Torrents        int // torrents swept
	TorrentsRemoved int // empty torrents dropped
	PeersRemoved    int // expired peers removed
	Wrapped         int // shards whose sweep reached their end during the call
	TorrentsRefused int // dropped with their peers: refused by CleanRefused's predicate
}

// cleanBatch is how many torrents Clean sweeps under one lock hold: small
// lists cost at most maxPooled record checks each, so a hold stays in the
// tens of microseconds.
const cleanBatch = 64

// cleanChunk is how many peers of a bigList Clean checks under one lock hold
// before letting announces in. A variable so that tests can make it small.
var cleanChunk = 4096

// Clean sweeps up to maxTorrents torrents, resuming where the previous call
// stopped and going round the shards in turn. It removes the peers expired
// at now, shrinks peer storage that has emptied out, and drops torrents with
// no peers whose last announce is older than the peer timeout (their
// downloaded count goes with them, as in opentracker: keeping it would let
// anyone grow the table by completing made-up torrents).
//
// It holds one shard lock at a time, for at most cleanBatch torrents or
// cleanChunk peers of one big swarm; it never stops the world. Concurrent
// calls are serialised. A full round over the table therefore takes
// Stats().Torrents / maxTorrents calls; make that a fraction of the peer
// timeout, since expired peers still count in Scrape until swept (they are
// never returned by Announce).
func (t *Table) Clean(now uint32, maxTorrents int) CleanStats {
	return t.CleanRefused(now, maxTorrents, nil)
}

// CleanRefused is Clean that also drops, whole and with their peers, the
// torrents for which refused returns true: those an access list changed
// since they were announced no longer serves. A nil refused is Clean.
//
// refused is called under a shard lock, once per torrent swept: it must be
// quick, take no lock and not call into t (a lookup in an immutable set).
func (t *Table) CleanRefused(now uint32, maxTorrents int, refused func(*InfoHash) bool) CleanStats {
	var st CleanStats
	t.cleanMu.Lock()
	defer t.cleanMu.Unlock()
	for st.Wrapped < len(t.shards) && st.Torrents < maxTorrents {
		s := &t.shards[t.cleanShard]
		if s.clean(now, maxTorrents-st.Torrents, refused, &st) {
			t.cleanShard = (t.cleanShard + 1) & int(t.mask)
			st.Wrapped++
		}
	}
	return st
}

// clean sweeps up to min(budget, cleanBatch) torrents of s from cleanPos,
// dropping those refused (if not nil) reports, and says whether it
// reached the end of the slab (and so rewound).
func (s *shard) clean(now uint32, budget int, refused func(*InfoHash) bool, st *CleanStats) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range min(budget, cleanBatch) {
		ti := s.cleanPos
		if ti >= len(s.slab) {
			break
		}
		st.Torrents++
		if refused != nil && refused(&s.slab[ti].ih) {
			tr := &s.slab[ti]
			st.PeersRemoved += int(tr.n[fam4] + tr.n[fam6])
			st.TorrentsRefused++
			s.dropTorrent(ti) // the last torrent moves to ti: sweep ti again
			continue
		}
		for fam := range 2 {
			st.PeersRemoved += s.cleanList(ti, fam, now)
		}
		tr := &s.slab[ti] // after cleanList: the slab may have grown meanwhile
		if tr.n[fam4] == 0 && tr.n[fam6] == 0 && tr.expire <= now {
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

// cleanList removes the expired peers of family fam of torrent ti and
// shrinks its storage. For a bigList it lets go of the lock between chunks;
// the torrent stays at ti meanwhile, since only Clean moves torrents in the
// slab or makes a bigList small, and Clean holds Table.cleanMu.
func (s *shard) cleanList(ti, fam int, now uint32) int {
	tr := &s.slab[ti]
	if tr.st[fam] == stEmpty {
		return 0
	}
	var l plist
	s.view(&l, tr, fam)
	removed := 0
	for i := 0; ; {
		for seen := 0; i < l.n && seen < cleanChunk; seen++ {
			if l.expiry(i) <= now {
				l.remove(i) // fills i from a later position: look at i again
				removed++
			} else {
				i++
			}
		}
		s.store(tr, fam, &l)
		if i >= l.n || l.idx == nil {
			break
		}
		s.mu.Unlock()
		runtime.Gosched() // a plain Unlock+Lock would usually win the lock back
		s.mu.Lock()
		tr = &s.slab[ti]
		s.view(&l, tr, fam)
	}
	s.shrink(tr, fam, &l)
	return removed
}
