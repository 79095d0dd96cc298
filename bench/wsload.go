package bench

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
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
	var joined atomic.Int64
	loops, err := dialWSPeers(&cfg, w, rec, &joined)
	if err != nil {
		return nil, err
	}
	// end is when every peer stops, in Unix ns: far away while the crowd
	// joins, then the end of the measured run.
	var end atomic.Int64
	var goActive atomic.Bool
	end.Store(time.Now().Add(crowdJoinLimit + cfg.Warmup + cfg.Duration).UnixNano())
	var wg sync.WaitGroup
	for _, lp := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lp.run(&goActive, &end)
		}()
	}
	if cfg.Crowd > 0 {
		deadline := time.Now().Add(crowdJoinLimit)
		for joined.Load() < int64(cfg.Crowd) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := joined.Load(); n < int64(cfg.Crowd) {
			end.Store(0)
			wg.Wait()
			return nil, fmt.Errorf("ws: %d of the crowd of %d browsers joined within %v", n, cfg.Crowd, crowdJoinLimit)
		}
	}
	start := time.Now()
	end.Store(start.Add(cfg.Warmup + cfg.Duration).UnixNano())
	goActive.Store(true)
	rec.measure(res, start, cfg.Warmup, cfg.Duration, cfg.ServerPID)
	wg.Wait()
	return res, nil
}

// dialWSPeers opens every peer's connection, the crowd's first, 64 at a
// time, and shares the peers out over one loop per CPU the generator may
// use.
func dialWSPeers(cfg *WSConfig, w *Workload, rec *recorder, joined *atomic.Int64) ([]*wsLoop, error) {
	loops := make([]*wsLoop, runtime.GOMAXPROCS(0))
	for i := range loops {
		lp, err := newWSLoop()
		if err != nil {
			for _, l := range loops[:i] {
				_ = unix.Close(l.epfd)
			}
			return nil, err
		}
		loops[i] = lp
	}
	known := newWTKnown(w.Hashes[:cfg.Torrents])
	peers := make([]*wsPeer, 0, cfg.Crowd+cfg.Conns)
	for i := range cfg.Crowd {
		p := newWSPeer(cfg, w, rec, cfg.Conns+i, i%cfg.Torrents, cfg.Offers)
		p.quiet, p.joined = true, joined
		peers = append(peers, p)
	}
	for i := range cfg.Conns {
		peers = append(peers, newWSPeer(cfg, w, rec, i, i%cfg.Torrents, recentOffers))
	}
	for _, p := range peers {
		p.m.Known = known
	}
	var (
		wg      sync.WaitGroup
		dialing = make(chan struct{}, 64)
		mu      sync.Mutex
		first   error
	)
	for _, p := range peers {
		wg.Add(1)
		dialing <- struct{}{}
		go func() {
			defer func() { <-dialing; wg.Done() }()
			if err := p.dial(max(p.cfg.Timeout, 5*time.Second)); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i, p := range peers {
		if err := loops[i%len(loops)].add(p); err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		for _, lp := range loops {
			for _, p := range lp.peers {
				p.stop()
			}
			_ = unix.Close(lp.epfd)
		}
		return nil, fmt.Errorf("ws connect: %w", first)
	}
	return loops, nil
}

// wsPeer is one connection's simulated peer, owned by its loop.
type wsPeer struct {
	cfg    *WSConfig
	w      *Workload
	rec    *recorder
	rng    *rand.Rand
	src    netip.Addr
	id     [20]byte
	idJSON []byte // id as a JSON string

	loop      *wsLoop
	loopIndex int // in loop.peers
	c         *rawWS

	next    int       // the torrent of the next announce, 0 to Torrents-1
	pending bool      // an announce awaits its reply
	sentAt  time.Time // when it was sent
	ih      [20]byte  // its info hash
	offers  [][20]byte
	// Offer ids carry their number: the first 8 bytes are made XOR
	// idKey, so that they look as random as the rest. An answer matches
	// offer n if n is one of the last len(recent) made and recent holds
	// the same id.
	made   uint64
	idKey  uint64
	recent [][20]byte // by n % len(recent)
	out    []byte
	m      wtMessage

	// A quiet peer (the crowd) announces once and then only answers.
	quiet  bool
	joined *atomic.Int64 // counts quiet peers whose announce was answered
}

// newWSPeer returns simulated peer n, announcing first on torrent next and
// remembering the last offers of its own offer ids.
func newWSPeer(cfg *WSConfig, w *Workload, rec *recorder, n, next, offers int) *wsPeer {
	p := &wsPeer{cfg: cfg, w: w, rec: rec, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(1000+n))),
		src: loopbackSource(0, n%httpSources), recent: make([][20]byte, max(offers, 1)), next: next}
	p.idKey = p.rng.Uint64()
	p.id = peerID(n)
	p.id[8] = 'W'
	p.idJSON = appendBinString(nil, p.id[:])
	return p
}

// dial opens the peer's connection.
func (p *wsPeer) dial(timeout time.Duration) error {
	readBuf := wsActiveReadBuf
	if p.quiet {
		readBuf = wsQuietReadBuf
	}
	w, err := dialWS(p.cfg.Target, p.src, p.cfg.Path, timeout, p.rng)
	if err == nil {
		p.c, err = takeWS(w, readBuf)
	}
	return err
}

// redial replaces a broken connection, on the loop; a quiet peer then
// announces again, an active one when the clock has started. A failure
// is counted and the peer tried again on the loop's next turn.
func (p *wsPeer) redial(started bool) {
	err := p.dial(p.cfg.Timeout)
	if err == nil {
		if err = p.loop.watch(p); err != nil {
			p.c.close()
			p.c = nil
		}
	}
	if err != nil {
		p.rec.add(cSendFail, 1)
		if p.rec.wantError() {
			p.rec.firstErr.CompareAndSwap(nil, ptr("ws connect: "+err.Error()))
		}
		p.loop.down = append(p.loop.down, p)
		return
	}
	p.pending = false
	if p.quiet || started {
		p.announce()
	}
}

// send queues one frame for the loop's next flush.
func (p *wsPeer) send(opcode byte, payload []byte) {
	if len(p.c.out) == 0 {
		p.loop.dirty = append(p.loop.dirty, p)
	}
	p.c.writeMessage(opcode, payload)
}

// readable handles what the tracker sent.
func (p *wsPeer) readable() {
	if p.c == nil {
		return // broken earlier in this batch
	}
	more, err := p.c.fill()
	if err == nil && more {
		err = p.c.messages(p)
	}
	if err != nil {
		p.broken("ws read: " + err.Error())
		return
	}
	// What the read produced leaves now, in one write, while the loop
	// reads the next connection: waiting for the end of the batch made
	// the generator and the tracker take turns (16 browsers: 454k
	// responses/s with both at 75-80% CPU, against 669k this way).
	if err := p.c.flush(); err != nil {
		p.broken("ws write: " + err.Error())
	}
}

// checkTimeout gives up on an announce unanswered for cfg.Timeout, counts
// it, and announces again.
func (p *wsPeer) checkTimeout(now time.Time) {
	if p.c != nil && p.pending && now.Sub(p.sentAt) > p.cfg.Timeout {
		p.rec.add(cTimeouts, 1)
		p.announce()
	}
}

// stop closes the connection.
func (p *wsPeer) stop() {
	if p.c != nil {
		p.c.close()
		p.c = nil
	}
}

// announce queues the next announce with fresh offers.
func (p *wsPeer) announce() {
	p.ih = p.w.Hashes[p.next] // Hashes are in order of popularity
	p.next = (p.next + 1) % p.cfg.Torrents
	p.offers = p.offers[:0]
	for range p.cfg.Offers {
		p.offers = append(p.offers, p.newOfferID())
	}
	left, event := uint64(50), "started"
	if p.rng.Float64() < p.cfg.SeederRatio {
		left, event = 0, "completed"
	}
	p.out = appendWTAnnounce(p.out[:0], &p.ih, &p.id, left, event, p.offers)
	p.send(wsText, p.out)
	p.rec.add(cRequests, 1)
	p.pending, p.sentAt = true, time.Now()
}

// newOfferID returns the id of our next offer, and remembers it.
func (p *wsPeer) newOfferID() [20]byte {
	var id [20]byte
	binary.LittleEndian.PutUint64(id[:], p.made^p.idKey)
	binary.LittleEndian.PutUint64(id[8:], p.rng.Uint64())
	binary.LittleEndian.PutUint32(id[16:], p.rng.Uint32())
	p.recent[p.made%uint64(len(p.recent))] = id
	p.made++
	return id
}

// isRecentOffer reports whether id is one of our last len(recent) offers.
func (p *wsPeer) isRecentOffer(id *[20]byte) bool {
	n := binary.LittleEndian.Uint64(id[:]) ^ p.idKey
	return n < p.made && p.made-n <= uint64(len(p.recent)) && p.recent[n%uint64(len(p.recent))] == *id
}

// handle validates and counts one message, answering offers.
func (p *wsPeer) handle(msg []byte) {
	kind, why := parseWT(msg, &p.m)
	switch kind {
	case wtFailure:
		p.rec.error("failure reason: " + strconv.Quote(why))
		if p.pending {
			p.announce() // the next one, as after a timeout
		}
	case wtInvalid:
		p.rec.invalid(why + ": " + strconv.Quote(string(msg[:min(len(msg), 200)])))
	case wtAnnounceReply:
		if !p.pending || p.m.InfoHash != p.ih {
			p.rec.add(cLate, 1) // a reply to an announce we gave up on
			return
		}
		p.rec.add(cAnnounce, 1)
		p.pending = false
		if p.quiet {
			p.joined.Add(1)
		} else {
			p.announce()
		}
	case wtOffer:
		p.rec.add(cOffer, 1)
		if p.m.PeerID == p.id {
			p.rec.invalid("an offer of ours was relayed back to us")
			return
		}
		p.out = appendWTAnswer(p.out[:0], p.m.InfoHashJSON, p.idJSON, p.m.PeerIDJSON, p.m.OfferIDJSON)
		p.send(wsText, p.out)
		p.rec.add(cRequests, 1)
	case wtAnswer:
		offer := p.m.OfferID
		if !p.isRecentOffer(&offer) {
			p.rec.add(cLate, 1) // an answer to an offer we no longer remember
			return
		}
		p.rec.add(cAnswer, 1)
	}
}

// broken counts a failed connection and drops it; the loop's next turn
// dials again.
func (p *wsPeer) broken(why string) {
	p.rec.invalid(why)
	p.stop()
	p.rec.add(cReconnects, 1)
	p.loop.down = append(p.loop.down, p)
}
