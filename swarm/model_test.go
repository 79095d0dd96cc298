package swarm

import (
	"math/rand/v2"
	"testing"
)

// model is a plain reference implementation of the swarm semantics.
type model struct {
	tb       *Table // the table under test, for checkReply
	timeout  uint32
	torrents map[InfoHash]*modelTorrent
}

type modelTorrent struct {
	peers      map[string]modelPeer // by compact form
	downloaded uint32
	expire     uint32
}

type modelPeer struct {
	seeder bool
	exp    uint32
}

func (m *model) announce(a *AnnounceArgs, now uint32) {
	mt := m.torrents[a.InfoHash]
	if mt == nil {
		if a.Event == EventStopped {
			return
		}
		mt = &modelTorrent{peers: map[string]modelPeer{}}
		m.torrents[a.InfoHash] = mt
	}
	k := compact(a.Peer)
	if a.Event == EventStopped {
		delete(mt.peers, k)
		return
	}
	old, ok := mt.peers[k]
	if a.Event == EventCompleted && !(ok && old.exp > now && old.seeder) {
		mt.downloaded++
	}
	mt.peers[k] = modelPeer{seeder: a.Peer.Seeder, exp: now + m.timeout}
	mt.expire = now + m.timeout
}

// clean is a full sweep.
func (m *model) clean(now uint32) {
	for ih, mt := range m.torrents {
		for k, p := range mt.peers {
			if p.exp <= now {
				delete(mt.peers, k)
			}
		}
		if len(mt.peers) == 0 && mt.expire <= now {
			delete(m.torrents, ih)
		}
	}
}

func (m *model) counts(ih InfoHash, now uint32) Counts {
	mt := m.torrents[ih]
	if mt == nil {
		return Counts{}
	}
	c := Counts{Downloaded: mt.downloaded}
	for _, p := range mt.peers {
		switch {
		case p.exp <= now:
		case p.seeder:
			c.Seeders++
		default:
			c.Leechers++
		}
	}
	return c
}

// TestTable_Model runs random announces, with time passing and Clean
// running now and then, against the model: every reply must be a set of
// distinct live candidates of the right size, and after a full Clean every
// count must match.
func TestTable_Model(t *testing.T) {
	steps := 100_000
	if testing.Short() || raceEnabled {
		steps = 20_000
	}
	r := rand.New(rand.NewPCG(6, 6))
	tb := New(Config{Shards: 2, PeerTimeoutSec: 300, NumWantMax: 100})
	m := &model{tb: tb, timeout: 300, torrents: map[InfoHash]*modelTorrent{}}
	now := uint32(t0)
	for step := range steps {
		switch x := r.IntN(5000); {
		case x == 0: // everybody goes quiet: mass expiry
			now += 400
		case x <= 25: // about 0.1 s per announce: ~3000 announces per timeout
			now += uint32(r.IntN(40))
		}
		if r.IntN(2000) == 0 {
			tb.Clean(now, 1<<30)
			m.clean(now)
			tb.check(t)
			for ih := range m.torrents {
				if got, want := tb.Scrape(&ih, now), m.counts(ih, now); got != want {
					t.Fatalf("step %d: Scrape %+v, model %+v", step, got, want)
				}
			}
			if st := tb.Stats(); int(st.Torrents) != len(m.torrents) {
				t.Fatalf("step %d: %d torrents, model %d", step, st.Torrents, len(m.torrents))
			}
		}
		ti := min(r.IntN(6), 3) // torrent 3 gets half the announces
		var p Peer
		if r.IntN(4) == 0 {
			p = peer6(r.IntN(40), r.IntN(3) == 0)
		} else {
			p = peer4(r.IntN(100+ti*200), r.IntN(3) == 0) // torrent 3 gets big
		}
		a := AnnounceArgs{InfoHash: ihOf(ti), Peer: p, NumWant: r.IntN(120) - 10, BothFamilies: r.IntN(2) == 0}
		switch x := r.IntN(20); {
		case x < 2:
			a.Event = EventStopped
		case x < 4:
			a.Event = EventCompleted
		case x < 6:
			a.Event = EventStarted
		}
		d4, d6, c := tb.Announce(nil, nil, &a, now)
		m.announce(&a, now)
		want := m.counts(a.InfoHash, now)
		if c.Downloaded != want.Downloaded || c.Seeders < want.Seeders || c.Leechers < want.Leechers {
			t.Fatalf("step %d: counts %+v, model %+v", step, c, want)
		}
		checkReply(t, step, m, &a, now, tb.numWant(a.NumWant), split(t, d4, 6), split(t, d6, 18))
	}
	if len(tb.shards[0].bigs)+len(tb.shards[1].bigs) == 0 {
		t.Error("no bigList was made: the test misses that path")
	}
}

// checkReply checks a reply against the model's live candidates.
func checkReply(t *testing.T, step int, m *model, a *AnnounceArgs, now uint32, k int, v4, v6 []string) {
	t.Helper()
	if a.Event == EventStopped {
		if len(v4)+len(v6) != 0 {
			t.Fatalf("step %d: stopped got peers", step)
		}
		return
	}
	mt := m.torrents[a.InfoHash]
	var cand [2]int // live candidates per family
	self := compact(a.Peer)
	for key, p := range mt.peers {
		if key == self || p.exp <= now || (a.Peer.Seeder && p.seeder) {
			continue
		}
		cand[len(key)/18]++
	}
	own, other := 0, 1
	if a.Peer.V6 {
		own, other = 1, 0
	}
	got := [2][]string{v4, v6}
	for fam, list := range got {
		for _, key := range list {
			p, ok := mt.peers[key]
			if !ok || key == self || p.exp <= now || (a.Peer.Seeder && p.seeder) {
				t.Fatalf("step %d: returned %x: listed %v, %+v, asker %+v", step, key, ok, p, a.Peer)
			}
			if len(key) != []int{6, 18}[fam] {
				t.Fatalf("step %d: wrong family", step)
			}
		}
	}
	wantOwn := min(k, cand[own])
	wantOther := 0
	if a.BothFamilies {
		wantOther = min(k-len(got[own]), cand[other])
	}
	// Small lists hold no dead peers after an announce, so their replies
	// have exactly the size wanted. A bigList may hold dead peers until
	// Clean, and the sampler's draws are bounded: it may come up short.
	for _, c := range []struct{ fam, want int }{{own, wantOwn}, {other, wantOther}} {
		n := len(got[c.fam])
		if n > c.want || (n < c.want && !m.tb.holdsDead(a.InfoHash, c.fam, now)) {
			t.Fatalf("step %d: got %d peers of family %d, want %d (k %d, candidates %v)", step, n, c.fam, c.want, k, cand)
		}
	}
}

// holdsDead reports whether family fam's list of ih holds expired peers.
func (t *Table) holdsDead(ih InfoHash, fam int, now uint32) bool {
	s := t.shard(&ih)
	s.mu.Lock()
	defer s.mu.Unlock()
	ti, ok := s.torrents[ih]
	if !ok {
		return false
	}
	var l plist
	s.view(&l, &s.slab[ti], fam)
	for i := range l.n {
		if l.expiry(i) <= now {
			return true
		}
	}
	return false
}
