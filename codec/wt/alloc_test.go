//go:build !race

package wt

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

func TestAllocs_Parse(t *testing.T) {
	for _, name := range []string{
		"announce_started_10offers.json", // 10 offers of ~800-byte SDPs
		"answer.json",
		"announce_update_magnet.json",
		"scrape_many.json",
	} {
		t.Run(name, func(t *testing.T) {
			b := readFixture(t, name)
			var r Request
			assertNoAllocs(t, func() {
				if err := r.Parse(b); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
	t.Run("full-scrape", func(t *testing.T) {
		b := obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes))
		var r Request
		assertNoAllocs(t, func() {
			if err := r.Parse(b); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("escapes", func(t *testing.T) {
		b := obj(`"\u0061ction":"ann\u006funce"`, `"info\u005fhash":`+hexBin(ihHex), mPID, `"ev\u0065nt":"st\u0061rted"`, offersJSON(25))
		var r Request
		assertNoAllocs(t, func() {
			if err := r.Parse(b); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestAllocs_ParseErrors(t *testing.T) {
	msgs := [][]byte{
		nil,
		[]byte(`{"action":"announce",`),
		obj(mAction, `"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`),
		obj(mIH, mPID),
		obj(mAction, mIH, `"peer_id":"\u0100"`),
		obj(mAction, mIH, mPID, `"left":1.5`),
		obj(mAction, mIH, mPID, `"offers":[1]`),
		obj(mAction, mIH, mPID, `"answer":{}`),
		obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes+1)),
	}
	var r Request
	assertNoAllocs(t, func() {
		for _, m := range msgs {
			err := r.Parse(m)
			if err == nil {
				t.Fatal("no error")
			}
			_ = FailureReason(err)
			_ = r.FailureInfoHash()
		}
	})
}

func TestAllocs_Append(t *testing.T) {
	ann := parsed(t, "announce_started_10offers.json")
	ans := parsed(t, "answer.json")
	ih := ann.InfoHash
	dst := make([]byte, 0, 16<<10)
	tests := []struct {
		name string
		f    func()
	}{
		{name: "AppendAnnounceReply", f: func() { dst = AppendAnnounceReply(dst[:0], &ih, 12, 34, 120) }},
		{name: "AppendOffer", f: func() {
			o := &ann.Offers[0]
			dst = AppendOffer(dst[:0], &ann.InfoHash, &ann.PeerID, &o.ID, o.SDP)
		}},
		{name: "AppendAnswer", f: func() { dst = AppendAnswer(dst[:0], &ans.InfoHash, &ans.PeerID, &ans.OfferID, ans.Answer) }},
		{name: "AppendScrape", f: func() {
			dst = AppendScrapeHeader(dst[:0])
			for range MaxScrapeHashes {
				dst = AppendScrapeEntry(dst, &ih, 1, 2, 3)
			}
			dst = AppendScrapeFooter(dst)
		}},
		{name: "AppendFailure", f: func() {
			dst = AppendFailure(dst[:0], FailureReason(ErrToPeerID), ActionAnnounce, ann.FailureInfoHash())
		}},
		{name: "AppendBinaryString", f: func() { dst = AppendBinaryString(dst[:0], ih[:]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertNoAllocs(t, tt.f) })
	}
}
