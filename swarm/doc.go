// Package swarm is the in-memory swarm table for IP peers: torrents by info
// hash, each with its IPv4 and IPv6 peers, shared by the UDP and HTTP event
// loops. It applies announces, answers scrapes, chooses the peers of a reply
// and expires peers that stop announcing.
//
// WebTorrent peers live in a table of their own, RTCTable (rtc.go), with
// the same sharding and the same kind of pointer-free storage. There a peer
// is a peer_id bound to the WebSocket connection (Conn) that announced it;
// the table hands out no addresses: it picks the receivers of a browser's
// offers, remembers each relayed offer, and accepts an answer only from the
// connection the offer went to, once, while the offer is fresh. The comment
// at the top of rtc.go gives its semantics, memory, locking and allocation.
//
// Spec: DESIGN.md §3; BEP 3 (announce, events), BEP 15 (event numbers,
// compact peers), BEP 7 (IPv6 peers, peers6), BEP 23 (compact form), BEP 48
// (scrape counts).
//
// Semantics:
//   - A peer is identified by (address, port), not by peer_id, so nobody can
//     replace another host's entry. IPv4 and IPv6 peers of a torrent are in
//     separate lists.
//   - The announcing peer is never returned to itself; a seeder is sent
//     leechers only; peers are a uniform random sample without repetition;
//     numwant <= 0 gets Config.NumWantDefault and is capped at
//     Config.NumWantMax.
//   - EventStopped removes the peer and returns the counts and no peers; it
//     never creates a torrent. EventCompleted adds one to Downloaded unless
//     the peer is already listed as a seeder (a repeated completed is not
//     counted twice; a peer that stopped or expired and completes again is).
//   - A peer is listed until Config.PeerTimeoutSec after its last announce,
//     on the caller's clock (now, Unix seconds). It is never returned once
//     expired; Table.Clean removes it, a bounded number of torrents per call,
//     and drops torrents left without peers for a whole timeout (Downloaded
//     goes with them, as in opentracker).
//
// Memory: the table owns all swarm state; callers pass plain values
// (AnnounceArgs, InfoHash) that are not retained, and get peers appended to
// their own buffers. Each shard holds a map[InfoHash]uint32 into a slab of
// pointer-free torrent records (84 bytes, with room for three IPv4 peers
// inline), and an arena of 32 KiB byte chunks carved into size-classed
// peer-list blocks addressed by uint32. A peer is 10 bytes (IPv4) or 22
// bytes (IPv6): address, port, expiry; seeders and leechers are the two
// halves of each list, so there is no seeder bit. Lists longer than 256
// peers move to a dedicated slice with an open-addressing index, so that an
// announce to a swarm of any size costs O(numwant), not O(peers). The GC
// scans one pointer per chunk, map and big swarm, never one per peer or per
// torrent. Memory freed by Clean is reused by later announces; the arena
// keeps its high-water mark.
//
// Snapshots (snapshot.go): Table.WriteSnapshot streams the live torrents
// and peers to a versioned, CRC-32C-checked file; ReadSnapshot checks a file
// while loading it into a fresh Table, which the caller uses only if the
// whole file checked out. WebTorrent peers are not snapshotted: they are
// bound to WebSocket connections, which a restart closes.
//
// Concurrency: Table is safe for concurrent use, designed for one goroutine
// per CPU calling Announce and Scrape directly. The table is split into a
// power-of-two number of shards (Config.Shards; use at least 16 per event
// loop), chosen by a hash of the info hash with a random seed, because info
// hashes are client-chosen. Each shard has one sync.Mutex, padded to its own
// cache lines.
//
// Lock order: Table.cleanMu (Clean, WriteSnapshot) → one shard mutex. No code path
// holds two shard mutexes, and none is held across I/O, a callback or a
// channel operation: Announce, Scrape and Stats take one shard lock at a
// time; Clean takes cleanMu, then one shard lock at a time, releasing it
// every cleanBatch torrents and every cleanChunk peers of a big swarm.
//
// Allocation: Announce and Scrape do not allocate on a known torrent when
// dst has room, with rare exceptions on growth: a new torrent (slab and map
// growth), a peer list outgrowing its block (a new arena chunk now and
// then), or a big swarm doubling. Randomness comes from math/rand/v2's
// top-level functions, which neither lock nor allocate. Nothing reads the
// wall clock.
package swarm
