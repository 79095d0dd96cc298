package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// binString decodes a JSON-decoded binary string into its bytes; ok is false
// if a character is above U+00FF.
func binString(s string, dst []byte) ([]byte, bool) {
	for _, r := range s {
		if r > 0xff {
			return dst, false
		}
		dst = append(dst, byte(r))
	}
	return dst, true
}

// bin20 decodes a binary string that must be 20 characters long.
func bin20(s string) ([20]byte, bool) {
	var out [20]byte
	b, ok := binString(s, out[:0])
	if !ok || len(b) != 20 {
		return out, false
	}
	return out, true
}

// parseWTStd is parseWT written with encoding/json, the reference
// FuzzParseWT holds parseWT to: keys match exactly (a map, not a struct,
// whose keys encoding/json would match in any case), the last of duplicate
// keys wins, and null is as good as absent.
func parseWTStd(b []byte) (m wtMessage, kind wtKind, why string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return m, wtInvalid, whyWTJSON
	}
	var (
		action, ih, peer, offerID string
		failure                   *string
		complete, incomplete      *int64
		interval                  *int64
	)
	for _, f := range []struct {
		key string
		v   any
	}{
		{"action", &action}, {"info_hash", &ih}, {"peer_id", &peer}, {"offer_id", &offerID},
		{"failure reason", &failure}, {"complete", &complete}, {"incomplete", &incomplete}, {"interval", &interval},
	} {
		if raw, ok := fields[f.key]; ok {
			if err := json.Unmarshal(raw, f.v); err != nil {
				return m, wtInvalid, whyWTJSON
			}
		}
	}
	if failure != nil {
		return m, wtFailure, *failure
	}
	if action != "announce" {
		return m, wtInvalid, whyWTAction
	}
	var ok bool
	if m.InfoHash, ok = bin20(ih); !ok {
		return m, wtInvalid, whyWTInfoHash
	}
	offer, isOffer := fields["offer"]
	answer, isAnswer := fields["answer"]
	switch {
	case isOffer || isAnswer:
		if m.PeerID, ok = bin20(peer); !ok {
			return m, wtInvalid, whyWTPeerID
		}
		if m.OfferID, ok = bin20(offerID); !ok {
			return m, wtInvalid, whyWTOfferID
		}
		raw, want, kind := offer, "offer", wtOffer
		if !isOffer {
			raw, want, kind = answer, "answer", wtAnswer
		}
		var s map[string]json.RawMessage
		var typ string
		var sdp *string
		if json.Unmarshal(raw, &s) != nil ||
			s["type"] != nil && json.Unmarshal(s["type"], &typ) != nil ||
			s["sdp"] != nil && json.Unmarshal(s["sdp"], &sdp) != nil ||
			typ != want || sdp == nil {
			return m, wtInvalid, whyWTSession
		}
		return m, kind, ""
	case complete == nil || incomplete == nil || interval == nil ||
		*complete < 0 || *incomplete < 0 || *interval <= 0:
		return m, wtInvalid, whyWTCounts
	}
	m.Complete, m.Incomplete, m.Interval = *complete, *incomplete, *interval
	return m, wtAnnounceReply, ""
}

// FuzzParseWT checks parseWT against parseWTStd on any input, and that it
// does not allocate for the messages a tracker sends.
func FuzzParseWT(f *testing.F) {
	ih := string(appendBinString(nil, []byte("\x00\x01\"\\\x7f\x80\xff-info-hash-12")))
	id := string(appendBinString(nil, []byte("-TB0001-W00000000001")))
	for _, s := range []string{
		`{"action":"announce","info_hash":` + ih + `,"complete":1,"incomplete":0,"interval":120}`,
		`{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"offer":{"type":"offer","sdp":"v=0\r\n"}}`,
		`{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"answer":{"type":"answer","sdp":"x"}}`,
		`{"failure reason":"invalid info_hash \u00e9\ud83d\ude00\ud800","action":"announce"}`,
		`{"action":"announce","action":null,"interval":1e2,"complete":-0,"x":[1,{"a":[true,false,null]}]}`,
		`null`, `[]`, ` {"offer":null} `, `{"action":"\u0061nnounce"}`,
		// A wrong type replaced by a later value of the same key.
		`{"action":1,"action":"announce","info_hash":1,"info_hash":` + ih + `,"complete":"x","complete":1,"incomplete":0,"interval":1}`,
		`{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"offer":{"type":1,"type":"offer","sdp":2,"sdp":"x"}}`,
	} {
		f.Add([]byte(s))
	}
	var seedHash [20]byte
	copy(seedHash[:], "\x00\x01\"\\\x7f\x80\xff-info-hash-12")
	known := newWTKnown([][20]byte{{}, seedHash, {0xff, 0x80, '"'}})
	f.Fuzz(func(t *testing.T, b []byte) {
		// The known info hashes are a shortcut: the same answers with and
		// without them.
		mk := wtMessage{Known: known}
		kindK, whyK := parseWT(b, &mk)
		var m wtMessage
		kind, why := parseWT(b, &m)
		mk.buf, mk.Known, m.buf = nil, nil, nil
		if kindK != kind || whyK != why || (kind != wtInvalid && kind != wtFailure && !sameWT(&m, &mk)) {
			t.Fatalf("parseWT(%q) = %d %q %+v, with known info hashes %d %q %+v", b, kind, why, m, kindK, whyK, mk)
		}
		want, wantKind, wantWhy := parseWTStd(b)
		if kind != wantKind || why != wantWhy {
			t.Fatalf("parseWT(%q) = %d %q, encoding/json says %d %q", b, kind, why, wantKind, wantWhy)
		}
		m.buf, want.buf = nil, nil
		if kind != wtInvalid && kind != wtFailure && !sameWT(&m, &want) {
			t.Fatalf("parseWT(%q) = %+v, encoding/json says %+v", b, m, want)
		}
		// The ids as the message writes them are what an answer repeats:
		// each must be the JSON string of the id decoded.
		raw := map[*[20]byte][]byte{}
		if kind != wtInvalid && kind != wtFailure {
			raw[&m.InfoHash] = m.InfoHashJSON
		}
		if kind == wtOffer || kind == wtAnswer {
			raw[&m.PeerID], raw[&m.OfferID] = m.PeerIDJSON, m.OfferIDJSON
		}
		for id, js := range raw {
			var s string
			if err := json.Unmarshal(js, &s); err != nil {
				t.Fatalf("parseWT(%q): id written %q is not a JSON string: %v", b, js, err)
			}
			if got, ok := bin20(s); !ok || got != *id {
				t.Fatalf("parseWT(%q): id written %q decodes to %q, not %q", b, js, got, *id)
			}
		}
	})
}

func TestAllocs_ParseWT(t *testing.T) {
	ih := string(appendBinString(nil, make([]byte, 20)))
	id := string(appendBinString(nil, []byte("-TB0001-W00000000001")))
	msgs := [][]byte{
		[]byte(`{"action":"announce","info_hash":` + ih + `,"complete":1,"incomplete":0,"interval":120}`),
		[]byte(`{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"offer":{"type":"offer","sdp":"` + strings.Repeat(`v=0\r\n`, 40) + `"}}`),
	}
	var m wtMessage
	for i, b := range msgs {
		if kind, why := parseWT(b, &m); kind != []wtKind{wtAnnounceReply, wtOffer}[i] { // and warm the buffer
			t.Fatalf("parseWT(%.40q...) = %d %q", b, kind, why)
		}
		if n := testing.AllocsPerRun(100, func() { parseWT(b, &m) }); n != 0 {
			t.Errorf("parseWT(%.40q...) allocates %.0f times", b, n)
		}
	}
	if !bytes.Contains(msgs[1], []byte(`\r\n`)) {
		t.Fatal("the offer has no escapes")
	}
}

func sameWT(a, b *wtMessage) bool {
	return a.InfoHash == b.InfoHash && a.PeerID == b.PeerID && a.OfferID == b.OfferID &&
		a.Complete == b.Complete && a.Incomplete == b.Incomplete && a.Interval == b.Interval
}
