package swarm

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
)

// InfoHash is a torrent's BitTorrent v1 info hash (or a v2 hash truncated to
// 20 bytes, BEP 52). It is a plain value: copy it freely.
type InfoHash [20]byte

// Event is the announce event, a plain value. The values are those of BEP 15, so a UDP
// event maps one to one; HTTP's "started", "completed" and "stopped" map by
// name, and an absent or empty event is EventNone.
type Event uint8

// Announce events (BEP 3, numbered as in BEP 15).
const (
	EventNone      Event = 0 // a regular announce
	EventCompleted Event = 1 // the download finished: counts in Downloaded
	EventStarted   Event = 2 // the first announce of a session
	EventStopped   Event = 3 // the peer leaves: it is removed
)

// Defaults applied by New to zero Config fields, and the hard cap on
// numwant.
const (
	DefaultShards         = 64
	DefaultNumWant        = 50
	DefaultNumWantMax     = 200
	DefaultPeerTimeoutSec = 3600

	// MaxNumWant bounds Config.NumWantMax: peer sampling keeps its scratch
	// set on the stack, sized for this many peers. 512 IPv4 peers are 3 KiB,
	// more than a UDP reply can carry.
	MaxNumWant = 512

	// MaxShards bounds Config.Shards.
	MaxShards = 1 << 16

	// MaxPeerTimeoutSec bounds Config.PeerTimeoutSec (194 days), so that
	// expiry stamps (now + timeout, uint32) cannot wrap.
	MaxPeerTimeoutSec = 1 << 24
)

// Config configures a Table. Zero fields get the defaults above. It is a
// plain value.
type Config struct {
	Shards         int    // power of two (rounded up if not); 0 → DefaultShards
	NumWantDefault int    // peers returned when numwant is absent, zero or negative; 0 → DefaultNumWant
	NumWantMax     int    // cap on numwant, at most MaxNumWant; 0 → DefaultNumWantMax
	PeerTimeoutSec uint32 // a peer is listed this long after its last announce; 0 → DefaultPeerTimeoutSec
}

// Peer is the announcing peer, built by the caller for each request. It
// holds no pointers and is not retained: the table copies what it keeps.
type Peer struct {
	Addr   [16]byte // IPv4 in the first 4 bytes when !V6
	Port   uint16
	V6     bool
	Seeder bool // left == 0
}

// Counts are a torrent's scrape figures (BEP 48): complete, incomplete and
// downloaded. It is a plain value.
type Counts struct {
	Seeders, Leechers, Downloaded uint32
}

// AnnounceArgs is one announce request. It is a plain value owned by the
// caller, who may reuse it for every request.
type AnnounceArgs struct {
	InfoHash InfoHash
	Peer     Peer
	Event    Event
	NumWant  int // <= 0 → Config.NumWantDefault; capped at Config.NumWantMax

	// BothFamilies is false for UDP: peers of the requester's family only.
	// It is true for HTTP (BEP 7): the requester's family first, then the
	// rest of numwant from the other family.
	BothFamilies bool
}

// Stats are table-wide totals, for metrics. It is a plain value.
type Stats struct {
	Torrents, Seeders4, Leechers4, Seeders6, Leechers6 uint64
}

// Table is the swarm table for IP peers: torrents by info hash, each with
// its IPv4 and IPv6 peers. It is safe for concurrent use; see the package
// documentation for its locking.
type Table struct {
	seed    maphash.Seed // shard choice: info hashes are client-chosen
	mask    uint64
	shards  []shard
	cfg     Config // effective, defaults applied; NumWant* as at New
	timeout uint32

	// numwant_default and numwant_max, changed live by SetNumWant: read
	// once per announce, one atomic load each.
	numWantDefault, numWantMax atomic.Int32

	cleanMu    sync.Mutex // serialises Clean; taken before any shard lock
	cleanShard int        // next shard to sweep; guarded by cleanMu
}

// Validate reports, joined, every field that New would have to correct
// (zero fields are fine: they mean the default).
func (c Config) Validate() error {
	var errs []error
	if c.Shards < 0 || c.Shards > MaxShards || c.Shards&(c.Shards-1) != 0 {
		errs = append(errs, fmt.Errorf("swarm: Shards must be a power of two up to %d, not %d", MaxShards, c.Shards))
	}
	if c.NumWantMax < 0 || c.NumWantMax > MaxNumWant {
		errs = append(errs, fmt.Errorf("swarm: NumWantMax must be 1 to %d, not %d", MaxNumWant, c.NumWantMax))
	}
	if c.NumWantDefault < 0 || c.NumWantDefault > cmp.Or(c.NumWantMax, DefaultNumWantMax) {
		errs = append(errs, fmt.Errorf("swarm: NumWantDefault must be 1 to NumWantMax, not %d", c.NumWantDefault))
	}
	if c.PeerTimeoutSec > MaxPeerTimeoutSec {
		errs = append(errs, fmt.Errorf("swarm: PeerTimeoutSec must be at most %d, not %d", MaxPeerTimeoutSec, c.PeerTimeoutSec))
	}
	return errors.Join(errs...)
}

// New returns an empty table configured by cfg, with defaults applied to
// zero fields and out-of-range fields brought into range (see Validate).
func New(cfg Config) *Table {
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultShards
	}
	cfg.Shards = min(cfg.Shards, MaxShards)
	cfg.Shards = 1 << bits.Len(uint(cfg.Shards-1)) // round up to a power of two
	if cfg.NumWantMax <= 0 {
		cfg.NumWantMax = DefaultNumWantMax
	}
	cfg.NumWantMax = min(cfg.NumWantMax, MaxNumWant)
	if cfg.NumWantDefault <= 0 {
		cfg.NumWantDefault = DefaultNumWant
	}
	cfg.NumWantDefault = min(cfg.NumWantDefault, cfg.NumWantMax)
	if cfg.PeerTimeoutSec == 0 {
		cfg.PeerTimeoutSec = DefaultPeerTimeoutSec
	}
	cfg.PeerTimeoutSec = min(cfg.PeerTimeoutSec, MaxPeerTimeoutSec)
	t := &Table{
		seed:    maphash.MakeSeed(),
		mask:    uint64(cfg.Shards - 1),
		shards:  make([]shard, cfg.Shards),
		cfg:     cfg,
		timeout: cfg.PeerTimeoutSec,
	}
	t.numWantDefault.Store(int32(cfg.NumWantDefault))
	t.numWantMax.Store(int32(cfg.NumWantMax))
	peerSeed := maphash.MakeSeed()
	for i := range t.shards {
		t.shards[i].init(peerSeed)
	}
	return t
}

// Config returns the effective configuration, defaults applied, with the
// numwant settings last set by SetNumWant.
func (t *Table) Config() Config {
	c := t.cfg
	c.NumWantDefault = int(t.numWantDefault.Load())
	c.NumWantMax = int(t.numWantMax.Load())
	return c
}

// SetNumWant changes NumWantDefault and NumWantMax for the announces that
// follow, corrected as New corrects them (zero is the default). Safe for
// concurrent use with Announce: an announce running meanwhile may see the
// old default with the new cap, which is harmless since the result is
// capped anyway.
func (t *Table) SetNumWant(def, maxN int) {
	if maxN <= 0 {
		maxN = DefaultNumWantMax
	}
	maxN = min(maxN, MaxNumWant)
	if def <= 0 {
		def = DefaultNumWant
	}
	def = min(def, maxN)
	t.numWantMax.Store(int32(maxN))
	t.numWantDefault.Store(int32(def))
}

func (t *Table) shard(ih *InfoHash) *shard {
	return &t.shards[maphash.Bytes(t.seed, ih[:])&t.mask]
}

func (t *Table) numWant(n int) int {
	if n <= 0 {
		n = int(t.numWantDefault.Load())
	}
	return min(n, int(t.numWantMax.Load()))
}

var (
	le = binary.LittleEndian // record expiry stamps and free-list links
	be = binary.BigEndian    // ports, stored as on the wire
)

// Announce applies the announce a at time now (Unix seconds, from the
// caller's coarse clock) and appends the chosen peers in compact form: IPv4
// as 6 bytes (address, port big endian) to dst4, IPv6 as 18 bytes to dst6.
// It returns the extended slices and the torrent's counts after the update.
//
// The peer is identified by (address, port) and upserted, or removed when
// a.Event is EventStopped (then no peers are appended). The reply never
// holds the peer itself, holds leechers only when the peer is a seeder, and
// is a uniform random sample without repetition of the live candidates.
//
// Cost: one shard lock, held for a map lookup, the upsert (a scan of at
// most maxPooled records, or an index probe for bigger swarms) and the
// copying of at most numwant peers. It does not allocate on a known torrent
// when dst has room, except when a peer list outgrows its block.
func (t *Table) Announce(dst4, dst6 []byte, a *AnnounceArgs, now uint32) ([]byte, []byte, Counts) {
	fam := fam4
	if a.Peer.V6 {
		fam = fam6
	}
	var kb [rec6 - 4]byte // stack array: the record key, as sent in replies
	key := kb[:recSize[fam]-4]
	copy(key, a.Peer.Addr[:len(key)-2])
	be.PutUint16(key[len(key)-2:], a.Peer.Port)
	k := t.numWant(a.NumWant)
	exp := now + t.timeout
	s := t.shard(&a.InfoHash)

	s.mu.Lock()
	ti, ok := s.torrents[a.InfoHash]
	if !ok {
		if a.Event == EventStopped {
			s.mu.Unlock()
			return dst4, dst6, Counts{}
		}
		ti = s.addTorrent(&a.InfoHash)
	}
	tr := &s.slab[ti]
	var l plist
	s.view(&l, tr, fam)
	pos := l.find(key, now)

	if a.Event == EventStopped {
		if pos >= 0 {
			l.remove(pos)
		}
		s.store(tr, fam, &l)
		c := tr.counts(now)
		s.mu.Unlock()
		return dst4, dst6, c
	}

	// A bigList still holds expired peers until Clean: such a peer starts a
	// new session, as it does in a small list, whose scan removed it.
	wasSeeder := pos >= l.nl && l.expiry(pos) > now // false when pos == -1
	if pos >= 0 {
		l.setExpiry(pos, exp)
		pos = l.setSeeder(pos, a.Peer.Seeder)
	} else {
		if l.n == l.cap() {
			s.grow(tr, fam, &l)
		}
		pos = l.insert(key, exp, a.Peer.Seeder)
	}
	// A repeated completed from a listed seeder is not counted again: one
	// completion per peer session, so a client cannot inflate the figure.
	if a.Event == EventCompleted && !wasSeeder {
		tr.downloaded++
	}
	tr.expire = exp
	s.store(tr, fam, &l)
	c := tr.counts(now)

	hi := l.n
	if a.Peer.Seeder {
		hi = l.nl // a seeder gets leechers only
	}
	var got int
	if fam == fam4 {
		dst4, got = l.appendSample(dst4, hi, pos, k, now)
	} else {
		dst6, got = l.appendSample(dst6, hi, pos, k, now)
	}
	if a.BothFamilies && got < k {
		other := 1 - fam
		if tr.n[other] > 0 {
			var o plist
			s.view(&o, tr, other)
			hi := o.n
			if a.Peer.Seeder {
				hi = o.nl
			}
			if other == fam4 {
				dst4, _ = o.appendSample(dst4, hi, -1, k-got, now)
			} else {
				dst6, _ = o.appendSample(dst6, hi, -1, k-got, now)
			}
		}
	}
	s.mu.Unlock()
	return dst4, dst6, c
}

// Scrape returns the counts of the torrent ih at time now, zeros if it is
// unknown. It takes one shard lock for a map lookup and does not allocate.
// Seeders and leechers may include peers that expired since the janitor
// last swept the torrent; when every peer has expired they are zero.
func (t *Table) Scrape(ih *InfoHash, now uint32) Counts {
	s := t.shard(ih)
	s.mu.Lock()
	var c Counts
	if ti, ok := s.torrents[*ih]; ok {
		c = s.slab[ti].counts(now)
	}
	s.mu.Unlock()
	return c
}

// Stats returns table-wide totals. It takes each shard lock in turn, briefly,
// so the figures are not one snapshot. Use it for metrics, not per request.
func (t *Table) Stats() Stats {
	var st Stats
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		st.Torrents += uint64(len(s.slab))
		st.Leechers4 += uint64(s.leechers[fam4])
		st.Seeders4 += uint64(s.seeders[fam4])
		st.Leechers6 += uint64(s.leechers[fam6])
		st.Seeders6 += uint64(s.seeders[fam6])
		s.mu.Unlock()
	}
	return st
}
