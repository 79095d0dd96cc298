package bench

import (
	"strings"
	"testing"
)

func TestCheckAnnounceBody(t *testing.T) {
	p6 := "6:" + strings.Repeat("x", 6)
	tests := []struct {
		name string
		body string
		want verdict
		why  string
		n    int
	}{
		{"compact", "d8:completei1e10:incompletei2e8:intervali1800e5:peers" + p6 + "e", replyOK, "", 1},
		{"empty peers", "d8:intervali1800e5:peers0:e", replyOK, "", 0},
		{"peers6", "d8:intervali1800e5:peers0:6:peers618:" + strings.Repeat("y", 18) + "e", replyOK, "", 1},
		{"dict peers", "d8:intervali60e5:peersld2:ip9:127.0.0.14:porti6881eeee", replyOK, "", 1},
		{"failure", "d14:failure reason9:forbiddene", replyError, "forbidden", 0},
		{"no interval", "d5:peers0:e", replyInvalid, whyNoInterval, 0},
		{"zero interval", "d8:intervali0e5:peers0:e", replyInvalid, whyNoInterval, 0},
		{"no peers", "d8:intervali1800ee", replyInvalid, whyNoPeers, 0},
		{"ragged peers", "d8:intervali1800e5:peers5:abcdee", replyInvalid, whyPeersLen, 0},
		{"ragged peers6", "d8:intervali1800e5:peers0:6:peers61:xe", replyInvalid, whyPeers6Len, 0},
		{"negative count", "d8:completei-1e8:intervali1800e5:peers0:e", replyInvalid, whyCounts, 0},
		{"too many", "d8:intervali1800e5:peers" + "186:" + strings.Repeat("z", 186) + "e", replyInvalid, whyTooManyPeers, 0},
		{"list of ints", "d8:intervali1800e5:peersli1eee", replyInvalid, whyPeerList, 0},
		{"truncated", "d8:intervali1800e5:peers6:abc", replyInvalid, whyBencode, 0},
		{"trailing", "d8:intervali1800e5:peers0:ex", replyInvalid, whyBencode, 0},
		{"not a dict", "li1ee", replyInvalid, whyBencode, 0},
		{"html", "<html>busy</html>", replyInvalid, whyBencode, 0},
		{"leading zero", "d8:intervali01e5:peers0:e", replyInvalid, whyBencode, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, why, n := checkAnnounceBody([]byte(tt.body), 30)
			if v != tt.want || why != tt.why || n != tt.n {
				t.Errorf("checkAnnounceBody = %d %q %d, want %d %q %d", v, why, n, tt.want, tt.why, tt.n)
			}
		})
	}
}

func TestCheckScrapeBody(t *testing.T) {
	ih := "20:" + strings.Repeat("h", 20)
	counts := "d8:completei1e10:downloadedi2e10:incompletei3ee"
	tests := []struct {
		name    string
		body    string
		nHashes int
		want    verdict
		why     string
	}{
		{"one", "d5:filesd" + ih + counts + "ee", 1, replyOK, ""},
		{"unknown left out", "d5:filesdee", 2, replyOK, ""},
		{"too many", "d5:filesd" + ih + counts + "ee", 0, replyInvalid, whyScrapeCount},
		{"short key", "d5:filesd3:abc" + counts + "ee", 1, replyInvalid, whyScrapeEntry},
		{"negative", "d5:filesd" + ih + "d8:completei-1eeee", 1, replyInvalid, whyScrapeEntry},
		{"no files", "d5:flagsdee", 1, replyInvalid, whyNoFiles},
		{"failure", "d14:failure reason4:nopee", 1, replyError, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, why := checkScrapeBody([]byte(tt.body), tt.nHashes)
			if v != tt.want || why != tt.why {
				t.Errorf("checkScrapeBody = %d %q, want %d %q", v, why, tt.want, tt.why)
			}
		})
	}
}

func TestBskip(t *testing.T) {
	good := []string{"i0e", "i-3e", "0:", "3:abc", "le", "de", "li1e1:xe", "d1:ai1e1:bli2eee"}
	for _, s := range good {
		if end, err := bskip([]byte(s), 0, 0); err != nil || end != len(s) {
			t.Errorf("bskip(%q) = %d, %v; want %d", s, end, err, len(s))
		}
	}
	bad := []string{"", "i", "ie", "i-0e", "i01e", "i1", "4:abc", "01:a", "l", "d1:a", "di1ei2ee", "x", "lllllllllli1eeeeeeeeee"}
	for _, s := range bad {
		if _, err := bskip([]byte(s), 0, 0); err == nil {
			t.Errorf("bskip(%q) accepted malformed bencode", s)
		}
	}
}
