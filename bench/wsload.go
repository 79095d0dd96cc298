package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// WSConfig configures LoadWS. Zero fields get the defaults of
// DefaultWSConfig.
type WSConfig struct {
	Target netip.AddrPort
	Path   string // the upgrade path
	Conns  int    // WebSocket connections, one simulated peer each
	Offers int    // offers per announce
	// Torrents is how many of the most popular torrents every peer
	// announces on, in turn. Browsers seed a few torrents each, and
	// trackers bound the torrents of one connection (trackerd: 64).
	Torrents int
	// Crowd is how many more browsers join before the clock starts: each
	// connects, announces once (with Offers offers) on one of the Torrents
	// torrents in turn, and then stays quiet but for answering the offers
	// relayed to it, as browsers do between their announces (every two
	// minutes). It sets the swarm sizes a tracker works with; 0 keeps the
	// swarms at Conns peers.
	Crowd       int
	SeederRatio float64 // announces with left=0 and event=completed
	Timeout     time.Duration
	Warmup      time.Duration
	Duration    time.Duration
	ServerPID   int
	Seed        uint64
}

// DefaultWSConfig returns aquatic_ws_load_test's defaults: 16 connections,
// 10 offers per announce, 25% seeders; plus a 1 s timeout and 10 torrents
// per peer, the 10 most popular, so that every announce finds other peers
// to offer to (aquatic sends most announces to a few torrents too).
func DefaultWSConfig() WSConfig {
	return WSConfig{
		Path: "/announce", Conns: 16, Offers: 10, Torrents: 10, SeederRatio: 0.25,
		Timeout: time.Second, Warmup: 3 * time.Second, Duration: 15 * time.Second,
		Seed: DefaultSeed,
	}
}

// crowdJoinLimit bounds the time the crowd takes to join.
const crowdJoinLimit = 3 * time.Minute

// recentOffers is how many of its own offer ids a connection remembers to
// match answers against.
const recentOffers = 4096

// LoadWS runs the WebTorrent load of cfg: each connection is one peer that
// announces on the cfg.Torrents most popular torrents in turn, each time
// with cfg.Offers offers, and waits for the announce reply before the next
// announce; every offer the tracker relays
// to it is answered at once, and every answer relayed back is matched with
// an offer it made. Responses counted are announce replies, offers and
// answers received; every message is validated.
func LoadWS(w *Workload, cfg WSConfig) (*Result, error) {
	d := DefaultWSConfig()
	if cfg.Conns <= 0 {
		cfg.Conns = d.Conns
	}
	if cfg.Offers <= 0 {
		cfg.Offers = d.Offers
	}
	if cfg.Torrents <= 0 {
		cfg.Torrents = d.Torrents
	}
	cfg.Torrents = min(cfg.Torrents, len(w.Hashes))
	if cfg.Path == "" {
		cfg.Path = d.Path
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.Duration <= 0 {
		cfg.Duration = d.Duration
	}
	// Fail early, and clearly, when nothing listens or nothing upgrades.
	probe, err := dialWS(cfg.Target, loopbackSource(0, 0), cfg.Path, 2*time.Second, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return nil, err
	}
	probe.close()

	res := &Result{Mode: "ws", Target: cfg.Target.String(), Settings: map[string]string{
		"connections": strconv.Itoa(cfg.Conns), "offers": strconv.Itoa(cfg.Offers),
		"torrents_per_peer": strconv.Itoa(cfg.Torrents), "crowd": strconv.Itoa(cfg.Crowd),
		"seeders": strconv.FormatFloat(cfg.SeederRatio, 'f', 2, 64), "timeout": cfg.Timeout.String(),
	}}
	rec := &recorder{}
	// end is when every peer stops, in Unix ns: far away while the crowd
	// joins, then the end of the measured run.
	var end atomic.Int64
	end.Store(time.Now().Add(crowdJoinLimit + cfg.Warmup + cfg.Duration).UnixNano())
	var crowd, joining sync.WaitGroup
	if cfg.Crowd > 0 {
		dialing := make(chan struct{}, 64) // connections being opened at once
		for i := range cfg.Crowd {
			crowd.Add(1)
			joining.Add(1)
			go func() {
				defer crowd.Done()
				p := newWSPeer(&cfg, w, rec, cfg.Conns+i, i%cfg.Torrents, cfg.Offers)
				p.quiet, p.dialing, p.joined = true, dialing, joining.Done
				p.runUntil(&end)
			}()
		}
		if !waitTimeout(&joining, crowdJoinLimit) {
			return nil, fmt.Errorf("ws: the crowd of %d browsers did not join within %v", cfg.Crowd, crowdJoinLimit)
		}
	}
	start := time.Now()
	end.Store(start.Add(cfg.Warmup + cfg.Duration).UnixNano())
	var wg sync.WaitGroup
	for i := range cfg.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			newWSPeer(&cfg, w, rec, i, i%cfg.Torrents, recentOffers).runUntil(&end)
		}()
	}
	rec.measure(res, start, cfg.Warmup, cfg.Duration, cfg.ServerPID)
	wg.Wait()
	crowd.Wait()
	return res, nil
}

// waitTimeout waits for wg, at most d; it reports whether wg finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// wsPeer is one connection's simulated peer, owned by its goroutine.
type wsPeer struct {
	cfg *WSConfig
	w   *Workload
	rec *recorder
	rng *rand.Rand
	src netip.Addr
	id  [20]byte

	next    int // the torrent of the next announce, 0 to Torrents-1
	c       *wsConn
	pending bool      // an announce awaits its reply
	sentAt  time.Time // when it was sent
	ih      [20]byte  // its info hash
	offers  [][20]byte
	mine    map[[20]byte]struct{} // recent offer ids of ours, to match answers
	ring    [][20]byte            // the same ids in order, to forget the oldest
	ringPos int
	out     []byte
	m       wtMessage

	// A quiet peer (the crowd) announces once and then only answers.
	quiet     bool
	announced bool          // its announce has been answered
	dialing   chan struct{} // bounds concurrent dials, when set
	joined    func()        // called once, when its announce is answered
}

// newWSPeer returns simulated peer n, announcing first on torrent next and
// remembering about offers of its own offer ids.
func newWSPeer(cfg *WSConfig, w *Workload, rec *recorder, n, next, offers int) *wsPeer {
	p := &wsPeer{cfg: cfg, w: w, rec: rec, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(1000+n))),
		src: loopbackSource(0, n%httpSources), mine: make(map[[20]byte]struct{}, offers), next: next}
	p.id = peerID(n)
	p.id[8] = 'W'
	return p
}

// runUntil runs the peer until end (Unix ns), which a quiet peer reads again
// after each message: the crowd joins before the clock starts.
func (p *wsPeer) runUntil(endNs *atomic.Int64) {
	end := func() time.Time { return time.Unix(0, endNs.Load()) }
	defer func() {
		if p.c != nil {
			p.c.close()
		}
		if p.joined != nil { // never joined: release the waiter
			p.joined()
		}
	}()
	for time.Now().Before(end()) {
		if p.c == nil {
			c, err := p.dial()
			if err != nil {
				p.rec.add(cSendFail, 1)
				if p.rec.wantError() {
					p.rec.firstErr.CompareAndSwap(nil, ptr("ws connect: "+err.Error()))
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			p.c, p.pending, p.announced = c, false, false
		}
		if !p.pending && !(p.quiet && p.announced) && !p.announce() {
			continue
		}
		deadline := end()
		if p.pending {
			deadline = minTime(deadline, p.sentAt.Add(p.cfg.Timeout))
		} else { // quiet: look at end() again now and then
			deadline = minTime(deadline, time.Now().Add(5*time.Second))
		}
		_ = p.c.c.SetReadDeadline(deadline)
		msg, err := p.c.readMessage()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if p.pending && time.Now().Before(end()) {
					p.rec.add(cTimeouts, 1)
					p.pending = false
				}
				continue
			}
			p.broken("ws read: " + err.Error())
			continue
		}
		p.handle(msg)
	}
}

// dial opens the peer's connection, taking a slot of p.dialing if set.
func (p *wsPeer) dial() (*wsConn, error) {
	timeout := p.cfg.Timeout
	if p.dialing != nil {
		p.dialing <- struct{}{}
		defer func() { <-p.dialing }()
		timeout = max(timeout, 5*time.Second) // the crowd joins all at once
	}
	return dialWS(p.cfg.Target, p.src, p.cfg.Path, timeout, p.rng)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// announce sends the next announce with fresh offers.
func (p *wsPeer) announce() bool {
	p.ih = p.w.Hashes[p.next] // Hashes are in order of popularity
	p.next = (p.next + 1) % p.cfg.Torrents
	p.offers = p.offers[:0]
	for range p.cfg.Offers {
		var id [20]byte
		for k := range id {
			id[k] = byte(p.rng.Uint32())
		}
		p.offers = append(p.offers, id)
		p.remember(id)
	}
	left, event := uint64(50), "started"
	if p.rng.Float64() < p.cfg.SeederRatio {
		left, event = 0, "completed"
	}
	p.out = appendWTAnnounce(p.out[:0], &p.ih, &p.id, left, event, p.offers)
	if err := p.c.writeMessage(wsText, p.out); err != nil {
		p.broken("ws write: " + err.Error())
		return false
	}
	p.rec.add(cRequests, 1)
	p.pending, p.sentAt = true, time.Now()
	return true
}

// remember records one of our offer ids, forgetting the oldest.
func (p *wsPeer) remember(id [20]byte) {
	if len(p.ring) < recentOffers {
		p.ring = append(p.ring, id)
	} else {
		delete(p.mine, p.ring[p.ringPos])
		p.ring[p.ringPos] = id
		p.ringPos = (p.ringPos + 1) % recentOffers
	}
	p.mine[id] = struct{}{}
}

// handle validates and counts one message, answering offers.
func (p *wsPeer) handle(msg []byte) {
	kind, why := parseWT(msg, &p.m)
	switch kind {
	case wtFailure:
		p.rec.error("failure reason: " + strconv.Quote(why))
		p.pending = false
	case wtInvalid:
		p.rec.invalid(why + ": " + strconv.Quote(string(msg[:min(len(msg), 200)])))
	case wtAnnounceReply:
		if !p.pending || p.m.InfoHash != p.ih {
			p.rec.add(cLate, 1) // a reply to an announce we gave up on
			return
		}
		p.rec.add(cAnnounce, 1)
		p.pending, p.announced = false, true
		if p.joined != nil {
			p.joined()
			p.joined = nil
		}
	case wtOffer:
		p.rec.add(cOffer, 1)
		ih := p.m.InfoHash
		from := p.m.PeerID
		offer := p.m.OfferID
		if from == p.id {
			p.rec.invalid("an offer of ours was relayed back to us")
			return
		}
		p.out = appendWTAnswer(p.out[:0], &ih, &p.id, &from, &offer)
		if err := p.c.writeMessage(wsText, p.out); err != nil {
			p.broken("ws write: " + err.Error())
			return
		}
		p.rec.add(cRequests, 1)
	case wtAnswer:
		offer := p.m.OfferID
		if _, ok := p.mine[offer]; !ok {
			p.rec.add(cLate, 1) // an answer to an offer we no longer remember
			return
		}
		p.rec.add(cAnswer, 1)
	}
}

// broken counts a failed connection and drops it; the next turn of run
// reconnects.
func (p *wsPeer) broken(why string) {
	p.rec.invalid(why)
	p.c.close()
	p.c = nil
	p.rec.add(cReconnects, 1)
}
