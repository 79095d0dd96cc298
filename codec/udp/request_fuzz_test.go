package udp

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseRequest checks that Request.Parse never panics, returns only
// sentinels, leaves the same state in a reused Request as in a fresh one
// (the partial zeroing is right), that whatever parses re-encodes with
// AppendRequest and re-parses to an == Request, and that re-parsing does not
// allocate. Seeds: every testdata/*.hex fixture plus edge cases.
func FuzzParseRequest(f *testing.F) {
	for _, name := range hexFixtures(f) {
		f.Add(readHex(f, name))
	}
	base := readHex(f, "announce_v4.hex")
	f.Add([]byte{})
	f.Add(header(ProtocolID, ActionError, 1))
	f.Add(scrapePacket(MaxScrapeHashes, 0))
	f.Add(scrapePacket(2, 3))
	f.Add(cat(base, []byte{optionNOP, 0x7f, 2, 0, 0, optionURLData, 3, 'a', 'b', 'c', optionURLData, 9, 'x'}))
	f.Add(cat(base, urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("ccc")))

	var dirtyScrape, dirtyAnn Request
	if err := dirtyScrape.Parse(scrapePacket(MaxScrapeHashes, 0)); err != nil {
		f.Fatal(err)
	}
	if err := dirtyAnn.Parse(cat(base, urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("cc"))); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		// Requests are 2 KiB each: keep them off the stack, or every input
		// (run on a fresh goroutine) pays for stack growth.
		r, d, r2 := new(Request), new(Request), new(Request)
		err := r.Parse(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse returned a non-sentinel error %v", err)
			}
		}
		for _, dirty := range []*Request{&dirtyScrape, &dirtyAnn} {
			*d = *dirty
			if derr := d.Parse(b); derr != err || *d != *r {
				t.Fatalf("reused Request differs from fresh: err %v vs %v, equal %v", derr, err, *d == *r)
			}
		}
		if err != nil {
			return
		}
		enc := AppendRequest(nil, r)
		if err := r2.Parse(enc); err != nil {
			t.Fatalf("re-Parse(%x): %v", enc, err)
		}
		if *r2 != *r {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", *r2, *r)
		}
		if !raceEnabled {
			if n := testing.AllocsPerRun(1, func() { _ = r2.Parse(b) }); n != 0 {
				t.Fatalf("re-Parse allocated %v times", n)
			}
		}
	})
}

// FuzzParseResponse checks that Response.Parse never panics, returns only
// sentinels, and that whatever parses re-encodes with the Append functions
// to the same bytes (the first 16 for a connect reply) and re-parses to the
// same values.
func FuzzParseResponse(f *testing.F) {
	f.Add(AppendConnect(nil, 1, 0x0102030405060708), false)
	f.Add(AppendAnnounce(nil, 2, 1800, 1, 2, make([]byte, 12)), false)
	f.Add(AppendAnnounce(nil, 2, 1800, 1, 2, make([]byte, 36)), true)
	f.Add(AppendScrapeEntry(AppendScrapeHeader(nil, 3), 4, 5, 6), false)
	f.Add(AppendError(nil, 4, "udp: bad event"), false)
	f.Add([]byte{0, 0, 0, 9, 0, 0, 0, 1}, true)

	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		peerSize := PeerSizeV4
		if v6 {
			peerSize = PeerSizeV6
		}
		var p Response
		err := p.Parse(b, peerSize)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse returned a non-sentinel error %v", err)
			}
			return
		}
		var enc []byte
		want := b
		switch p.Action {
		case ActionConnect:
			enc = AppendConnect(nil, p.TxID, p.ConnID)
			want = b[:ConnectReplySize]
		case ActionAnnounce:
			enc = AppendAnnounce(nil, p.TxID, p.Interval, p.Leechers, p.Seeders, p.Peers)
		case ActionScrape:
			enc = AppendScrapeHeader(nil, p.TxID)
			for i := range p.NScrape() {
				s, c, l := p.ScrapeEntry(i)
				enc = AppendScrapeEntry(enc, s, c, l)
			}
		case ActionError:
			enc = AppendError(nil, p.TxID, string(p.Message))
		default:
			t.Fatalf("Parse accepted action %d", p.Action)
		}
		if !bytes.Equal(enc, want) {
			t.Fatalf("re-encoded %x, want %x", enc, want)
		}
		var q Response
		if err := q.Parse(enc, peerSize); err != nil {
			t.Fatalf("re-Parse: %v", err)
		}
		if q.Action != p.Action || q.TxID != p.TxID || q.ConnID != p.ConnID ||
			q.Interval != p.Interval || q.Leechers != p.Leechers || q.Seeders != p.Seeders ||
			!bytes.Equal(q.Peers, p.Peers) || !bytes.Equal(q.Scrape, p.Scrape) || !bytes.Equal(q.Message, p.Message) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", q, p)
		}
	})
}
