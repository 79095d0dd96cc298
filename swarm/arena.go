package swarm

// Peer-list blocks of one shard live in an arena: fixed-size byte chunks
// carved into size-classed blocks, addressed by a uint32 and recycled through
// intrusive free lists. The GC sees one []byte per chunk and nothing else:
// blocks, free lists and addresses are plain integers and bytes.

const (
	// chunkShift sets the chunk size (32 KiB): big enough that the chunk
	// headers are a rounding error (one per ~3000 IPv4 peers), small enough
	// that the partly used last chunk of each shard costs little.
	chunkShift = 15
	chunkBytes = 1 << chunkShift

	// Addresses count 4-byte words, so a shard's arena can reach 16 GiB.
	// Every block size is a multiple of 4: record sizes are 10 and 22 bytes
	// and every class capacity is even.
	wordShift       = 2
	chunkWordsShift = chunkShift - wordShift
	chunkWordsMask  = 1<<chunkWordsShift - 1

	nilAddr = ^uint32(0) // end of a free list
)

// classCap is the capacity, in peers, of each arena size class. The ~1.5×
// steps keep a list at least 2/3 full after it grows; lists bigger than the
// last class leave the arena for a dedicated slice with an index (bigList).
var classCap = [...]int{2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256}

const numClasses = len(classCap)

// maxPooled is the most peers a list holds before it becomes a bigList with
// an index. Below it, finding a peer is a linear scan at about 1 ns per peer
// (260 ns at 256, BenchmarkFind), the same order as sampling the 50 peers
// of a reply; the index would cost 8 to 16 more bytes per peer and a hash
// per move.
const maxPooled = 256

// arena is one shard's block allocator. It is guarded by the shard's mutex.
type arena struct {
	chunks [][]byte
	used   int                   // bytes used in the last chunk
	free   [2][numClasses]uint32 // free-list heads per family and class
	blocks [2][numClasses]int    // blocks handed out, for tests
}

func (a *arena) init() {
	for f := range a.free {
		for c := range a.free[f] {
			a.free[f][c] = nilAddr
		}
	}
}

// blockBytes is the size of a block of class cls for family fam.
func blockBytes(fam, cls int) int { return classCap[cls] * recSize[fam] }

// alloc returns the address of a free block of class cls for family fam.
// It allocates a new chunk only when no free block and no room is left.
func (a *arena) alloc(fam, cls int) uint32 {
	a.blocks[fam][cls]++
	if h := a.free[fam][cls]; h != nilAddr {
		a.free[fam][cls] = le.Uint32(a.block(h, 4))
		return h
	}
	size := blockBytes(fam, cls)
	if len(a.chunks) == 0 || a.used+size > chunkBytes {
		if len(a.chunks) == 1<<(32-chunkWordsShift) {
			panic("BUG: swarm: shard arena full (16 GiB); use more shards")
		}
		a.recycleTail()
		a.chunks = append(a.chunks, make([]byte, chunkBytes))
		a.used = 0
	}
	addr := uint32(len(a.chunks)-1)<<chunkWordsShift | uint32(a.used>>wordShift)
	a.used += size
	return addr
}

// release puts the block at addr back on its free list.
func (a *arena) release(fam, cls int, addr uint32) {
	a.blocks[fam][cls]--
	le.PutUint32(a.block(addr, 4), a.free[fam][cls])
	a.free[fam][cls] = addr
}

// recycleTail hands the unused end of the last chunk to the free lists,
// largest blocks first, so that little of a chunk is lost.
func (a *arena) recycleTail() {
	if len(a.chunks) == 0 {
		return
	}
	for cls := numClasses - 1; cls >= 0; cls-- {
		for fam := 1; fam >= 0; fam-- {
			for size := blockBytes(fam, cls); a.used+size <= chunkBytes; a.used += size {
				addr := uint32(len(a.chunks)-1)<<chunkWordsShift | uint32(a.used>>wordShift)
				a.blocks[fam][cls]++ // release decrements it again
				a.release(fam, cls, addr)
			}
		}
	}
	a.used = chunkBytes
}

// block returns the n bytes at addr. The slice aliases the arena and stays
// valid while the shard lock is held (chunks never move).
func (a *arena) block(addr uint32, n int) []byte {
	c := a.chunks[addr>>chunkWordsShift]
	off := int(addr&chunkWordsMask) << wordShift
	return c[off : off+n : off+n]
}
