package swarm

import (
	"math/bits"
	"math/rand/v2"
)

// Peer selection: a uniform random sample without repetition of the live
// peers at positions [0, hi) of a list, less the requester's own position.
// Randomness comes from math/rand/v2's top-level functions, which use the
// runtime's per-thread generator: no lock, no allocation. Each 64-bit draw
// serves two bounded numbers (rng): the generator took a third of an
// announce to a big swarm, and halving its calls took that announce from
// about 1000 to 830 ns (BenchmarkAnnounce/big/serial).
//
// Three regimes, by the number m of candidates and the number k wanted:
//   - k >= m: every live candidate (the reply is the whole swarm);
//   - m <= 2k: a partial Fisher-Yates shuffle of the live positions;
//   - m > 2k: rejection sampling, drawing distinct positions until k live
//     ones are found, with the drawn positions in a small hash set on the
//     stack. Expected draws are under 2k when few peers are expired; the
//     draws are capped, so a list full of dead peers (a bigList the janitor
//     has not swept yet) yields fewer peers instead of a long loop.
//
// Each regime returns every k-subset of the live candidates with the same
// probability. The order of the appended peers is random, except when the
// reply is the whole swarm (list order).

// maxDraws bounds the draws of the sparse regime: it finds k live peers
// unless about 3/4 of the candidates are dead.
func maxDraws(k int) int { return 4*k + 64 }

// bigSet is the sparse regime's set size for k up to MaxNumWant at a load
// of at most 3/4.
const bigSet = 4096

var _ [bigSet - (4*MaxNumWant+64)*4/3]struct{} // compile-time: bigSet is big enough

// appendSample appends up to k compact peers chosen from positions [0, hi)
// except self (ignored if outside that range) and returns dst and the number
// of peers appended.
func (l *plist) appendSample(dst []byte, hi, self, k int, now uint32) ([]byte, int) {
	m := hi
	if self >= 0 && self < hi {
		m--
	} else {
		self = hi // position p >= self never happens below
	}
	switch {
	case k <= 0 || m <= 0:
		return dst, 0
	case k >= m:
		return l.appendAll(dst, hi, self, now)
	case m <= 2*k:
		return l.appendDense(dst, hi, self, k, now)
	}
	n := maxDraws(k)
	size := 512
	for size*3 < n*4 {
		size *= 2
	}
	if size <= 512 {
		var set [512]uint32 // stack arrays: zeroed only in the branch taken
		return l.appendSparse(dst, m, self, k, now, set[:], n)
	}
	var set [bigSet]uint32
	return l.appendSparse(dst, m, self, k, now, set[:size], n)
}

// appendAll appends every live peer of [0, hi) but self.
func (l *plist) appendAll(dst []byte, hi, self int, now uint32) ([]byte, int) {
	got := 0
	for p := range hi {
		if p != self && l.expiry(p) > now {
			dst = append(dst, l.key(p)...)
			got++
		}
	}
	return dst, got
}

// appendDense collects the live candidates' positions in a stack array
// (m <= 2k <= 2*MaxNumWant of them) and draws k with a partial Fisher-Yates
// shuffle: k random numbers, not one per candidate as in selection sampling,
// which took 1.7 us for 50 of 99 peers against 0.8 us for this
// (engine BenchmarkUDPHandle/announce).
func (l *plist) appendDense(dst []byte, hi, self, k int, now uint32) ([]byte, int) {
	var pos [2 * MaxNumWant]uint16
	live := 0
	for p := range hi {
		if p != self && l.expiry(p) > now {
			pos[live] = uint16(p)
			live++
		}
	}
	k = min(k, live)
	var r rng
	for i := range k {
		j := i + int(r.uint32n(uint32(live-i)))
		pos[i], pos[j] = pos[j], pos[i]
		dst = append(dst, l.key(int(pos[i]))...)
	}
	return dst, k
}

// appendSparse draws candidate numbers j in [0, m) at random, skipping
// repeats (set, a power of two long, holds j+1) and dead peers, for at most
// draws draws. Candidate j is position j, or j+1 from self on.
func (l *plist) appendSparse(dst []byte, m, self, k int, now uint32, set []uint32, draws int) ([]byte, int) {
	mask := uint32(len(set) - 1)
	shift := 32 - uint32(bits.Len32(mask))
	got := 0
	var r rng
	for ; draws > 0 && got < k; draws-- {
		j := r.uint32n(uint32(m))
		h := (j * 0x9E3779B1) >> shift // Fibonacci hashing: spreads runs of j
		for set[h] != 0 && set[h] != j+1 {
			h = (h + 1) & mask
		}
		if set[h] != 0 {
			continue
		}
		set[h] = j + 1
		p := int(j)
		if p >= self {
			p++
		}
		if l.expiry(p) <= now {
			continue
		}
		dst = append(dst, l.key(p)...)
		got++
	}
	return dst, got
}

// rng hands out uniform bounded numbers from the 32-bit halves of
// rand.Uint64 draws, by Lemire's multiply-and-reject method (exact, and
// without a division in the common case). It lives on one call's stack.
type rng struct {
	buf  uint64
	left int
}

// uint32n returns a uniform number in [0, n), n > 0.
func (r *rng) uint32n(n uint32) uint32 {
	for {
		if r.left == 0 {
			r.buf, r.left = rand.Uint64(), 2
		}
		x := uint32(r.buf)
		r.buf >>= 32
		r.left--
		prod := uint64(x) * uint64(n)
		if low := uint32(prod); low < n && low < -n%n {
			continue // x fell in the short last stripe: draw again
		}
		return uint32(prod >> 32)
	}
}
