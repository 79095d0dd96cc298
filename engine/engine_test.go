package engine

import "testing"

func TestSweepBudget(t *testing.T) {
	tests := []struct {
		torrents uint64
		timeout  uint32
		want     int
	}{
		{torrents: 0, timeout: 3600, want: cleanMinBudget},
		{torrents: 100_000, timeout: 3600, want: cleanMinBudget},
		// 10M torrents, 60 min timeout: 9000 steps in 15 minutes.
		{torrents: 10_000_000, timeout: 3600, want: 10_000_000/9000 + 1},
		{torrents: 10_000_000, timeout: 0, want: 10_000_001},
	}
	for _, tc := range tests {
		if got := sweepBudget(tc.torrents, tc.timeout); got != tc.want {
			t.Errorf("sweepBudget(%d, %d) = %d, want %d", tc.torrents, tc.timeout, got, tc.want)
		}
	}
}
