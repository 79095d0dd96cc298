package bench

import (
	"encoding/binary"
	"slices"
	"strconv"
	"unicode/utf8"
)

// WebTorrent signalling messages (PROTOCOL.md "WebTorrent over WebSocket"):
// JSON text frames whose info_hash, peer_id and offer_id are 20-character
// "binary strings", one character U+0000–U+00FF per byte.

// appendBinString appends b as a JSON string of one character per byte,
// written as JSON.stringify writes it, as browsers send them: printable
// ASCII and 0x7f as they are, '"' and '\\' escaped, \b \t \n \f \r, \u00XX
// for the other control characters, and 0x80-0xff in two bytes of UTF-8.
func appendBinString(dst, b []byte) []byte {
	dst = append(dst, '"')
	n := len(dst)
	dst = slices.Grow(dst, 6*len(b)+1)[:n+6*len(b)+1]
	for _, c := range b {
		e := &binJSON[c]
		*(*[6]byte)(dst[n:]) = e.b // all six, the extra ones overwritten next
		n += int(e.n)
	}
	dst[n] = '"'
	return dst[:n+1]
}

// binJSON is how appendBinString writes each byte.
var binJSON = func() (t [256]struct {
	n byte
	b [6]byte
}) {
	const hexDigits = "0123456789abcdef"
	short := map[byte]byte{'"': '"', '\\': '\\', '\b': 'b', '\t': 't', '\n': 'n', '\f': 'f', '\r': 'r'}
	for i := range t {
		c, e := byte(i), &t[i]
		switch {
		case short[c] != 0:
			e.n, e.b = 2, [6]byte{'\\', short[c]}
		case c < 0x20:
			e.n, e.b = 6, [6]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15]}
		case c < utf8.RuneSelf:
			e.n, e.b = 1, [6]byte{c}
		default: // U+0080-U+00FF in UTF-8
			e.n, e.b = 2, [6]byte{0xc0 | c>>6, 0x80 | c&0x3f}
		}
	}
	return t
}()

// wtSDP is the session description the generator offers and answers, the
// size aquatic_ws_load_test sends.
const wtSDP = "abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-"

// appendWTAnnounce appends an announce with one offer per offer id.
func appendWTAnnounce(dst []byte, ih, peerID *[20]byte, left uint64, event string, offerIDs [][20]byte) []byte {
	dst = append(dst, `{"action":"announce","info_hash":`...)
	dst = appendBinString(dst, ih[:])
	dst = append(dst, `,"peer_id":`...)
	dst = appendBinString(dst, peerID[:])
	dst = append(dst, `,"uploaded":0,"downloaded":0,"left":`...)
	dst = strconv.AppendUint(dst, left, 10)
	dst = append(dst, `,"event":"`...)
	dst = append(dst, event...)
	dst = append(dst, `","numwant":`...)
	dst = strconv.AppendInt(dst, int64(len(offerIDs)), 10)
	dst = append(dst, `,"offers":[`...)
	for i := range offerIDs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"offer_id":`...)
		dst = appendBinString(dst, offerIDs[i][:])
		dst = append(dst, `,"offer":{"type":"offer","sdp":"`+wtSDP+`"}}`...)
	}
	return append(dst, "]}"...)
}

// appendWTAnswer appends the answer of peerID to offer offerID of toPeerID.
// The ids are JSON strings: the answer repeats those of the offer as the
// tracker wrote them.
func appendWTAnswer(dst, ih, peerID, toPeerID, offerID []byte) []byte {
	dst = append(dst, `{"action":"announce","info_hash":`...)
	dst = append(dst, ih...)
	dst = append(dst, `,"peer_id":`...)
	dst = append(dst, peerID...)
	dst = append(dst, `,"to_peer_id":`...)
	dst = append(dst, toPeerID...)
	dst = append(dst, `,"offer_id":`...)
	dst = append(dst, offerID...)
	return append(dst, `,"answer":{"type":"answer","sdp":"`+wtSDP+`"}}`...)
}

// wtKind is what a message from the tracker is.
type wtKind uint8

const (
	wtInvalid       wtKind = iota
	wtAnnounceReply        // the reply to our announce: counts and interval
	wtOffer                // another peer's offer, relayed to us
	wtAnswer               // another peer's answer to one of our offers
	wtFailure              // "failure reason"
)

// wtMessage is a message from the tracker, as parseWT decodes it. It is
// reused for every message of a connection.
type wtMessage struct {
	InfoHash, PeerID, OfferID [20]byte
	// The same ids as the message writes them, quotes included; they
	// point into the message.
	InfoHashJSON, PeerIDJSON, OfferIDJSON []byte

	Complete, Incomplete, Interval int64

	Known *wtKnown // when set, the info hashes the generator announces on
	buf   []byte   // decoded strings
}

// wtKnown are the info hashes the generator announces on, as
// appendBinString writes them, which is how both trackers send them back.
// An info_hash written the same way is that hash, valid: comparing the
// bytes costs a fraction of decoding a string of random bytes.
type wtKnown struct {
	json [][]byte
	head []uint64 // the first 8 bytes of each json, to compare first
	ids  [][20]byte
}

func newWTKnown(ids [][20]byte) *wtKnown {
	k := &wtKnown{ids: ids}
	for i := range ids {
		js := appendBinString(nil, ids[i][:]) // 22 bytes at least
		k.json = append(k.json, js)
		k.head = append(k.head, binary.LittleEndian.Uint64(js))
	}
	return k
}

// Reasons a WebTorrent message is invalid.
const (
	whyWTJSON     = "not a JSON object"
	whyWTAction   = `action is not "announce"`
	whyWTInfoHash = "info_hash is not a 20-character binary string"
	whyWTPeerID   = "peer_id is not a 20-character binary string"
	whyWTOfferID  = "offer_id is not a 20-character binary string"
	whyWTSession  = "offer or answer is not an object with its type and an sdp"
	whyWTCounts   = "announce reply lacks non-negative complete and incomplete, or a positive interval"
)
