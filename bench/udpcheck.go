package bench

import "github.com/trackerd/trackerd/codec/udp"

// verdict is what validation made of a reply.
type verdict uint8

const (
	replyOK      verdict = iota // a valid reply of the expected type
	replyError                  // a well-formed tracker error (action 3, "failure reason")
	replyInvalid                // anything else
)

// Reasons a UDP reply is invalid. Static strings: nothing is formatted per
// packet.
const (
	whyUDPShort     = "shorter than its header"
	whyUDPAction    = "action does not match the request"
	whyUDPPeers     = "announce peer list is not a multiple of 6 bytes"
	whyUDPNumWant   = "announce returned more peers than numwant"
	whyUDPInterval  = "announce interval is 0"
	whyUDPScrapeLen = "scrape reply does not have one entry per info hash"
	whyUDPConnect   = "connect reply shorter than 16 bytes"
	whyUDPUnknown   = "unknown action"
)

// checkUDPReply validates b, the reply to a request of kind (kindConnect,
// kindAnnounce or kindScrape) that carried nHashes info hashes (scrape) or
// asked for numWant peers (announce). The caller has matched the
// transaction id. On replyOK or replyError, resp holds the parsed reply
// (its slices alias b); on replyInvalid, why says what was wrong.
func checkUDPReply(resp *udp.Response, b []byte, kind uint8, nHashes, numWant int) (v verdict, why string) {
	err := resp.Parse(b, udp.PeerSizeV4)
	if resp.Action == udp.ActionError && len(b) >= udp.ScrapeReplyHeaderSize {
		return replyError, ""
	}
	if err != nil {
		switch err {
		case udp.ErrShortPacket:
			if len(b) >= udp.ScrapeReplyHeaderSize && resp.Action == udp.ActionConnect {
				return replyInvalid, whyUDPConnect
			}
			return replyInvalid, whyUDPShort
		case udp.ErrBadPeerLength:
			return replyInvalid, whyUDPPeers
		case udp.ErrBadScrapeLength:
			return replyInvalid, whyUDPScrapeLen
		}
		return replyInvalid, whyUDPUnknown
	}
	want := [...]udp.Action{kindConnect: udp.ActionConnect, kindAnnounce: udp.ActionAnnounce, kindScrape: udp.ActionScrape}
	if int(kind) >= len(want) || resp.Action != want[kind] {
		return replyInvalid, whyUDPAction
	}
	switch kind {
	case kindAnnounce:
		if len(resp.Peers)/udp.PeerSizeV4 > numWant {
			return replyInvalid, whyUDPNumWant
		}
		if resp.Interval == 0 {
			return replyInvalid, whyUDPInterval
		}
	case kindScrape:
		if resp.NScrape() != nHashes {
			return replyInvalid, whyUDPScrapeLen
		}
	}
	return replyOK, ""
}
