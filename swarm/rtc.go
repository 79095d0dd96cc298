package swarm

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync"
)

// RTCTable: the swarm table for WebTorrent (WebRTC) peers.
//
// The tracker never hands out a WebTorrent peer's address: it relays
// signalling messages between browsers' WebSocket connections (PROTOCOL.md,
// "WebTorrent over WebSocket"). A peer is a peer_id within a torrent, bound
// to the connection (Conn) that announced it. An announce may carry offers:
// the table picks the peers that receive them and remembers each relayed
// offer, so that an answer is relayed only to the peer that made the offer,
// only by the peer it was sent to, only once, and only while it is fresh.
//
// Memory: the table owns all state; callers pass plain values that are not
// retained and get offer targets appended to their own slices. Each shard
// holds a map[InfoHash]uint32 into a slab of pointer-free torrent records
// (44 bytes), a pool of peer records (48 bytes: peer_id, Conn, expiry, the
// head, tail and length of its offer list) carved into power-of-two blocks,
// one per torrent, and a pool of offer records (56 bytes: offer_id, target
// peer_id and Conn, expiry, next), linked per offering peer in arrival order.
// Blocks and offers are addressed by uint32 and recycled through free lists;
// index 0 of each pool is never used, so 0 means none. Torrents in blocks of
// 128 peers or more also have their peers in a map from (info hash,
// peer_id) to position, about 86 bytes per such peer, so that a big swarm is
// never scanned; smaller ones are, which is faster than the map. The GC sees
// two maps and three slices per shard and scans none of their elements.
// Offers are bounded by
// RTCConfig.MaxOffersPerPeer per peer (the oldest is dropped) and expire
// after RTCConfig.OfferTTLSec, so a torrent holds at most peers ×
// MaxOffersPerPeer of them. The pools keep their high-water mark until the
// shard has no torrent left; the slab and map shrink as the IP table's do.
//
// Concurrency: RTCTable is safe for concurrent use, designed for one event
// loop per CPU calling it directly. Like Table it is split into a
// power-of-two number of shards chosen by a seeded hash of the info hash
// (info hashes are client-chosen), each with one sync.Mutex, padded to its
// own cache lines. Conn values are opaque to the table: it compares and
// returns them, nothing more; liveness of a Conn is the engine's business.
//
// Lock order: RTCTable.cleanMu (Clean only) → one RTCTable shard mutex. No
// code path holds two shard mutexes, a lock of Table together with one of
// RTCTable, or any lock across I/O, a callback or a channel operation.
// Announce, RegisterOffer, TakeOffer, Remove and Scrape take one shard lock
// once; Stats and Clean take the shard locks one at a time.
//
// Allocation: Announce (with or without offers), RegisterOffer, TakeOffer,
// Remove and Scrape do not allocate on a known torrent when dst has room,
// except when a pool grows past its high-water mark (a torrent's block
// doubling, or more offers pending than ever before in that shard).
// Randomness comes from the package's rng (math/rand/v2, no lock). Nothing
// reads the wall clock.
//
// Reference behaviours, from bittorrent-tracker 11.2.3 (npm, the WebTorrent
// project's tracker) and aquatic_ws (crates/ws/src/workers/swarm/storage.rs):
//   - A WebSocket peer is keyed by its peer_id (lib/server/swarm.js:39).
//     Started for a known peer, completed or update for an unknown one:
//     every event but stopped is an upsert (swarm.js:72-137). Stopped for
//     an unknown peer does nothing (swarm.js:90-94) and creates no torrent.
//   - Offer targets are a random sample of the other peers, never the
//     announcer (swarm.js:148-161), and offers[i] goes to the i-th target
//     (server.js:522-535): RTCAnnounce.OfferIDs[i] is registered for dst[i].
//     The reference samples seeders too when a seeder offers; here a seeder's
//     offers go to leechers only, as in the IP table (DESIGN.md §3): two
//     seeders have nothing to exchange, and an offer spent on a seeder is
//     one a leecher does not get.
//   - numwant is the number of offers, with no default
//     (lib/server/parse-websocket.js:34-37), capped at 82
//     (MAX_ANNOUNCE_PEERS, lib/common.js:8): MaxRTCNumWant.
//   - The reference keeps a peer 20 minutes after its last announce
//     (swarm.js:19, peersCacheTtl): DefaultRTCPeerTimeoutSec. It also caps a
//     swarm at 1000 peers (swarm.js:18), evicting the least recently used;
//     this table does not, since each peer needs a connection and the engine
//     bounds connections and the peers of each.
//   - On close the reference announces stopped for every torrent the socket
//     announced (server.js:580-596); here the engine calls Remove for each.
//   - The reference relays an answer to whatever socket holds to_peer_id,
//     with no check (server.js:544-566). Here, as in aquatic_ws
//     (expecting_answers), an answer needs a registered, fresh offer with
//     that offer_id from to_peer_id to the answering peer_id; in addition
//     the answer must come from the Conn the offer was relayed to.
//   - The reference lets another socket announce with a known peer_id as an
//     update of that peer (swarm.js:125-137); aquatic_ws ignores such a
//     request. Here it is refused with ErrPeerIDTaken while the binding is
//     live, so a browser cannot hijack another's peer_id and its answers.
//   - The reference's scrape reports downloaded = complete (server.js:736);
//     here completed events are counted once per peer session, as in Table.

// Defaults applied by NewRTC to zero RTCConfig fields, and hard caps.
const (
	// DefaultRTCNumWantMax is the default cap on the offers relayed per
	// announce. The WebTorrent client sends at most 5
	// (lib/client/websocket-tracker.js:61); load generators send 10.
	DefaultRTCNumWantMax = 10

	// DefaultRTCPeerTimeoutSec is how long a peer stays listed after its
	// last announce when its connection is not closed (closing removes it
	// at once): 20 minutes, as bittorrent-tracker.
	DefaultRTCPeerTimeoutSec = 1200

	// DefaultOfferTTLSec is how long an offer waits for its answer.
	DefaultOfferTTLSec = 120

	// MaxRTCNumWant bounds RTCConfig.NumWantMax: bittorrent-tracker's
	// MAX_ANNOUNCE_PEERS. Target sampling keeps its scratch on the stack,
	// sized for this many.
	MaxRTCNumWant = 82

	// MaxRTCOffersPerPeer bounds RTCConfig.MaxOffersPerPeer.
	MaxRTCOffersPerPeer = 4096
)

// Errors returned by RTCTable. They describe the client's request, so the
// engine may send them as a failure reason.
var (
	// ErrPeerIDTaken means the peer_id is bound, in that torrent, to
	// another connection that announced it within the peer timeout.
	ErrPeerIDTaken = errors.New("swarm: peer_id is in use by another connection")

	// ErrUnknownOffer means no fresh offer matches the answer.
	ErrUnknownOffer = errors.New("swarm: unknown or expired offer")

	// ErrUnknownPeer means the offering peer is not listed on that
	// connection.
	ErrUnknownPeer = errors.New("swarm: peer is not announced on this connection")

	// ErrSwarmFull means the torrent holds as many peers as it can (2^24).
	ErrSwarmFull = errors.New("swarm: torrent is full")
)

// Conn is an opaque handle to one WebSocket connection, a plain value. The
// engine allocates handles; the table only stores, compares and returns
// them. MakeConn packs an event-loop index, a connection slot and a
// generation, so that a slot reused for a new connection gets a new Conn
// and nothing addressed to the old one reaches it.
type Conn uint64

// MakeConn returns the Conn of slot slot of event loop loop, generation gen:
// loop in bits 48-63, slot in bits 16-47, gen in bits 0-15. A generation
// wraps after 65536 reuses of one slot: the engine should reuse slots
// oldest-freed first, so that a Conn does not come back while an offer to
// or from its previous holder can still be answered (OfferTTLSec).
func MakeConn(loop uint16, slot uint32, gen uint16) Conn {
	return Conn(uint64(loop)<<48 | uint64(slot)<<16 | uint64(gen))
}

// Loop returns the event-loop index packed by MakeConn.
func (c Conn) Loop() uint16 { return uint16(c >> 48) }

// Slot returns the connection slot packed by MakeConn.
func (c Conn) Slot() uint32 { return uint32(c >> 16) }

// Gen returns the generation packed by MakeConn.
func (c Conn) Gen() uint16 { return uint16(c) }

// RTCPeer is a WebTorrent peer as the engine addresses it: its peer_id and
// its connection. It is a plain value.
type RTCPeer struct {
	PeerID [20]byte
	Conn   Conn
}

// RTCAnnounce is one WebTorrent announce. It is a plain value owned by the
// caller, who may reuse it for every request; the table does not retain it
// or OfferIDs.
type RTCAnnounce struct {
	InfoHash InfoHash
	PeerID   [20]byte
	Conn     Conn // the connection the announce came in on
	Seeder   bool // left == 0; EventCompleted implies it
	Event    Event

	// NumWant is how many offer targets are wanted: the number of offers
	// in the message. There is no default; <= 0 gets none. It is capped at
	// RTCConfig.NumWantMax and, when OfferIDs is not nil, at len(OfferIDs).
	NumWant int

	// OfferIDs, when not nil, are the offer_ids of the message's offers in
	// order: Announce registers OfferIDs[i] as an offer to the i-th target
	// it appends, as RegisterOffer would, in the same lock hold.
	OfferIDs [][20]byte
}

// RTCConfig configures an RTCTable. Zero fields get the defaults. It is a
// plain value.
type RTCConfig struct {
	Shards           int    // power of two (rounded up if not); 0 → DefaultShards
	NumWantMax       int    // offers relayed per announce, at most MaxRTCNumWant; 0 → DefaultRTCNumWantMax
	PeerTimeoutSec   uint32 // a peer is listed this long after its last announce; 0 → DefaultRTCPeerTimeoutSec
	OfferTTLSec      uint32 // an offer can be answered this long; 0 → DefaultOfferTTLSec
	MaxOffersPerPeer int    // pending offers per peer, oldest dropped beyond; 0 → 4 × NumWantMax; at least NumWantMax
}

// RTCStats are table-wide totals, for metrics. It is a plain value.
type RTCStats struct {
	Torrents, Seeders, Leechers uint64
	Offers                      uint64 // pending offers
	OffersDropped               uint64 // since NewRTC: pushed out by MaxOffersPerPeer
}

// RTCCleanStats reports what one RTCTable.Clean call did. It is a plain
// value.
type RTCCleanStats struct {
	CleanStats
	OffersRemoved int // expired, or gone with an expired peer
}

// RTCTable is the swarm table for WebTorrent peers. It is safe for
// concurrent use; see the comment at the top of rtc.go for its memory,
// locking and allocation.
type RTCTable struct {
	seed   maphash.Seed // shard choice: info hashes are client-chosen
	mask   uint64
	shards []rtcShard
	cfg    RTCConfig // effective, defaults applied

	cleanMu    sync.Mutex // serialises Clean; taken before any shard lock
	cleanShard int        // next shard to sweep; guarded by cleanMu
}

// Validate reports, joined, every field that NewRTC would have to correct
// (zero fields are fine: they mean the default).
func (c RTCConfig) Validate() error {
	var errs []error
	if c.Shards < 0 || c.Shards > MaxShards || c.Shards&(c.Shards-1) != 0 {
		errs = append(errs, fmt.Errorf("swarm: Shards must be a power of two up to %d, not %d", MaxShards, c.Shards))
	}
	if c.NumWantMax < 0 || c.NumWantMax > MaxRTCNumWant {
		errs = append(errs, fmt.Errorf("swarm: NumWantMax must be 1 to %d, not %d", MaxRTCNumWant, c.NumWantMax))
	}
	if c.PeerTimeoutSec > MaxPeerTimeoutSec {
		errs = append(errs, fmt.Errorf("swarm: PeerTimeoutSec must be at most %d, not %d", MaxPeerTimeoutSec, c.PeerTimeoutSec))
	}
	if c.OfferTTLSec > MaxPeerTimeoutSec {
		errs = append(errs, fmt.Errorf("swarm: OfferTTLSec must be at most %d, not %d", MaxPeerTimeoutSec, c.OfferTTLSec))
	}
	numWantMax := c.NumWantMax
	if numWantMax <= 0 || numWantMax > MaxRTCNumWant {
		numWantMax = DefaultRTCNumWantMax
	}
	if c.MaxOffersPerPeer < 0 || c.MaxOffersPerPeer > MaxRTCOffersPerPeer ||
		(c.MaxOffersPerPeer > 0 && c.MaxOffersPerPeer < numWantMax) {
		errs = append(errs, fmt.Errorf("swarm: MaxOffersPerPeer must be NumWantMax (%d) to %d, not %d",
			numWantMax, MaxRTCOffersPerPeer, c.MaxOffersPerPeer))
	}
	return errors.Join(errs...)
}

// NewRTC returns an empty table configured by cfg, with defaults applied to
// zero fields and out-of-range fields brought into range (see Validate).
func NewRTC(cfg RTCConfig) *RTCTable {
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultShards
	}
	cfg.Shards = min(cfg.Shards, MaxShards)
	cfg.Shards = 1 << bits.Len(uint(cfg.Shards-1)) // round up to a power of two
	if cfg.NumWantMax <= 0 {
		cfg.NumWantMax = DefaultRTCNumWantMax
	}
	cfg.NumWantMax = min(cfg.NumWantMax, MaxRTCNumWant)
	if cfg.PeerTimeoutSec == 0 {
		cfg.PeerTimeoutSec = DefaultRTCPeerTimeoutSec
	}
	cfg.PeerTimeoutSec = min(cfg.PeerTimeoutSec, MaxPeerTimeoutSec)
	if cfg.OfferTTLSec == 0 {
		cfg.OfferTTLSec = DefaultOfferTTLSec
	}
	cfg.OfferTTLSec = min(cfg.OfferTTLSec, MaxPeerTimeoutSec)
	if cfg.MaxOffersPerPeer <= 0 {
		cfg.MaxOffersPerPeer = 4 * cfg.NumWantMax
	}
	// At least one announce's offers: fewer would drop offers just made.
	cfg.MaxOffersPerPeer = min(max(cfg.MaxOffersPerPeer, cfg.NumWantMax), MaxRTCOffersPerPeer)
	t := &RTCTable{
		seed:   maphash.MakeSeed(),
		mask:   uint64(cfg.Shards - 1),
		shards: make([]rtcShard, cfg.Shards),
		cfg:    cfg,
	}
	for i := range t.shards {
		t.shards[i].init()
	}
	return t
}

// Config returns the effective configuration, defaults applied.
func (t *RTCTable) Config() RTCConfig { return t.cfg }

func (t *RTCTable) shard(ih *InfoHash) *rtcShard {
	return &t.shards[maphash.Bytes(t.seed, ih[:])&t.mask]
}

// Announce applies the announce a at time now (Unix seconds, from the
// caller's coarse clock), appends the chosen offer targets to dst and
// returns the extended slice and the torrent's counts after the update.
//
// The peer is a.PeerID in torrent a.InfoHash, bound to a.Conn. If that
// peer_id is bound to another Conn whose last announce is younger than the
// peer timeout, nothing changes and the error is ErrPeerIDTaken (a stopped
// from that other connection is refused too). Otherwise EventStopped removes
// the peer (then there are no targets, and an unknown torrent is not
// created); any other event inserts or updates it, as a seeder if a.Seeder
// or the event is EventCompleted. EventCompleted adds one to Downloaded
// unless the peer is already a listed seeder: once per peer session.
//
// The targets are up to k = min(a.NumWant, NumWantMax, len(a.OfferIDs) if
// not nil) peers of the torrent: never the announcer, leechers only if it is
// a seeder, never an expired peer, uniformly at random without repetition.
// Each is an RTCPeer whose Conn is where the offer must be relayed. With
// a.OfferIDs, the offers are registered too (see RegisterOffer).
//
// Cost: one shard lock, held for a map lookup, finding the peer (a scan of
// a torrent below 128 peers, the index above) and the copying of k targets. It does not allocate on a known
// torrent when dst has room; see the comment at the top of rtc.go.
func (t *RTCTable) Announce(dst []RTCPeer, a *RTCAnnounce, now uint32) ([]RTCPeer, Counts, error) {
	k := min(a.NumWant, t.cfg.NumWantMax)
	if a.OfferIDs != nil {
		k = min(k, len(a.OfferIDs))
	}
	exp := now + t.cfg.PeerTimeoutSec
	s := t.shard(&a.InfoHash)

	s.mu.Lock()
	ti, ok := s.torrents[a.InfoHash]
	if !ok {
		if a.Event == EventStopped {
			s.mu.Unlock()
			return dst, Counts{}, nil
		}
		ti = s.addTorrent(&a.InfoHash)
	}
	tr := &s.slab[ti]
	pos := s.find(tr, &a.PeerID)
	if pos >= 0 {
		if p := s.rec(tr, pos); p.conn != a.Conn {
			if p.expire > now {
				s.mu.Unlock()
				return dst, Counts{}, ErrPeerIDTaken
			}
			s.removeAt(tr, pos) // an expired binding: that session is over
			pos = -1
		}
	}

	if a.Event == EventStopped {
		if pos >= 0 {
			s.removeAt(tr, pos)
		}
		c := tr.counts(now)
		s.mu.Unlock()
		return dst, c, nil
	}

	seeder := a.Seeder || a.Event == EventCompleted
	// A listed peer that has expired (Clean has not come by yet) starts a
	// new session, as in Table.
	wasSeeder := pos >= int(tr.nl) && s.rec(tr, pos).expire > now // false when pos == -1
	if pos >= 0 {
		s.rec(tr, pos).expire = exp
		pos = s.setRole(tr, pos, seeder)
	} else if pos = s.insert(tr, &a.PeerID, a.Conn, exp, seeder); pos < 0 {
		s.mu.Unlock()
		return dst, Counts{}, ErrSwarmFull
	}
	// A repeated completed from a listed seeder is not counted again, so a
	// client cannot inflate the figure.
	if a.Event == EventCompleted && !wasSeeder {
		tr.downloaded++
	}
	tr.expire = exp
	c := tr.counts(now)

	if k > 0 {
		hi := int(tr.n)
		if seeder {
			hi = int(tr.nl) // a seeder's offers go to leechers only
		}
		start := len(dst)
		dst = s.appendTargets(dst, tr, hi, pos, k, now)
		if a.OfferIDs != nil {
			p := s.rec(tr, pos)
			for i := start; i < len(dst); i++ {
				s.pushOffer(p, &a.OfferIDs[i-start], &dst[i], now, t.cfg.OfferTTLSec, t.cfg.MaxOffersPerPeer)
			}
		}
	}
	s.mu.Unlock()
	return dst, c, nil
}

// RegisterOffer records that the offer offerID of peer from, in torrent ih,
// was relayed to peer to at time now, so that TakeOffer accepts its answer
// until now + OfferTTLSec. If from already has MaxOffersPerPeer offers
// pending, its oldest is dropped (counted in RTCStats.OffersDropped).
//
// It returns ErrUnknownPeer, and records nothing, unless from.PeerID is a
// live peer of ih bound to from.Conn. It takes one shard lock and does not
// allocate unless the shard has more offers pending than ever before.
func (t *RTCTable) RegisterOffer(ih *InfoHash, offerID *[20]byte, from, to *RTCPeer, now uint32) error {
	s := t.shard(ih)
	s.mu.Lock()
	ti, ok := s.torrents[*ih]
	if !ok {
		s.mu.Unlock()
		return ErrUnknownPeer
	}
	tr := &s.slab[ti]
	pos := s.find(tr, &from.PeerID)
	if pos < 0 {
		s.mu.Unlock()
		return ErrUnknownPeer
	}
	p := s.rec(tr, pos)
	if p.conn != from.Conn || p.expire <= now {
		s.mu.Unlock()
		return ErrUnknownPeer
	}
	s.pushOffer(p, offerID, to, now, t.cfg.OfferTTLSec, t.cfg.MaxOffersPerPeer)
	s.mu.Unlock()
	return nil
}

// TakeOffer checks an answer from peer answerer, in torrent ih, to the
// offer offerID of the peer toPeerID, and returns the Conn to relay it to.
//
// The answer is accepted only if toPeerID is a live peer of ih with a
// pending offer offerID, registered less than OfferTTLSec ago and relayed
// to answerer (same peer_id and same Conn). The offer is then removed: one
// answer per offer. Otherwise the error is ErrUnknownOffer. The returned
// Conn may belong to a connection that closed since; the engine checks its
// generation before writing. It takes one shard lock and does not allocate.
func (t *RTCTable) TakeOffer(ih *InfoHash, offerID *[20]byte, answerer *RTCPeer, toPeerID *[20]byte, now uint32) (Conn, error) {
	s := t.shard(ih)
	s.mu.Lock()
	ti, ok := s.torrents[*ih]
	if !ok {
		s.mu.Unlock()
		return 0, ErrUnknownOffer
	}
	tr := &s.slab[ti]
	pos := s.find(tr, toPeerID)
	if pos < 0 {
		s.mu.Unlock()
		return 0, ErrUnknownOffer
	}
	p := s.rec(tr, pos)
	if p.expire <= now || !s.takeOffer(p, offerID, answerer, now) {
		s.mu.Unlock()
		return 0, ErrUnknownOffer
	}
	c := p.conn
	s.mu.Unlock()
	return c, nil
}

// Remove removes peer peerID from torrent ih, with its pending offers, if it
// is bound to conn, and reports whether it did. The engine calls it for each
// (info hash, peer_id) a connection announced when that connection closes.
// A peer_id that another connection has taken over meanwhile is left alone.
// It takes one shard lock and does not allocate.
func (t *RTCTable) Remove(ih *InfoHash, peerID *[20]byte, conn Conn) bool {
	s := t.shard(ih)
	s.mu.Lock()
	ti, ok := s.torrents[*ih]
	if !ok {
		s.mu.Unlock()
		return false
	}
	tr := &s.slab[ti]
	pos := s.find(tr, peerID)
	removed := pos >= 0 && s.rec(tr, pos).conn == conn
	if removed {
		s.removeAt(tr, pos)
	}
	s.mu.Unlock()
	return removed
}

// Scrape returns the counts of torrent ih at time now, zeros if it is
// unknown. It takes one shard lock for a map lookup and does not allocate.
// Seeders and leechers may include peers that expired since Clean last
// swept the torrent; when every peer has expired they are zero.
func (t *RTCTable) Scrape(ih *InfoHash, now uint32) Counts {
	s := t.shard(ih)
	s.mu.Lock()
	var c Counts
	if ti, ok := s.torrents[*ih]; ok {
		c = s.slab[ti].counts(now)
	}
	s.mu.Unlock()
	return c
}

// Stats returns table-wide totals. It takes each shard lock in turn,
// briefly, so the figures are not one snapshot. Use it for metrics, not per
// request.
func (t *RTCTable) Stats() RTCStats {
	var st RTCStats
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		st.Torrents += uint64(len(s.slab))
		st.Seeders += uint64(s.seeders)
		st.Leechers += uint64(s.leechers)
		st.Offers += uint64(s.nOffers)
		st.OffersDropped += s.dropped
		s.mu.Unlock()
	}
	return st
}

// Clean sweeps up to maxTorrents torrents, resuming where the previous call
// stopped and going round the shards in turn. It removes the peers expired
// at now with their offers, the expired offers of the others, shrinks peer
// blocks that have emptied out, and drops torrents with no peers whose last
// announce is older than the peer timeout (Downloaded goes with them, as in
// Table).
//
// It holds one shard lock at a time, for at most cleanBatch torrents or
// rtcCleanWork peers and offers (a torrent is swept whole); it never stops
// the world. Concurrent calls are serialised. Expired peers are never
// offer targets, whether or not Clean has come by; closing a connection,
// not Clean, is the main way peers leave.
func (t *RTCTable) Clean(now uint32, maxTorrents int) RTCCleanStats {
	return t.CleanRefused(now, maxTorrents, nil)
}

// CleanRefused is Clean that also drops, whole and with their peers and
// offers, the torrents for which refused returns true (see
// Table.CleanRefused; the same rules apply to refused). A nil refused is
// Clean.
func (t *RTCTable) CleanRefused(now uint32, maxTorrents int, refused func(*InfoHash) bool) RTCCleanStats {
	var st RTCCleanStats
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
