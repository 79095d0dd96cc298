package wt

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeJSON decodes a whole message with encoding/json, numbers as
// json.Number, failing on anything but exactly one object.
func decodeJSON(tb testing.TB, b []byte) map[string]any {
	tb.Helper()
	if !json.Valid(b) {
		tb.Fatalf("invalid JSON: %q", b)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("cannot decode %q: %v", b, err)
	}
	return m
}

// checkJSON checks that out decodes to want, which is a fixture's bytes
// ([]byte) or a decoded message (map[string]any).
func checkJSON(tb testing.TB, out []byte, want any) {
	tb.Helper()
	if b, ok := want.([]byte); ok {
		want = decodeJSON(tb, b)
	}
	if got := decodeJSON(tb, out); !reflect.DeepEqual(got, want) {
		tb.Fatalf("encoded %s\n got %v\nwant %v", out, got, want)
	}
}

// binString is the Go string of the binary characters of id, as
// encoding/json decodes them.
func binString(id []byte) string {
	rs := make([]rune, len(id))
	for i, c := range id {
		rs[i] = rune(c)
	}
	return string(rs)
}

// wantFailure is the decoded failure message AppendFailure must write.
func wantFailure(reason string, action Action, ih *[20]byte) map[string]any {
	m := map[string]any{"failure reason": reason}
	switch action {
	case ActionAnnounce:
		m["action"] = "announce"
	case ActionScrape:
		m["action"] = "scrape"
	}
	if ih != nil {
		m["info_hash"] = binString(ih[:])
	}
	return m
}

// parsed parses a fixture.
func parsed(tb testing.TB, name string) *Request {
	tb.Helper()
	r := new(Request)
	if err := r.Parse(readFixture(tb, name)); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return r
}

// The encoders write what bittorrent-tracker's server writes (the
// server_*.json fixtures are its messages, built as server.js builds them),
// member order aside.

func TestAppendAnnounceReply(t *testing.T) {
	ih := id20(t, ihHex)
	out := AppendAnnounceReply([]byte("prefix"), &ih, 3, 7, 120)
	if !bytes.HasPrefix(out, []byte("prefix")) {
		t.Fatal("dst not extended")
	}
	checkJSON(t, out[len("prefix"):], readFixture(t, "server_announce_reply.json"))
	want := `{"action":"announce","interval":120,"info_hash":` + string(AppendBinaryString(nil, ih[:])) + `,"complete":3,"incomplete":7}`
	if string(out[6:]) != want {
		t.Errorf("got  %s\nwant %s", out[6:], want)
	}
}

func TestAppendOffer(t *testing.T) {
	r := parsed(t, "announce_started_10offers.json")
	o := &r.Offers[3]
	out := AppendOffer(nil, &r.InfoHash, &r.PeerID, &o.ID, o.SDP)
	checkJSON(t, out, readFixture(t, "server_offer.json"))
	// The receiving client answers with what it got (websocket-tracker.js:
	// 277-287); that answer must parse as one.
	var got Request
	if err := got.Parse(out); err != nil {
		t.Fatal(err)
	}
	if got.InfoHash != r.InfoHash || got.PeerID != r.PeerID {
		t.Errorf("relayed offer reads back as %x %x", got.InfoHash, got.PeerID)
	}
}

func TestAppendAnswer(t *testing.T) {
	r := parsed(t, "answer.json")
	out := AppendAnswer(nil, &r.InfoHash, &r.PeerID, &r.OfferID, r.Answer)
	checkJSON(t, out, readFixture(t, "server_answer.json"))
}

func TestAppendScrape(t *testing.T) {
	ih, pid := id20(t, ihHex), id20(t, pidHex)
	out := AppendScrapeHeader(nil)
	out = AppendScrapeEntry(out, &ih, 3, 7, 3)
	out = AppendScrapeEntry(out, &pid, 0, 0, 0)
	out = AppendScrapeFooter(out)
	want := decodeJSON(t, readFixture(t, "server_scrape_reply.json"))
	delete(want, "flags") // ignored by the client (websocket-tracker.js:320)
	checkJSON(t, out, want)

	one := AppendScrapeFooter(AppendScrapeEntry(AppendScrapeHeader([]byte("x")), &ih, 1, 2, 3))
	checkJSON(t, one[1:], map[string]any{"action": "scrape", "files": map[string]any{
		binString(ih[:]): map[string]any{"complete": json.Number("1"), "incomplete": json.Number("2"), "downloaded": json.Number("3")},
	}})
	empty := AppendScrapeFooter(AppendScrapeHeader(nil))
	checkJSON(t, empty, map[string]any{"action": "scrape", "files": map[string]any{}})

	// A full reply: every info hash a different key.
	out = AppendScrapeHeader(out[:0])
	files := map[string]any{}
	for i := range MaxScrapeHashes {
		var h [20]byte
		for j := range h {
			h[j] = byte(i*7 + j*31)
		}
		out = AppendScrapeEntry(out, &h, i, 2*i, 3*i)
		files[binString(h[:])] = map[string]any{"complete": json.Number(itoa(i)), "incomplete": json.Number(itoa(2 * i)), "downloaded": json.Number(itoa(3 * i))}
	}
	checkJSON(t, AppendScrapeFooter(out), map[string]any{"action": "scrape", "files": files})
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestAppendFailure(t *testing.T) {
	ih := id20(t, ihHex)
	checkJSON(t, AppendFailure(nil, "invalid event", ActionAnnounce, &ih), readFixture(t, "server_failure.json"))

	reasons := []string{
		"", "wt: invalid info_hash", `quote " backslash \ slash /`, "controls \x00\x01\b\t\n\f\r\x1f\x7f",
		"<html> & \u2028\u2029", "utf-8 é € 😀", "invalid \xff\xfe utf-8 \xc3", "\xed\xa0\x80 surrogate",
	}
	for _, reason := range reasons {
		for _, action := range []Action{ActionNone, ActionAnnounce, ActionScrape, 9} {
			for _, h := range []*[20]byte{nil, &ih} {
				out := AppendFailure(nil, reason, action, h)
				// encoding/json turns each invalid byte into U+FFFD, as
				// appendText does, and so does a []rune conversion.
				checkJSON(t, out, wantFailure(string([]rune(reason)), action, h))
			}
		}
	}
	// JSON.stringify's escapes, byte for byte.
	if got := string(AppendFailure(nil, "a\"\\\b\t\n\f\r\x00\x1f\x7f/é", ActionNone, nil)); got != `{"failure reason":"a\"\\\b\t\n\f\r\u0000\u001f`+"\x7f"+`/é"}` {
		t.Errorf("got %s", got)
	}
}

// TestAppendIDsAsStringify checks that the ids in every encoder's output
// are byte for byte what JSON.stringify wrote into the fixtures.
func TestAppendIDsAsStringify(t *testing.T) {
	for _, name := range []string{"server_offer.json", "server_answer.json", "server_announce_reply.json", "server_failure.json"} {
		fx := readFixture(t, name)
		for _, h := range []string{ihHex, pidHex, toHex} {
			id := id20(t, h)
			enc := AppendBinaryString(nil, id[:])
			if bytes.Contains(bytes.ReplaceAll(fx, enc, nil), []byte(strings.Trim(string(enc), `"`))) {
				t.Errorf("%s: %x written differently from %s", name, id, enc)
			}
		}
	}
	fx := readFixture(t, "server_offer.json")
	r := parsed(t, "announce_started_10offers.json")
	for _, id := range [][20]byte{r.InfoHash, r.PeerID, r.Offers[3].ID} {
		if !bytes.Contains(fx, AppendBinaryString(nil, id[:])) {
			t.Errorf("server_offer.json lacks %s", AppendBinaryString(nil, id[:]))
		}
	}
}

// TestRelayJSON: relays made from the ids as the client wrote them carry
// the same ids, for every fixture that parses.
func TestRelayJSON(t *testing.T) {
	n := 0
	for _, name := range fixtures(t) {
		var r Request
		if r.Parse(readFixture(t, name)) != nil || r.Action != ActionAnnounce {
			continue
		}
		for i := range r.NOffers {
			o := &r.Offers[i]
			msg := AppendOfferTailJSON(AppendOfferHeadJSON(nil, r.InfoHashJSON, r.PeerIDJSON), o.IDJSON, o.SDP)
			checkRelayIDs(t, msg, "offer", &r.InfoHash, &r.PeerID, &o.ID)
			n++
		}
		if r.HasAnswer {
			checkRelayIDs(t, AppendAnswerJSON(nil, r.InfoHashJSON, r.PeerIDJSON, r.OfferIDJSON, r.Answer),
				"answer", &r.InfoHash, &r.PeerID, &r.OfferID)
			n++
		}
	}
	if n < 2 {
		t.Fatalf("only %d relays checked: the fixtures lack offers or answers", n)
	}
}
