package bench

import "math"

// PopularityWeights returns the torrent popularity of the aquatic load
// testers: torrent i of n has weight n/peers + exp(6.5 − 500·i/n). With the
// defaults (1M torrents, 2M peers) about 72% of draws hit the most popular
// 1.3% of torrents and the rest spread over the long tail, as on public
// trackers. peers must be positive.
func PopularityWeights(torrents, peers int) []float64 {
	w := make([]float64, torrents)
	floor := float64(torrents) / float64(peers)
	for i := range w {
		w[i] = floor + math.Exp(6.5-500*float64(i)/float64(torrents))
	}
	return w
}
