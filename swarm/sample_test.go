package swarm

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"testing"
)

// listOf builds an IPv4 list of n peers whose key holds the position; dead(i)
// makes peer i expired at t0.
func listOf(n int, dead func(int) bool) *plist { return listOfSize(rec4, n, dead) }

// listOfSize is listOf for record size rs (an IPv6 key holds the position
// in its first 4 bytes too).
func listOfSize(rs, n int, dead func(int) bool) *plist {
	l := &plist{recs: make([]byte, n*rs), rs: rs, n: n, nl: n, track: -1, seed: maphash.MakeSeed()}
	for i := range n {
		binary.BigEndian.PutUint32(l.recs[i*rs:], uint32(i))
		exp := uint32(t0 + 1)
		if dead != nil && dead(i) {
			exp = t0
		}
		l.setExpiry(i, exp)
	}
	return l
}

// chiSquareBound is a bound that a chi-square statistic with dof degrees of
// freedom exceeds with a probability far below 1e-12: the test is there to
// catch a biased sampler (which misses by orders of magnitude), not to flake.
func chiSquareBound(dof int) float64 {
	return float64(dof) + 12*math.Sqrt(2*float64(dof)) + 40
}

// TestSample_Uniform checks, in each regime, that every live candidate is
// chosen equally often, that self and dead peers never are and that a reply
// has no repeats and the right size.
func TestSample_Uniform(t *testing.T) {
	const trials = 20000
	for _, tc := range []struct {
		name     string
		n, hi, k int
		self     int
		dead     func(int) bool
	}{
		{name: "all", n: 10, hi: 10, k: 20, self: 3},
		{name: "dense", n: 30, hi: 30, k: 20, self: 0},
		{name: "dense no self", n: 30, hi: 30, k: 15, self: -1},
		{name: "dense with dead", n: 40, hi: 40, k: 12, self: 39, dead: func(i int) bool { return i%3 == 0 }},
		{name: "sparse", n: 200, hi: 200, k: 20, self: 199},
		{name: "sparse leechers of a seeder", n: 300, hi: 150, k: 50, self: 250},
		{name: "sparse with dead", n: 300, hi: 300, k: 30, self: 7, dead: func(i int) bool { return i%2 == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listOf(tc.n, tc.dead)
			live := 0
			for i := range tc.hi {
				if i != tc.self && (tc.dead == nil || !tc.dead(i)) {
					live++
				}
			}
			want := min(tc.k, live)
			counts := make([]int, tc.n)
			var dst []byte
			for range trials {
				var got int
				dst, got = l.appendSample(dst[:0], tc.hi, tc.self, tc.k, t0)
				if got != want || len(dst) != 6*want {
					t.Fatalf("got %d peers (%d bytes), want %d", got, len(dst), want)
				}
				for _, k := range split(t, dst, 6) {
					counts[binary.BigEndian.Uint32([]byte(k))]++
				}
			}
			exp := float64(trials) * float64(want) / float64(live)
			chi := 0.0
			for i, c := range counts {
				if i >= tc.hi || i == tc.self || (tc.dead != nil && tc.dead(i)) {
					if c != 0 {
						t.Fatalf("peer %d is not a candidate but was chosen %d times", i, c)
					}
					continue
				}
				chi += (float64(c) - exp) * (float64(c) - exp) / exp
			}
			if live > want && chi > chiSquareBound(live-1) {
				t.Fatalf("chi-square %.1f over %d candidates (bound %.1f): %v", chi, live, chiSquareBound(live-1), counts)
			}
		})
	}
}

// TestSample_Subsets checks that whole subsets, not only single peers, are
// equally likely: every pair (or triple) of a small list, in each regime.
func TestSample_Subsets(t *testing.T) {
	const trials = 30000
	for _, tc := range []struct {
		name string
		n, k int
	}{
		{"sparse pairs of 7", 7, 2},  // 6 candidates > 2k: rejection
		{"dense triples of 6", 6, 3}, // 5 candidates <= 2k: partial shuffle
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listOf(tc.n, nil)
			seen := map[uint32]int{}
			var dst []byte
			for range trials {
				dst, _ = l.appendSample(dst[:0], tc.n, tc.n-1, tc.k, t0)
				var set uint32
				for _, k := range split(t, dst, 6) {
					set |= 1 << binary.BigEndian.Uint32([]byte(k))
				}
				seen[set]++
			}
			subsets := binomial(tc.n-1, tc.k)
			if len(seen) != subsets {
				t.Fatalf("saw %d subsets, want %d", len(seen), subsets)
			}
			exp := float64(trials) / float64(subsets)
			chi := 0.0
			for _, c := range seen {
				chi += (float64(c) - exp) * (float64(c) - exp) / exp
			}
			if chi > chiSquareBound(subsets-1) {
				t.Fatalf("chi-square %.1f over %d subsets: %v", chi, subsets, seen)
			}
		})
	}
}

func binomial(n, k int) int {
	r := 1
	for i := range k {
		r = r * (n - i) / (i + 1)
	}
	return r
}

// TestSample_ThroughAnnounce checks uniformity end to end, on a swarm big
// enough to be indexed.
func TestSample_ThroughAnnounce(t *testing.T) {
	tb := New(Config{})
	ih := ihOf(1)
	const n = 400
	for i := range n {
		ann(t, tb, ih, peer4(i, false), EventStarted, 0, false, t0)
	}
	counts := map[string]int{}
	const trials = 4000
	for range trials {
		v4, _, _ := ann(t, tb, ih, peer4(0, false), EventNone, 50, false, t0)
		for _, k := range v4 {
			counts[k]++
		}
	}
	if len(counts) != n-1 {
		t.Fatalf("%d distinct peers chosen, want %d", len(counts), n-1)
	}
	exp := float64(trials) * 50 / (n - 1)
	chi := 0.0
	for _, c := range counts {
		chi += (float64(c) - exp) * (float64(c) - exp) / exp
	}
	if chi > chiSquareBound(n-2) {
		t.Fatalf("chi-square %.1f over %d peers", chi, n-1)
	}
}
