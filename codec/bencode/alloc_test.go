//go:build !race

package bencode

import "testing"

// allocRuns is the number of runs testing.AllocsPerRun averages over.
const allocRuns = 1000

// raceEnabled tells the fuzz targets whether they may count allocations:
// the race detector's instrumentation makes the counts meaningless.
const raceEnabled = false

func assertNoAllocs(t *testing.T, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(allocRuns, f); n != 0 {
		t.Fatalf("allocs per run = %v, want 0", n)
	}
}

func TestAllocs_AppendAnnounce(t *testing.T) {
	full := Announce{
		Complete: 1234, Downloaded: 99999, Incomplete: 567, Interval: 1800, MinInterval: 900,
		ExternalIP: []byte(extV6),
		Peers4:     makePeers(50, PeerSizeV4, 1), Peers6: makePeers(50, PeerSizeV6, 2),
		PeerIDs4: makeIDs(50, 3), PeerIDs6: makeIDs(50, 4),
		WarningMessage: "maintenance at 02:00",
	}
	mapped := Announce{Interval: 1800, Peers6: []byte(p6map + p6a)}
	dst := make([]byte, 0, 16<<10)
	tests := []struct {
		name string
		a    Announce
	}{
		{name: "compact 50+50 peers", a: func() Announce { a := full; a.Compact = true; return a }()},
		{name: "non-compact 50+50 peers with ids", a: full},
		{name: "non-compact 50+50 peers without ids", a: func() Announce { a := full; a.PeerIDs4, a.PeerIDs6 = nil, nil; return a }()},
		{name: "non-compact v4-mapped", a: mapped},
		{name: "compact no peers", a: Announce{Interval: 1800, Compact: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertNoAllocs(t, func() { dst = AppendAnnounce(dst[:0], &tt.a) })
		})
	}
}

func TestAllocs_AppendScrape(t *testing.T) {
	unsorted := make([]ScrapeFile, 74)
	for i := range unsorted {
		unsorted[i].InfoHash[0] = byte(255 - i) // reverse order: the sort's worst case
		unsorted[i].InfoHash[19] = byte(i)
		unsorted[i].Complete = int64(i)
	}
	unsorted[10] = unsorted[20] // a duplicate
	files := make([]ScrapeFile, len(unsorted))
	dst := make([]byte, 0, 8<<10)
	assertNoAllocs(t, func() {
		copy(files, unsorted)
		dst = AppendScrape(dst[:0], files)
	})
}

func TestAllocs_AppendFailure(t *testing.T) {
	dst := make([]byte, 0, 256)
	assertNoAllocs(t, func() {
		dst = AppendFailure(dst[:0], "unregistered torrent", 0)
		dst = AppendFailure(dst[:0], "tracker busy", 300)
	})
}

func TestAllocs_AppendPrimitives(t *testing.T) {
	dst := make([]byte, 0, 256)
	b := []byte("spam")
	assertNoAllocs(t, func() {
		dst = AppendInt(dst[:0], -1234567890)
		dst = AppendString(dst, b)
		dst = AppendStringS(dst, "eggs")
	})
}
