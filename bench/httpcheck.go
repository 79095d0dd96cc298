package bench

import "bytes"

// Reasons an HTTP tracker reply is invalid. Static strings: nothing is
// formatted per reply.
const (
	whyHTTPStatus     = "HTTP status is not 200"
	whyBencode        = "body is not one bencoded dictionary"
	whyNoInterval     = "announce reply has no positive integer interval"
	whyNoPeers        = "announce reply has no peers"
	whyPeersLen       = "compact peers are not a multiple of 6 bytes"
	whyPeers6Len      = "compact peers6 are not a multiple of 18 bytes"
	whyTooManyPeers   = "announce reply has more peers than numwant"
	whyPeerList       = "non-compact peers are not a list of dictionaries"
	whyCounts         = "complete or incomplete is not a non-negative integer"
	whyNoFiles        = "scrape reply has no files dictionary"
	whyScrapeEntry    = "scrape entry is not a 20-byte key with a dictionary of counts"
	whyScrapeCount    = "scrape reply has more entries than info hashes asked for"
	whyFailureNotText = "failure reason is not a string"
)

var (
	keyFailure    = []byte("failure reason")
	keyInterval   = []byte("interval")
	keyPeers      = []byte("peers")
	keyPeers6     = []byte("peers6")
	keyComplete   = []byte("complete")
	keyIncomplete = []byte("incomplete")
	keyDownloaded = []byte("downloaded")
	keyFiles      = []byte("files")
)

// checkAnnounceBody validates the body of an HTTP announce reply (BEP 3,
// 23, 7): one bencoded dictionary with a positive integer "interval" and
// "peers", compact (a string of 6-byte entries) or not (a list of
// dictionaries), at most numWant of them, and optional "peers6", "complete"
// and "incomplete" of the right shapes; npeers counts the peers of a valid
// reply. A dictionary with "failure reason" is a tracker error: replyError,
// and why is the reason.
func checkAnnounceBody(body []byte, numWant int) (v verdict, why string, npeers int) {
	var (
		failure, interval, peers, peers6 []byte
		badCounts                        bool
	)
	err := bdict(body, func(k, val []byte) {
		switch {
		case bytes.Equal(k, keyFailure):
			failure = val
		case bytes.Equal(k, keyInterval):
			interval = val
		case bytes.Equal(k, keyPeers):
			peers = val
		case bytes.Equal(k, keyPeers6):
			peers6 = val
		case bytes.Equal(k, keyComplete), bytes.Equal(k, keyIncomplete):
			if n, ok := bint(val); !ok || n < 0 {
				badCounts = true
			}
		}
	})
	if err != nil {
		return replyInvalid, whyBencode, 0
	}
	if failure != nil {
		v, why = failureVerdict(failure)
		return v, why, 0
	}
	if n, ok := bint(interval); !ok || n <= 0 {
		return replyInvalid, whyNoInterval, 0
	}
	if badCounts {
		return replyInvalid, whyCounts, 0
	}
	npeers = 0
	switch {
	case peers == nil:
		return replyInvalid, whyNoPeers, 0
	case peers[0] == 'l':
		for j := 1; peers[j] != 'e'; {
			if peers[j] != 'd' {
				return replyInvalid, whyPeerList, 0
			}
			j, _ = bskip(peers, j, 1) // validated by bdict
			npeers++
		}
	default:
		s, _, err := bstring(peers, 0)
		if err != nil {
			return replyInvalid, whyNoPeers, 0
		}
		if len(s)%6 != 0 {
			return replyInvalid, whyPeersLen, 0
		}
		npeers = len(s) / 6
	}
	if peers6 != nil {
		s, _, err := bstring(peers6, 0)
		if err != nil || len(s)%18 != 0 {
			return replyInvalid, whyPeers6Len, 0
		}
		npeers += len(s) / 18
	}
	if npeers > numWant {
		return replyInvalid, whyTooManyPeers, 0
	}
	return replyOK, "", npeers
}

// checkScrapeBody validates the body of an HTTP scrape reply (BEP 48): a
// dictionary whose "files" dictionary maps 20-byte info hashes to
// dictionaries of non-negative complete, incomplete and downloaded counts,
// no more entries than the nHashes asked for (a tracker may leave unknown
// torrents out). "failure reason" is a tracker error, as for announces.
func checkScrapeBody(body []byte, nHashes int) (v verdict, why string) {
	var failure, files []byte
	if bdict(body, func(k, val []byte) {
		switch {
		case bytes.Equal(k, keyFailure):
			failure = val
		case bytes.Equal(k, keyFiles):
			files = val
		}
	}) != nil {
		return replyInvalid, whyBencode
	}
	if failure != nil {
		return failureVerdict(failure)
	}
	if len(files) == 0 || files[0] != 'd' {
		return replyInvalid, whyNoFiles
	}
	n := 0
	ok := true
	_ = bdict(files, func(k, val []byte) {
		n++
		if len(k) != 20 || val[0] != 'd' {
			ok = false
			return
		}
		_ = bdict(val, func(ck, cv []byte) {
			if bytes.Equal(ck, keyComplete) || bytes.Equal(ck, keyIncomplete) || bytes.Equal(ck, keyDownloaded) {
				if c, good := bint(cv); !good || c < 0 {
					ok = false
				}
			}
		})
	})
	if !ok {
		return replyInvalid, whyScrapeEntry
	}
	if n > nHashes {
		return replyInvalid, whyScrapeCount
	}
	return replyOK, ""
}

// failureVerdict turns a "failure reason" value into replyError and its
// text (a copy: errors are rare and their text is kept).
func failureVerdict(val []byte) (verdict, string) {
	s, _, err := bstring(val, 0)
	if err != nil {
		return replyInvalid, whyFailureNotText
	}
	return replyError, string(s)
}
