package bench

import (
	"testing"

	"github.com/trackerd/trackerd/codec/udp"
)

func TestCheckUDPReply(t *testing.T) {
	peers := func(n int) []byte { return make([]byte, 6*n) }
	scrape := func(n int) []byte {
		b := udp.AppendScrapeHeader(nil, 7)
		for range n {
			b = udp.AppendScrapeEntry(b, 1, 2, 3)
		}
		return b
	}
	tests := []struct {
		name    string
		b       []byte
		kind    uint8
		nHashes int
		want    verdict
		why     string
	}{
		{"connect", udp.AppendConnect(nil, 7, 42), kindConnect, 0, replyOK, ""},
		{"connect short", udp.AppendConnect(nil, 7, 42)[:12], kindConnect, 0, replyInvalid, whyUDPConnect},
		{"announce", udp.AppendAnnounce(nil, 7, 1800, 1, 2, peers(3)), kindAnnounce, 0, replyOK, ""},
		{"announce no peers", udp.AppendAnnounce(nil, 7, 1800, 0, 0, nil), kindAnnounce, 0, replyOK, ""},
		{"announce numwant", udp.AppendAnnounce(nil, 7, 1800, 0, 40, peers(31)), kindAnnounce, 0, replyInvalid, whyUDPNumWant},
		{"announce ragged peers", udp.AppendAnnounce(nil, 7, 1800, 0, 1, make([]byte, 7)), kindAnnounce, 0, replyInvalid, whyUDPPeers},
		{"announce interval 0", udp.AppendAnnounce(nil, 7, 0, 0, 1, nil), kindAnnounce, 0, replyInvalid, whyUDPInterval},
		// opentracker's answer to an announce of a torrent off its whitelist.
		{"announce bare header", udp.AppendAnnounce(nil, 7, 1800, 0, 0, nil)[:8], kindAnnounce, 0, replyInvalid, whyUDPShort},
		{"announce for connect", udp.AppendAnnounce(nil, 7, 1800, 0, 0, nil), kindConnect, 0, replyInvalid, whyUDPAction},
		{"scrape", scrape(3), kindScrape, 3, replyOK, ""},
		{"scrape missing entry", scrape(2), kindScrape, 3, replyInvalid, whyUDPScrapeLen},
		{"scrape ragged", append(scrape(1), 0), kindScrape, 1, replyInvalid, whyUDPScrapeLen},
		{"error", udp.AppendError(nil, 7, "bad connection id"), kindAnnounce, 0, replyError, ""},
		{"error empty message", udp.AppendError(nil, 7, ""), kindScrape, 0, replyError, ""},
		{"unknown action", []byte{0, 0, 0, 9, 0, 0, 0, 7}, kindAnnounce, 0, replyInvalid, whyUDPUnknown},
		{"too short", []byte{0, 0, 0}, kindAnnounce, 0, replyInvalid, whyUDPShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp udp.Response
			v, why := checkUDPReply(&resp, tt.b, tt.kind, tt.nHashes, 30)
			if v != tt.want || why != tt.why {
				t.Errorf("checkUDPReply = %d %q, want %d %q", v, why, tt.want, tt.why)
			}
		})
	}
}

func TestInflight(t *testing.T) {
	f := newInflight(2)
	i, tx := f.acquire(100)
	if got := f.lookup(tx); got != i {
		t.Fatalf("lookup(%#x) = %d, want %d", tx, got, i)
	}
	f.release(i)
	if got := f.lookup(tx); got != -1 {
		t.Fatalf("lookup of a released request = %d, want -1", got)
	}
	// The slot is reused with a new generation: the old id stays unknown.
	j, tx2 := f.acquire(200)
	k, _ := f.acquire(300)
	if f.available() != 0 {
		t.Fatalf("available = %d, want 0", f.available())
	}
	if tx2 == tx && j == i {
		t.Fatalf("a reused slot got the same transaction id %#x", tx)
	}
	if n := f.expire(250, nil); n != 1 {
		t.Fatalf("expire released %d, want 1", n)
	}
	if f.lookup(tx2) != -1 || f.lookup(uint32(f.slots[k].gen)<<16|uint32(k)) != k {
		t.Fatal("expire released the wrong request")
	}
}
