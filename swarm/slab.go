package swarm

// A shard indexes its torrents with a map from info hash to a position in
// a slab of pointer-free records; the IP table (torrent) and the WebTorrent
// table (rtcTorrent) keep theirs the same way.

// slabRecord is a torrent record that knows its own map key.
type slabRecord[T any] interface {
	*T
	infoHash() *InfoHash
}

func (t *torrent) infoHash() *InfoHash    { return &t.ih }
func (t *rtcTorrent) infoHash() *InfoHash { return &t.ih }

// removeTorrent deletes slab[ti] from a shard's index: its map entry goes
// and the last record moves into its place. Neither a slice nor a map
// shrinks by itself, so both are rebuilt when they hold less than a quarter
// of what they were sized for; peak is the map's high-water mark since it
// was built. It returns the slab and the map to keep. The caller holds the
// shard lock.
func removeTorrent[T any, P slabRecord[T]](slab []T, index map[InfoHash]uint32, peak *int, ti int) ([]T, map[InfoHash]uint32) {
	delete(index, *P(&slab[ti]).infoHash())
	last := len(slab) - 1
	if ti != last {
		slab[ti] = slab[last]
		index[*P(&slab[ti]).infoHash()] = uint32(ti)
	}
	slab = slab[:last]
	if cap(slab) > 1024 && 4*len(slab) < cap(slab) {
		slab = append(make([]T, 0, 2*len(slab)), slab...)
	}
	if *peak > 1024 && 4*len(index) < *peak {
		m := make(map[InfoHash]uint32, len(slab))
		for i := range slab {
			m[*P(&slab[i]).infoHash()] = uint32(i)
		}
		index = m
		*peak = len(m)
	}
	return slab, index
}
