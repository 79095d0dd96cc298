package swarm

import (
	"math/rand/v2"
	"testing"
)

// rtcModel is a plain reference implementation of the RTCTable semantics,
// with maps and slices.
type rtcModel struct {
	cfg      RTCConfig
	torrents map[InfoHash]*rtcModelTorrent
	dropped  uint64
}

type rtcModelTorrent struct {
	peers      map[[20]byte]*rtcModelPeer
	downloaded uint32
	expire     uint32
}

type rtcModelPeer struct {
	conn   Conn
	seeder bool
	exp    uint32
	offers []rtcOffer // oldest first
}

func (mt *rtcModelTorrent) counts(now uint32) Counts {
	c := Counts{Downloaded: mt.downloaded}
	if mt.expire <= now {
		return c
	}
	for _, p := range mt.peers { // expired peers count until Clean
		if p.seeder {
			c.Seeders++
		} else {
			c.Leechers++
		}
	}
	return c
}

func (m *rtcModel) announce(a *RTCAnnounce, now uint32) (Counts, error) {
	mt := m.torrents[a.InfoHash]
	if mt == nil {
		if a.Event == EventStopped {
			return Counts{}, nil
		}
		mt = &rtcModelTorrent{peers: map[[20]byte]*rtcModelPeer{}}
		m.torrents[a.InfoHash] = mt
	}
	p := mt.peers[a.PeerID]
	if p != nil && p.conn != a.Conn {
		if p.exp > now {
			return Counts{}, ErrPeerIDTaken
		}
		delete(mt.peers, a.PeerID)
		p = nil
	}
	if a.Event == EventStopped {
		delete(mt.peers, a.PeerID)
		return mt.counts(now), nil
	}
	seeder := a.Seeder || a.Event == EventCompleted
	if a.Event == EventCompleted && !(p != nil && p.seeder && p.exp > now) {
		mt.downloaded++
	}
	if p == nil {
		p = &rtcModelPeer{conn: a.Conn}
		mt.peers[a.PeerID] = p
	}
	p.seeder, p.exp = seeder, now+m.cfg.PeerTimeoutSec
	mt.expire = p.exp
	return mt.counts(now), nil
}

func (m *rtcModel) prune(p *rtcModelPeer, now uint32) {
	for len(p.offers) > 0 && p.offers[0].expire <= now {
		p.offers = p.offers[1:]
	}
}

func (m *rtcModel) push(p *rtcModelPeer, id [20]byte, to RTCPeer, now uint32) {
	m.prune(p, now)
	if len(p.offers) >= m.cfg.MaxOffersPerPeer {
		p.offers = p.offers[1:]
		m.dropped++
	}
	p.offers = append(p.offers, rtcOffer{id: id, to: to.PeerID, toConn: to.Conn, expire: now + m.cfg.OfferTTLSec})
}

func (m *rtcModel) register(ih InfoHash, id [20]byte, from, to RTCPeer, now uint32) error {
	mt := m.torrents[ih]
	if mt == nil {
		return ErrUnknownPeer
	}
	p := mt.peers[from.PeerID]
	if p == nil || p.conn != from.Conn || p.exp <= now {
		return ErrUnknownPeer
	}
	m.push(p, id, to, now)
	return nil
}

func (m *rtcModel) take(ih InfoHash, id [20]byte, answerer RTCPeer, to [20]byte, now uint32) (Conn, error) {
	mt := m.torrents[ih]
	if mt == nil {
		return 0, ErrUnknownOffer
	}
	p := mt.peers[to]
	if p == nil || p.exp <= now {
		return 0, ErrUnknownOffer
	}
	m.prune(p, now)
	for i, o := range p.offers {
		if o.id == id && o.to == answerer.PeerID && o.toConn == answerer.Conn {
			p.offers = append(p.offers[:i:i], p.offers[i+1:]...)
			if o.expire > now {
				return p.conn, nil
			}
			return 0, ErrUnknownOffer
		}
	}
	return 0, ErrUnknownOffer
}

func (m *rtcModel) remove(ih InfoHash, id [20]byte, conn Conn) bool {
	mt := m.torrents[ih]
	if mt == nil || mt.peers[id] == nil || mt.peers[id].conn != conn {
		return false
	}
	delete(mt.peers, id)
	return true
}

// clean is a full sweep.
func (m *rtcModel) clean(now uint32) {
	for ih, mt := range m.torrents {
		for id, p := range mt.peers {
			if p.exp <= now {
				delete(mt.peers, id)
			} else {
				m.prune(p, now)
			}
		}
		if len(mt.peers) == 0 && mt.expire <= now {
			delete(m.torrents, ih)
		}
	}
}

func (m *rtcModel) stats() RTCStats {
	st := RTCStats{Torrents: uint64(len(m.torrents)), OffersDropped: m.dropped}
	for _, mt := range m.torrents {
		for _, p := range mt.peers {
			if p.seeder {
				st.Seeders++
			} else {
				st.Leechers++
			}
			st.Offers += uint64(len(p.offers))
		}
	}
	return st
}

// checkTargets checks the targets of announce a (applied to the model
// already) and registers their offers in the model.
func (m *rtcModel) checkTargets(t *testing.T, step int, a *RTCAnnounce, dst []RTCPeer, now uint32) {
	t.Helper()
	if a.Event == EventStopped {
		if len(dst) != 0 {
			t.Fatalf("step %d: stopped got %d targets", step, len(dst))
		}
		return
	}
	mt := m.torrents[a.InfoHash]
	self := mt.peers[a.PeerID]
	cand, dead := 0, false
	for id, p := range mt.peers {
		if p.exp <= now {
			dead = true
		} else if id != a.PeerID && (!self.seeder || !p.seeder) {
			cand++
		}
	}
	k := min(a.NumWant, m.cfg.NumWantMax)
	if a.OfferIDs != nil {
		k = min(k, len(a.OfferIDs))
	}
	want := max(min(k, cand), 0)
	// The sampler's draws are bounded, so a list with expired peers in it
	// (not yet swept) may give fewer.
	if len(dst) > want || (len(dst) < want && !dead) {
		t.Fatalf("step %d: %d targets, want %d (k %d, candidates %d, dead %v)", step, len(dst), want, k, cand, dead)
	}
	seen := map[[20]byte]bool{}
	for i, d := range dst {
		p := mt.peers[d.PeerID]
		switch {
		case p == nil || p.conn != d.Conn || d.PeerID == a.PeerID || p.exp <= now || (self.seeder && p.seeder):
			t.Fatalf("step %d: target %+v is not a candidate (%+v)", step, d, p)
		case seen[d.PeerID]:
			t.Fatalf("step %d: target %x twice", step, d.PeerID)
		}
		seen[d.PeerID] = true
		if a.OfferIDs != nil {
			m.push(self, a.OfferIDs[i], d, now)
		}
	}
}

// TestRTC_Model runs random announces (with offers, from thieves and from
// reconnected browsers), answers, registrations, removals and Cleans, with
// time passing, against the model: every result must agree.
func TestRTC_Model(t *testing.T) {
	steps := 100_000
	if testing.Short() || raceEnabled {
		steps = 10_000
	}
	cfg := RTCConfig{Shards: 2, NumWantMax: 12, PeerTimeoutSec: 300, OfferTTLSec: 60, MaxOffersPerPeer: 20}
	tb := NewRTC(cfg)
	m := &rtcModel{cfg: tb.Config(), torrents: map[InfoHash]*rtcModelTorrent{}}
	r := rand.New(rand.NewPCG(9, 9))
	now := uint32(t0)
	type sent struct {
		ih       InfoHash
		id       [20]byte
		from, to RTCPeer
	}
	var recent [64]sent // offers relayed lately, for answers
	nSent := 0
	ids := make([][20]byte, 16)
	var dst []RTCPeer
	peerOf := func(ti int) RTCPeer {
		i := r.IntN(40 + 300*(ti/3)) // torrent 3 gets big
		p := rtcPeerOf(i)
		switch x := r.IntN(20); {
		case x == 0:
			p.Conn = MakeConn(9, 9, 9) // a thief
		case x < 4:
			p.Conn = MakeConn(p.Conn.Loop(), p.Conn.Slot(), 2) // reconnected
		}
		return p
	}
	for step := range steps {
		switch x := r.IntN(5000); {
		case x == 0:
			now += 400 // everybody goes quiet: mass expiry
		case x <= 100:
			now += uint32(r.IntN(10))
		}
		ti := min(r.IntN(6), 3) // torrent 3 gets half the traffic
		ih := ihOf(ti)
		switch op := r.IntN(40); {
		case op == 0:
			tb.Clean(now, 1<<30)
			m.clean(now)
			tb.check(t)
		case op < 8 && nSent > 0: // an answer to a relayed offer
			s := recent[r.IntN(min(nSent, len(recent)))]
			answerer := s.to
			if r.IntN(10) == 0 {
				answerer.Conn++ // from the wrong connection
			}
			gotC, gotErr := tb.TakeOffer(&s.ih, &s.id, &answerer, &s.from.PeerID, now)
			wantC, wantErr := m.take(s.ih, s.id, answerer, s.from.PeerID, now)
			if gotC != wantC || gotErr != wantErr {
				t.Fatalf("step %d: TakeOffer %#x %v, model %#x %v", step, uint64(gotC), gotErr, uint64(wantC), wantErr)
			}
		case op < 10: // a registration from anyone
			from, to, id := peerOf(ti), peerOf(ti), offerID(r.IntN(30))
			if got, want := tb.RegisterOffer(&ih, &id, &from, &to, now), m.register(ih, id, from, to, now); got != want {
				t.Fatalf("step %d: RegisterOffer %v, model %v", step, got, want)
			}
		case op < 13: // a connection closes
			p := peerOf(ti)
			if got, want := tb.Remove(&ih, &p.PeerID, p.Conn), m.remove(ih, p.PeerID, p.Conn); got != want {
				t.Fatalf("step %d: Remove %v, model %v", step, got, want)
			}
		default:
			p := peerOf(ti)
			a := RTCAnnounce{InfoHash: ih, PeerID: p.PeerID, Conn: p.Conn, Seeder: r.IntN(3) == 0, NumWant: r.IntN(16) - 2}
			switch x := r.IntN(20); {
			case x < 2:
				a.Event = EventStopped
			case x < 4:
				a.Event = EventCompleted
			case x < 6:
				a.Event = EventStarted
			}
			if r.IntN(3) > 0 {
				n := r.IntN(len(ids) + 1)
				for i := range n {
					ids[i] = offerID(r.IntN(30))
				}
				a.OfferIDs = ids[:n]
			}
			var c Counts
			var err error
			dst, c, err = tb.Announce(dst[:0], &a, now)
			wantC, wantErr := m.announce(&a, now)
			if c != wantC || err != wantErr {
				t.Fatalf("step %d: Announce %+v %v, model %+v %v", step, c, err, wantC, wantErr)
			}
			if err == nil {
				m.checkTargets(t, step, &a, dst, now)
				for i, d := range dst {
					if a.OfferIDs != nil {
						recent[nSent%len(recent)] = sent{ih, a.OfferIDs[i], p, d}
						nSent++
					}
				}
			}
		}
		if got, want := tb.Scrape(&ih, now), m.torrentCounts(ih, now); got != want {
			t.Fatalf("step %d: Scrape %+v, model %+v", step, got, want)
		}
		if step%100 == 0 {
			if got, want := tb.Stats(), m.stats(); got != want {
				t.Fatalf("step %d: Stats %+v, model %+v", step, got, want)
			}
		}
	}
	st := tb.Stats()
	if st.OffersDropped == 0 || nSent == 0 {
		t.Errorf("the test misses a path: %+v, %d offers relayed", st, nSent)
	}
	tb.check(t)
}

func (m *rtcModel) torrentCounts(ih InfoHash, now uint32) Counts {
	if mt := m.torrents[ih]; mt != nil {
		return mt.counts(now)
	}
	return Counts{}
}
