package bench

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAlias_Distribution(t *testing.T) {
	weights := []float64{1, 0, 3, 6, 0.5, 9.5}
	a, err := NewAlias(weights)
	if err != nil {
		t.Fatal(err)
	}
	const draws = 2_000_000
	counts := make([]int, len(weights))
	r := rand.New(rand.NewPCG(1, 2))
	for range draws {
		counts[a.Sample(r)]++
	}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	for i, w := range weights {
		want := draws * w / sum
		// Five standard deviations of a binomial count.
		tol := 5 * math.Sqrt(want*(1-w/sum))
		if math.Abs(float64(counts[i])-want) > tol+1 {
			t.Errorf("index %d: %d draws, want %.0f ± %.0f", i, counts[i], want, tol)
		}
	}
	if counts[1] != 0 {
		t.Errorf("a zero weight was drawn %d times", counts[1])
	}
}

func TestAlias_Single(t *testing.T) {
	a, err := NewAlias([]float64{42})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		if i := a.Sample(r); i != 0 {
			t.Fatalf("Sample = %d, want 0", i)
		}
	}
}

func TestNewAlias_Bad(t *testing.T) {
	for name, w := range map[string][]float64{
		"empty":    nil,
		"zeros":    {0, 0},
		"negative": {1, -1},
		"nan":      {1, math.NaN()},
		"inf":      {1, math.Inf(1)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewAlias(w); err == nil {
				t.Errorf("NewAlias(%v) succeeded", w)
			}
		})
	}
}

func BenchmarkAliasSample(b *testing.B) {
	a, err := NewAlias(PopularityWeights(DefaultTorrents, DefaultPeers))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	for b.Loop() {
		a.Sample(r)
	}
}
