package bench

import (
	"strings"
	"testing"
)

func result(rate, serv, gen float64, samples ...float64) *Result {
	r := &Result{ResponsesPerSec: rate, ServerCPU: serv, GeneratorCPU: gen, Wait: 100 - gen,
		Totals: Counts{Announce: 10}, PeersPerAnnounce: gen / 10}
	for i, s := range samples {
		r.Samples = append(r.Samples, Sample{Second: i + 1, ResponsesPerSec: s})
	}
	return r
}

func TestFormatLoadTable(t *testing.T) {
	rows := []LoadRow{
		{Protocol: "udp", Server: "trackerd (mmsg)", Role: RoleTrackerd, Primary: true,
			Results: []*Result{result(400e3, 95, 99, 410e3, 390e3), result(380e3, 96, 99), result(420e3, 94, 98)}},
		{Protocol: "udp", Server: "opentracker", Role: RolePeer,
			Results: []*Result{result(200e3, 99, 80, 200e3, 200e3), result(190e3, 99, 80)}},
		{Protocol: "udp", Server: "bittorrent-tracker", Role: RolePeer,
			Results: []*Result{{ResponsesPerSec: 30e3, ServerCPU: 100, GeneratorCPU: 20, Wait: -1,
				Totals: Counts{Invalid: 2, Timeouts: 5}, Samples: []Sample{{Second: 1, ResponsesPerSec: 41e3}, {Second: 2, ResponsesPerSec: 25e3}}}},
			Failures: []string{"bittorrent-tracker exited"}},
		{Protocol: "http", Server: "trackerd (mmsg)", Role: RoleTrackerd, Primary: true,
			Note: "trackerd does not serve HTTP yet"},
	}
	got := FormatLoadTable(rows)
	want := []string{
		"| protocol | server | responses/s (median) | min – max | 1st s → last s | peers per announce | tracker CPU | responses per tracker CPU-s | generator CPU | run-queue wait | failures | trackerd ÷ this | ÷ per CPU-s |",
		"|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|",
		"| udp | trackerd (mmsg) | 400k | 380k – 420k | 410k → 390k | 9.9 | 95% | 421k | 99% | 2% | 0 | — | — |",
		"| udp | opentracker | 195k | 190k – 200k | 200k → 200k | 8.0 | 99% | 197k | 80% | 20% | 0 | 2.05× | 2.14× |",
		"| udp | bittorrent-tracker | 30.0k | 30.0k – 30.0k | 41.0k → 25.0k | — | 100% | 30.0k | 20% | — | invalid 2, timeouts 5, 1 of 2 rounds failed | 13.33× | 14.04× |",
		"| http | trackerd (mmsg) | — | — | — | — | — | — | — | — | trackerd does not serve HTTP yet | — | — |",
	}
	if lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n"); strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("FormatLoadTable:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestFormatMemoryTable(t *testing.T) {
	rows := []MemoryRow{
		{Server: "trackerd (mmsg)", RSSBefore: 8 << 20, RSSAfter: 48 << 20,
			Fill: &FillResult{Peers: 1_000_000, Announced: 1_000_000, Torrents: 100_000, PerSec: 325e3, Complete: true}},
		{Server: "bittorrent-tracker", RSSBefore: 60 << 20, RSSAfter: 560 << 20,
			Fill: &FillResult{Peers: 1_000_000, Announced: 499_123, Unsent: 500_877, Torrents: 100_000, PerSec: 30e3, Seconds: 60}},
		{Server: "opentracker", Note: "failed: not ready"},
	}
	got := FormatMemoryTable(rows)
	want := []string{
		"| server | peers in | torrents | RSS before | RSS after | Δ RSS | bytes per peer | fill rate | note |",
		"|---|--:|--:|--:|--:|--:|--:|--:|---|",
		"| trackerd (mmsg) | 1M | 100k | 8.0 MiB | 48.0 MiB | 40.0 MiB | 41.9 | 325k/s |  |",
		"| bittorrent-tracker | 499k | 100k | 60.0 MiB | 560.0 MiB | 500.0 MiB | 1050.4 | 30.0k/s | time limit (60 s) reached with 499k of 1M peers in. |",
		"| opentracker | — | — | — | — | — | — | — | failed: not ready |",
	}
	if lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n"); strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("FormatMemoryTable:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestHumanRate(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 950: "950", 99_996: "100k", 12_345: "12.3k", 1_234_567: "1.23M", 999_999: "1.00M"} {
		if got := humanRate(v); got != want {
			t.Errorf("humanRate(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestFormatTargets(t *testing.T) {
	rows := []LoadRow{
		{Protocol: "udp", Server: "trackerd (mmsg)", Role: RoleTrackerd, Primary: true, Results: []*Result{result(400e3, 100, 99)}},
		{Protocol: "udp", Server: "opentracker", Role: RolePeer, Results: []*Result{result(200e3, 100, 80)}},
		{Protocol: "udp", Server: "ceiling", Role: RoleCeiling, Results: []*Result{result(500e3, 100, 99)}},
		{Protocol: "ws", Server: "trackerd (mmsg)", Role: RoleTrackerd, Primary: true, Results: []*Result{result(450e3, 90, 70)}},
		{Protocol: "ws", Server: "bittorrent-tracker", Role: RolePeer, Results: []*Result{result(30e3, 100, 50)}},
		{Protocol: "ws-crowd", Server: "trackerd (mmsg)", Role: RoleTrackerd, Primary: true, Results: []*Result{result(150e3, 100, 95)}},
		{Protocol: "ws-crowd", Server: "bittorrent-tracker", Role: RolePeer, Note: "failed"},
	}
	got := formatTargets(rows, nil, &RunConfig{})
	for _, want := range []string{
		"- udp, trackerd ≥ 2.00× opentracker: 2.00× (met); per CPU-second 2.00×\n",
		"- udp, trackerd ≥ 0.85× the ceiling: 0.80× (MISSED); per CPU-second 0.80×\n",
		"- ws, trackerd ≥ 15.00× bittorrent-tracker: 15.00× (met); per CPU-second 16.67×\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("formatTargets lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ws-crowd") {
		t.Errorf("a target for a row without results:\n%s", got)
	}
}
