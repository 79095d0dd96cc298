package bench

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPopularityWeights_Formula(t *testing.T) {
	w := PopularityWeights(1000, 2000)
	for _, i := range []int{0, 1, 13, 500, 999} {
		want := 0.5 + math.Exp(6.5-500*float64(i)/1000)
		if math.Abs(w[i]-want) > 1e-9*want {
			t.Errorf("w[%d] = %v, want %v", i, w[i], want)
		}
	}
	for i := 1; i < len(w); i++ {
		if w[i] > w[i-1] {
			t.Fatalf("w[%d] = %v > w[%d] = %v: not decreasing", i, w[i], i-1, w[i-1])
		}
	}
}

// With aquatic's defaults about 72% of draws hit the top 1.3% of torrents.
func TestPopularityWeights_Skew(t *testing.T) {
	w := PopularityWeights(DefaultTorrents, DefaultPeers)
	top := DefaultTorrents * 13 / 1000
	var sum, sumTop float64
	for i, x := range w {
		sum += x
		if i < top {
			sumTop += x
		}
	}
	if share := sumTop / sum; share < 0.70 || share > 0.74 {
		t.Errorf("top 1.3%% of torrents get %.3f of the weight, want about 0.72", share)
	}

	// The alias table draws them in that proportion.
	a, err := NewAlias(w)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	const draws = 1_000_000
	hits := 0
	for range draws {
		if a.Sample(r) < top {
			hits++
		}
	}
	if share := float64(hits) / draws; math.Abs(share-sumTop/sum) > 0.005 {
		t.Errorf("alias draws hit the top 1.3%% %.4f of the time, weights say %.4f", share, sumTop/sum)
	}
}

func TestNewWorkload_Deterministic(t *testing.T) {
	cfg := WorkloadConfig{Torrents: 1000, Peers: 5000, ScrapeMax: 10, Seed: 99}
	a, err := NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Hashes {
		if a.Hashes[i] != b.Hashes[i] {
			t.Fatalf("hash %d differs between two builds with one seed", i)
		}
	}
	for i := range a.NumPeers() {
		pa, pb := a.Peer(i), b.Peer(i)
		if pa.Torrent != pb.Torrent || pa.Port != pb.Port || len(pa.Scrape) != len(pb.Scrape) {
			t.Fatalf("peer %d differs between two builds with one seed", i)
		}
		if pa.Port == 0 {
			t.Fatalf("peer %d announces port 0", i)
		}
		if n := len(pa.Scrape); n < 1 || n > cfg.ScrapeMax {
			t.Fatalf("peer %d scrapes %d torrents", i, n)
		}
		seen := map[uint32]bool{}
		for _, s := range pa.Scrape {
			if seen[s] {
				t.Fatalf("peer %d scrapes torrent %d twice", i, s)
			}
			seen[s] = true
		}
	}
}
