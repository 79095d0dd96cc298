package bench

import (
	"errors"
	"math/rand/v2"
)

// Alias samples indices with given weights in O(1) per draw (Walker's alias
// method, built with Vose's O(n) algorithm). It is immutable after NewAlias
// and safe for concurrent use; each goroutine brings its own *rand.Rand.
type Alias struct {
	prob  []float64 // chance of keeping column i rather than taking alias[i]
	alias []uint32
}

// errBadWeights is returned by NewAlias for weights it cannot sample.
var errBadWeights = errors.New("bench: alias weights must be finite, non-negative and not all zero")

// NewAlias builds the table for weights (at most 2^32 of them). The weights
// need not sum to one.
func NewAlias(weights []float64) (*Alias, error) {
	n := len(weights)
	if n == 0 || n > 1<<32-1 {
		return nil, errBadWeights
	}
	var sum float64
	for _, w := range weights {
		if !(w >= 0) || w > 1e300 { // also rejects NaN
			return nil, errBadWeights
		}
		sum += w
	}
	if sum <= 0 {
		return nil, errBadWeights
	}
	a := &Alias{prob: make([]float64, n), alias: make([]uint32, n)}
	// Scale so the average column is 1; split into columns below and above.
	scaled := a.prob
	small := make([]uint32, 0, n)
	large := make([]uint32, 0, n)
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, uint32(i))
		} else {
			large = append(large, uint32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.alias[s] = l // column s: keep s with prob[s], else l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// Whatever is left is 1 up to rounding.
	for _, i := range large {
		scaled[i] = 1
	}
	for _, i := range small {
		scaled[i] = 1
	}
	return a, nil
}

// Len returns the number of weights.
func (a *Alias) Len() int { return len(a.prob) }

// Sample returns an index drawn with probability proportional to its weight.
func (a *Alias) Sample(r *rand.Rand) int {
	i := r.IntN(len(a.prob))
	if r.Float64() < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}
