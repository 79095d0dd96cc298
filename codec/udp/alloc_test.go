//go:build !race

package udp

import (
	"strings"
	"testing"
)

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

func TestAllocs_ParseConnect(t *testing.T) {
	pkt := readHex(t, "connect_request.hex")
	var r Request
	assertNoAllocs(t, func() {
		if err := r.Parse(pkt); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAllocs_ParseAnnounce(t *testing.T) {
	for _, name := range []string{"announce_v4.hex", "announce_bep41.hex", "announce_bep41_chunked.hex"} {
		t.Run(name, func(t *testing.T) {
			pkt := readHex(t, name)
			var r Request
			assertNoAllocs(t, func() {
				if err := r.Parse(pkt); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func TestAllocs_ParseScrape(t *testing.T) {
	pkt := readHex(t, "scrape_3.hex")
	full := scrapePacket(MaxScrapeHashes, 0)
	var r Request
	assertNoAllocs(t, func() {
		if err := r.Parse(pkt); err != nil {
			t.Fatal(err)
		}
		if err := r.Parse(full); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAllocs_ParseErrors(t *testing.T) {
	base := readHex(t, "announce_v4.hex")
	pkts := [][]byte{
		nil,
		make([]byte, MaxPacketSize+1),
		header(1, ActionConnect, 1),
		header(1, 9, 1),
		put32(base, 80, 7),
		cat(base, urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("ccc")),
		scrapePacket(0, 0),
		scrapePacket(MaxScrapeHashes+1, 0),
	}
	var r Request
	assertNoAllocs(t, func() {
		for _, p := range pkts {
			err := r.Parse(p)
			if err == nil {
				t.Fatal("no error")
			}
			_ = ErrorMessage(err)
		}
	})
}

func TestAllocs_Append(t *testing.T) {
	var r Request
	if err := r.Parse(readHex(t, "announce_bep41_chunked.hex")); err != nil {
		t.Fatal(err)
	}
	var s Request
	if err := s.Parse(scrapePacket(MaxScrapeHashes, 0)); err != nil {
		t.Fatal(err)
	}
	peers := make([]byte, 50*18)
	dst := make([]byte, 0, 2048)
	tests := []struct {
		name string
		f    func()
	}{
		{name: "AppendConnect", f: func() { dst = AppendConnect(dst[:0], 1, 2) }},
		{name: "AppendAnnounce", f: func() { dst = AppendAnnounce(dst[:0], 1, 1800, 2, 3, peers) }},
		{name: "AppendScrape", f: func() {
			dst = AppendScrapeHeader(dst[:0], 1)
			for range MaxScrapeHashes {
				dst = AppendScrapeEntry(dst, 1, 2, 3)
			}
		}},
		{name: "AppendError", f: func() { dst = AppendError(dst[:0], 1, ErrorMessage(ErrBadEvent)) }},
		{name: "AppendRequestAnnounce", f: func() { dst = AppendRequest(dst[:0], &r) }},
		{name: "AppendRequestScrape", f: func() { dst = AppendRequest(dst[:0], &s) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertNoAllocs(t, tt.f) })
	}
}

func TestAllocs_ParseResponse(t *testing.T) {
	pkts := [][]byte{
		AppendConnect(nil, 1, 2),
		AppendAnnounce(nil, 1, 2, 3, 4, make([]byte, 60)),
		AppendScrapeEntry(AppendScrapeHeader(nil, 1), 1, 2, 3),
		AppendError(nil, 1, "x"),
	}
	var p Response
	assertNoAllocs(t, func() {
		for _, b := range pkts {
			if err := p.Parse(b, PeerSizeV4); err != nil {
				t.Fatal(err)
			}
		}
	})
}
