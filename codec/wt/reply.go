package wt

import "strconv"

// The encoders below write the messages bittorrent-tracker's server sends
// (server.js:474-565, 726-738), member for member, so its client
// (lib/client/websocket-tracker.js:209-328) reads them. Every message has
// "action": the client closes the socket and reconnects on any message
// whose action is not "announce" or "scrape" (websocket-tracker.js:221-227).
// Each encoder appends to dst and returns the extended slice; pass buf[:0]
// to reuse a buffer. They allocate only when dst lacks capacity.

// AppendAnnounceReply appends the reply to an announce (server.js:499-518):
//
//	{"action":"announce","interval":120,"info_hash":"..","complete":S,"incomplete":L}
//
// The client ignores it unless info_hash is its own
// (websocket-tracker.js:231), schedules its next announce after interval
// seconds (:255-256), and reports the counts (:264-270). The reference sends interval = 1/5 of its
// HTTP interval, 120 s by default (server.js:512-513). An announce that
// carries an answer gets no reply (server.js:516-520).
func AppendAnnounceReply(dst []byte, infoHash *[20]byte, complete, incomplete, intervalSec int) []byte {
	dst = append(dst, `{"action":"announce","interval":`...)
	dst = strconv.AppendInt(dst, int64(intervalSec), 10)
	dst = append(dst, `,"info_hash":`...)
	dst = AppendBinaryString(dst, infoHash[:])
	dst = append(dst, `,"complete":`...)
	dst = strconv.AppendInt(dst, int64(complete), 10)
	dst = append(dst, `,"incomplete":`...)
	dst = strconv.AppendInt(dst, int64(incomplete), 10)
	return append(dst, '}')
}

// AppendOffer appends an offer relayed to another peer of the swarm
// (server.js:525-532):
//
//	{"action":"announce","info_hash":"..","peer_id":"<offerer>","offer_id":"..","offer":{..}}
//
// offer is Offer.SDP, written verbatim: it must be a JSON value, which
// Parse guarantees. The receiver answers to peer_id with offer_id
// (websocket-tracker.js:273-291) and ignores offers from its own peer_id
// (:239-242), so never relay an offer back to the offerer.
func AppendOffer(dst []byte, infoHash, offererPeerID, offerID *[20]byte, offer []byte) []byte {
	var ih, peer, id [2 + 6*20]byte
	dst = AppendOfferHeadJSON(dst, AppendBinaryString(ih[:0], infoHash[:]), AppendBinaryString(peer[:0], offererPeerID[:]))
	return AppendOfferTailJSON(dst, AppendBinaryString(id[:0], offerID[:]), offer)
}

// AppendOfferHeadJSON appends the start of an offer, the same for every
// offer of one announce; AppendOfferTailJSON completes each copy of it. The
// ids are JSON strings decoding to 20 binary characters, written verbatim:
// Request.InfoHashJSON and PeerIDJSON as the offerer sent them, which saves
// encoding them again (AppendBinaryString makes them from bytes).
func AppendOfferHeadJSON(dst, infoHash, offererPeerID []byte) []byte {
	dst = append(dst, `{"action":"announce","info_hash":`...)
	dst = append(dst, infoHash...)
	dst = append(dst, `,"peer_id":`...)
	return append(dst, offererPeerID...)
}

// AppendOfferTailJSON appends the rest of an offer after
// AppendOfferHeadJSON: offerID is a JSON string like Offer.IDJSON.
func AppendOfferTailJSON(dst, offerID, offer []byte) []byte {
	dst = append(dst, `,"offer_id":`...)
	dst = append(dst, offerID...)
	dst = append(dst, `,"offer":`...)
	dst = append(dst, offer...)
	return append(dst, '}')
}

// AppendAnswer appends an answer routed to the peer that made the offer
// (server.js:559-565):
//
//	{"action":"announce","info_hash":"..","peer_id":"<answerer>","offer_id":"..","answer":{..}}
//
// answer is Request.Answer, written verbatim: it must be a JSON value, which
// Parse guarantees. The offerer finds its pending peer by offer_id
// (websocket-tracker.js:293-307).
func AppendAnswer(dst []byte, infoHash, answererPeerID, offerID *[20]byte, answer []byte) []byte {
	var ih, peer, id [2 + 6*20]byte
	return AppendAnswerJSON(dst, AppendBinaryString(ih[:0], infoHash[:]),
		AppendBinaryString(peer[:0], answererPeerID[:]), AppendBinaryString(id[:0], offerID[:]), answer)
}

// AppendAnswerJSON is AppendAnswer with the ids as JSON strings, written
// verbatim: Request.InfoHashJSON, PeerIDJSON and OfferIDJSON as the
// answerer sent them.
func AppendAnswerJSON(dst, infoHash, answererPeerID, offerID, answer []byte) []byte {
	dst = append(dst, `{"action":"announce","info_hash":`...)
	dst = append(dst, infoHash...)
	dst = append(dst, `,"peer_id":`...)
	dst = append(dst, answererPeerID...)
	dst = append(dst, `,"offer_id":`...)
	dst = append(dst, offerID...)
	dst = append(dst, `,"answer":`...)
	dst = append(dst, answer...)
	return append(dst, '}')
}

// AppendScrapeHeader appends the start of a scrape reply (server.js:726-738):
//
//	{"action":"scrape","files":{
//
// Follow it with one AppendScrapeEntry per info hash and AppendScrapeFooter.
// The reference also sends "flags":{"min_request_interval":N}, which its
// client ignores (websocket-tracker.js:320), so it is left out. A reply
// with no entries makes the client warn "invalid scrape response"
// (websocket-tracker.js:313-317).
func AppendScrapeHeader(dst []byte) []byte {
	return append(dst, `{"action":"scrape","files":{`...)
}

// AppendScrapeEntry appends one member of "files":
//
//	"<info_hash>":{"complete":S,"incomplete":L,"downloaded":D}
//
// preceded by a comma unless dst ends the header, so it must directly follow
// AppendScrapeHeader or another AppendScrapeEntry. Unknown info hashes get
// zeros (server.js:719-721). The keys form a JSON object, so a client keeps
// only the last of repeated info hashes.
func AppendScrapeEntry(dst []byte, infoHash *[20]byte, complete, incomplete, downloaded int) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = AppendBinaryString(dst, infoHash[:])
	dst = append(dst, `:{"complete":`...)
	dst = strconv.AppendInt(dst, int64(complete), 10)
	dst = append(dst, `,"incomplete":`...)
	dst = strconv.AppendInt(dst, int64(incomplete), 10)
	dst = append(dst, `,"downloaded":`...)
	dst = strconv.AppendInt(dst, int64(downloaded), 10)
	return append(dst, '}')
}

// AppendScrapeFooter appends the end of a scrape reply: "}}".
func AppendScrapeFooter(dst []byte) []byte {
	return append(dst, '}', '}')
}

// AppendFailure appends a failure message (server.js:474-476, 489-493):
//
//	{"failure reason":"..","action":"announce"|"scrape","info_hash":".."}
//
// reason is JSON-escaped text (use FailureReason for a Parse error).
// "action" is omitted for ActionNone and "info_hash" when infoHash is nil
// (pass Request.FailureInfoHash). How the reference client takes it
// (websocket-tracker.js:221-250): with action "announce" and its own
// info_hash it shows the reason as a warning; with another or no info_hash
// it ignores the message; with action "scrape" it warns "invalid scrape
// response"; without an action (as the reference sends for any message it
// cannot parse) it closes the socket and reconnects with back-off.
func AppendFailure(dst []byte, reason string, action Action, infoHash *[20]byte) []byte {
	dst = append(dst, `{"failure reason":`...)
	dst = appendText(dst, reason)
	switch action {
	case ActionAnnounce:
		dst = append(dst, `,"action":"announce"`...)
	case ActionScrape:
		dst = append(dst, `,"action":"scrape"`...)
	}
	if infoHash != nil {
		dst = append(dst, `,"info_hash":`...)
		dst = AppendBinaryString(dst, infoHash[:])
	}
	return append(dst, '}')
}
