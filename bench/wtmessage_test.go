package bench

import (
	"encoding/json"
	"testing"
)

func TestAppendBinString_RoundTrip(t *testing.T) {
	var b [256]byte
	for i := range b {
		b[i] = byte(i)
	}
	enc := appendBinString(nil, b[:])
	var s string
	if err := json.Unmarshal(enc, &s); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	got, ok := binString(s, nil)
	if !ok || string(got) != string(b[:]) {
		t.Fatalf("round trip lost bytes: ok %v, %d bytes", ok, len(got))
	}
	if _, ok := binString("€", nil); ok {
		t.Error("binString accepted a character above U+00FF")
	}
	// JSON.stringify's escapes, as browsers write binary strings.
	enc = appendBinString(nil, []byte("\x00\b\t\n\f\r\x1f\"\\/\x7f\x80\xff"))
	if want := `"\u0000\b\t\n\f\r\u001f\"\\/` + "\x7f\u0080\u00ff" + `"`; string(enc) != want {
		t.Errorf("appendBinString wrote %q, JSON.stringify writes %q", enc, want)
	}
}

func TestAppendWTAnnounce_JSON(t *testing.T) {
	ih, id := [20]byte{0: 0xff, 1: '"', 2: 0}, peerID(7)
	msg := appendWTAnnounce(nil, &ih, &id, 0, "completed", [][20]byte{{1}, {2}})
	var m struct {
		Action   string `json:"action"`
		InfoHash string `json:"info_hash"`
		Left     int    `json:"left"`
		Numwant  int    `json:"numwant"`
		Offers   []struct {
			OfferID string `json:"offer_id"`
			Offer   struct {
				Type string `json:"type"`
				SDP  string `json:"sdp"`
			} `json:"offer"`
		} `json:"offers"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		t.Fatalf("announce is not JSON: %v\n%s", err, msg)
	}
	if got, _ := bin20(m.InfoHash); got != ih || m.Action != "announce" || m.Numwant != 2 || len(m.Offers) != 2 ||
		m.Offers[1].Offer.Type != "offer" || m.Offers[1].Offer.SDP != wtSDP {
		t.Errorf("announce decoded to %+v", m)
	}
	ihJSON, idJSON := appendBinString(nil, ih[:]), appendBinString(nil, id[:])
	ans := appendWTAnswer(nil, ihJSON, idJSON, idJSON, ihJSON)
	var a struct {
		InfoHash string `json:"info_hash"`
		ToPeerID string `json:"to_peer_id"`
	}
	if err := json.Unmarshal(ans, &a); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, ans)
	}
	if got, _ := bin20(a.InfoHash); got != ih {
		t.Errorf("answer's info_hash decodes to %q", got)
	}
	if got, _ := bin20(a.ToPeerID); got != id {
		t.Errorf("answer's to_peer_id decodes to %q", got)
	}
}

func TestParseWT(t *testing.T) {
	ih := string(appendBinString(nil, make([]byte, 20)))
	id := string(appendBinString(nil, []byte("-TB0001-W00000000001")))
	tests := []struct {
		name string
		msg  string
		want wtKind
		why  string
	}{
		{"reply", `{"action":"announce","info_hash":` + ih + `,"complete":1,"incomplete":0,"interval":120}`, wtAnnounceReply, ""},
		{"offer", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"offer":{"type":"offer","sdp":"x"}}`, wtOffer, ""},
		{"answer", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"answer":{"type":"answer","sdp":"x"}}`, wtAnswer, ""},
		{"failure", `{"failure reason":"invalid info_hash","action":"announce"}`, wtFailure, "invalid info_hash"},
		{"not json", `{"action":`, wtInvalid, whyWTJSON},
		{"scrape", `{"action":"scrape","files":{}}`, wtInvalid, whyWTAction},
		{"short hash", `{"action":"announce","info_hash":"abc","complete":1,"incomplete":0,"interval":120}`, wtInvalid, whyWTInfoHash},
		{"no interval", `{"action":"announce","info_hash":` + ih + `,"complete":1,"incomplete":0}`, wtInvalid, whyWTCounts},
		{"offer without sdp", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"offer":{"type":"offer"}}`, wtInvalid, whyWTSession},
		{"answer typed offer", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + id + `,"offer_id":` + id + `,"answer":{"type":"offer","sdp":"x"}}`, wtInvalid, whyWTSession},
		{"offer bad peer", `{"action":"announce","info_hash":` + ih + `,"peer_id":"x","offer_id":` + id + `,"offer":{"type":"offer","sdp":"x"}}`, wtInvalid, whyWTPeerID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m wtMessage
			kind, why := parseWT([]byte(tt.msg), &m)
			if kind != tt.want || why != tt.why {
				t.Errorf("parseWT = %d %q, want %d %q", kind, why, tt.want, tt.why)
			}
		})
	}
}
