package swarm

// Peer records are fixed-size byte strings: the compact form a reply carries
// (address, then port big endian), then the expiry stamp (uint32 Unix
// seconds, little endian). There is no seeder bit: each list keeps its
// leechers at positions [0, nl) and its seeders at [nl, n), which also lets
// a seeder's reply sample the leechers directly.
const (
	fam4 = 0
	fam6 = 1

	rec4 = 4 + 2 + 4  // 10 bytes per IPv4 peer
	rec6 = 16 + 2 + 4 // 22 bytes per IPv6 peer
)

var recSize = [2]int{rec4, rec6}

// inlinePeers is how many IPv4 peers a torrent record holds itself, without
// an arena block: most torrents have one to three peers.
const inlinePeers = 3

// Storage states of one family's peer list (torrent.st).
const (
	stEmpty  uint8 = 0   // no storage; n == 0
	stInline uint8 = 1   // torrent.inl (IPv4 only)
	stArena  uint8 = 2   // stArena+c: arena block of class c at torrent.ref
	stBig    uint8 = 255 // shard.bigs[torrent.ref]
)

// torrent is one swarm, a value in its shard's slab. It holds no pointers,
// so a slab of a million torrents is one object the GC does not scan.
// It is guarded by its shard's mutex. 84 bytes.
type torrent struct {
	ih         InfoHash  // the map key, kept so that Clean can delete it
	expire     uint32    // no peer is live at or after this Unix second
	downloaded uint32    // completed events (scrape's downloaded)
	n          [2]uint32 // peers per family
	nl         [2]uint32 // leechers per family
	ref        [2]uint32 // arena address or bigs index, by st
	st         [2]uint8  // storage state per family
	inl        [inlinePeers * rec4]byte
}

// counts returns the torrent's scrape figures at now.
func (tr *torrent) counts(now uint32) Counts {
	if tr.expire <= now { // every peer expired: Clean has not come by yet
		return Counts{Downloaded: tr.downloaded}
	}
	return Counts{
		Seeders:    tr.n[fam4] - tr.nl[fam4] + tr.n[fam6] - tr.nl[fam6],
		Leechers:   tr.nl[fam4] + tr.nl[fam6],
		Downloaded: tr.downloaded,
	}
}

// stateFor returns the smallest storage state of family fam that holds n
// peers.
func stateFor(fam, n int) uint8 {
	switch {
	case n == 0:
		return stEmpty
	case fam == fam4 && n <= inlinePeers:
		return stInline
	case n > maxPooled:
		return stBig
	}
	for c, cp := range classCap {
		if cp >= n {
			return stArena + uint8(c)
		}
	}
	panic("BUG: classCap does not reach maxPooled")
}

// capOf returns the capacity of arena or inline state st.
func capOf(st uint8) int {
	switch st {
	case stEmpty:
		return 0
	case stInline:
		return inlinePeers
	}
	return classCap[st-stArena]
}

// bigCapFor returns the capacity of a bigList for n peers: a power of two
// with room to double.
func bigCapFor(n int) int {
	c := 2 * maxPooled
	for c < 2*n {
		c *= 2
	}
	return c
}
