package wt

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks Parse against encoding/json (STYLE §10.5): it never
// panics and returns only sentinels; input encoding/json rejects (or that
// is not UTF-8, or not an object) is rejected as ErrJSON or ErrTooDeep;
// otherwise Parse returns exactly the error the encoding/json model
// predicts and, when it accepts, agrees on the action, every id (as binary
// strings), every number and the decoded offer and answer objects. It also
// checks that a reused Request ends up as a fresh one, that whatever parses
// re-encodes and re-parses to the same Request, that the relay encoders
// write valid JSON from it, and that re-parsing does not allocate.
// Seeds: every testdata fixture plus hand-made edge cases.
func FuzzParse(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(readFixture(f, name))
	}
	for _, s := range []string{
		``, `{}`, `[]`, `{"action":"scrape"}`, `{"action":"announce"}`,
		string(obj(`"action":"scrape"`, hashesJSON(3))),
		string(obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes+1))),
		string(obj(mAction, mIH, mPID, offersJSON(MaxOffers+2), `"left":null`, `"numwant":1e3`)),
		string(obj(mAction, mIH, mPID, mTo, mOID, `"answer":{"type":"answer","sdp":"\u00e9\ud83d\ude00"}`)),
		string(obj(`"\u0061ction":"ann\u006funce"`, `"info_hash":"\u0000\b\u001f\"'\\\/<>&\u007f\u0080\u00a0\u00C3\u00ff\r\n\t\u00e2\u00a8"`, mPID, `"event":"started"`)),
		string(obj(mAction, `"x":`+strings.Repeat("[", MaxDepth)+strings.Repeat("]", MaxDepth))),
		string(obj(mAction, mIH, mPID, `"uploaded":9223372036854775807`, `"downloaded":-0`, `"left":0.5`)),
		"{\"action\":\"announce\",\"x\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	dirtyReq := dirty(f)

	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkModel(t, b) // also: never panics, errors match the model
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse returned a non-sentinel error %v", err)
			}
		}
		r, d := new(Request), new(Request)
		*d = *dirtyReq
		if errF, errD := r.Parse(b), d.Parse(b); errF != err || errD != err || !equalRequest(r, d) {
			t.Fatalf("reused Request differs from fresh: %v %v %v", err, errF, errD)
		}
		if err != nil {
			return
		}
		enc := appendRequest(nil, r)
		r2 := new(Request)
		if err := r2.Parse(enc); err != nil {
			t.Fatalf("re-Parse(%q): %v", enc, err)
		}
		if !equalRequest(r, r2) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", r2, r)
		}
		for i := range r.NOffers {
			o := &r.Offers[i]
			checkRelay(t, AppendOffer(nil, &r.InfoHash, &r.PeerID, &o.ID, o.SDP), "offer")
			// The relay trackerd sends: the ids as the client wrote them.
			msg := AppendOfferTailJSON(AppendOfferHeadJSON(nil, r.InfoHashJSON, r.PeerIDJSON), o.IDJSON, o.SDP)
			checkRelayIDs(t, msg, "offer", &r.InfoHash, &r.PeerID, &o.ID)
		}
		if r.HasAnswer {
			checkRelay(t, AppendAnswer(nil, &r.InfoHash, &r.PeerID, &r.OfferID, r.Answer), "answer")
			checkRelayIDs(t, AppendAnswerJSON(nil, r.InfoHashJSON, r.PeerIDJSON, r.OfferIDJSON, r.Answer),
				"answer", &r.InfoHash, &r.PeerID, &r.OfferID)
		}
		if !raceEnabled {
			if n := testing.AllocsPerRun(1, func() { _ = r2.Parse(b) }); n != 0 {
				t.Fatalf("re-Parse allocated %v times", n)
			}
		}
	})
}

// checkRelay checks that a relayed offer or answer is valid JSON in UTF-8
// carrying an object under key.
func checkRelay(t *testing.T, msg []byte, key string) {
	t.Helper()
	if !utf8.Valid(msg) {
		t.Fatalf("relayed %s is not UTF-8: %q", key, msg)
	}
	m := decodeJSON(t, msg)
	if _, ok := m[key].(map[string]any); !ok || m["action"] != "announce" {
		t.Fatalf("relayed %s: %q", key, msg)
	}
}

// checkRelayIDs checks a relay like checkRelay, and that encoding/json
// reads its info_hash, peer_id and offer_id as the ids given.
func checkRelayIDs(t *testing.T, msg []byte, key string, ih, peer, offerID *[20]byte) {
	t.Helper()
	checkRelay(t, msg, key)
	m := decodeJSON(t, msg)
	for name, want := range map[string]*[20]byte{"info_hash": ih, "peer_id": peer, "offer_id": offerID} {
		if got, ok := modelID(m[name]); !ok || got != *want {
			t.Fatalf("relayed %s: %s %q, want %x", key, name, m[name], *want)
		}
	}
}

// appendRequest writes r back as a client message, the members Parse
// decoded in a fixed order, for the round trip in FuzzParse.
func appendRequest(dst []byte, r *Request) []byte {
	num := func(dst []byte, key string, v int64) []byte {
		return append(append(dst, `,"`+key+`":`...), itoa(int(v))...)
	}
	switch r.Action {
	case ActionScrape:
		dst = append(dst, `{"action":"scrape"`...)
		if r.NHashes > 0 {
			dst = append(dst, `,"info_hash":[`...)
			for i := range r.NHashes {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = AppendBinaryString(dst, r.Hashes[i][:])
			}
			dst = append(dst, ']')
		}
		return append(dst, '}')
	case ActionAnnounce:
	default:
		panic("BUG: appendRequest of a failed Parse")
	}
	dst = append(dst, `{"action":"announce","info_hash":`...)
	dst = AppendBinaryString(dst, r.InfoHash[:])
	dst = append(dst, `,"peer_id":`...)
	dst = AppendBinaryString(dst, r.PeerID[:])
	dst = num(dst, "uploaded", r.Uploaded)
	dst = num(dst, "downloaded", r.Downloaded)
	if r.HasLeft {
		dst = num(dst, "left", r.Left)
	}
	if r.NumWant >= 0 {
		dst = num(dst, "numwant", int64(r.NumWant))
	}
	dst = append(dst, `,"event":"`...)
	dst = append(dst, [...]string{"update", "completed", "started", "stopped"}[r.Event]...)
	dst = append(dst, '"')
	if r.NOffers > 0 {
		dst = append(dst, `,"offers":[`...)
		for i := range r.NOffers {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"offer_id":`...)
			dst = AppendBinaryString(dst, r.Offers[i].ID[:])
			dst = append(dst, `,"offer":`...)
			dst = append(dst, r.Offers[i].SDP...)
			dst = append(dst, '}')
		}
		// Dropped offers are counted, not kept: send as many again.
		for range r.OffersDropped {
			dst = append(dst, `,{"offer_id":"aaaaaaaaaaaaaaaaaaaa","offer":{}}`...)
		}
		dst = append(dst, ']')
	}
	if r.HasAnswer {
		dst = append(dst, `,"to_peer_id":`...)
		dst = AppendBinaryString(dst, r.ToPeerID[:])
		dst = append(dst, `,"offer_id":`...)
		dst = AppendBinaryString(dst, r.OfferID[:])
		dst = append(dst, `,"answer":`...)
		dst = append(dst, r.Answer...)
	}
	return append(dst, '}')
}

// FuzzBinaryString checks binary strings both ways: AppendBinaryString
// writes valid JSON in UTF-8 that scanString, decodeBinary and
// encoding/json all read back as the same characters; and for any string
// contents, scanString and decodeBinary accept exactly what encoding/json
// reads as 20 characters U+0000-U+00FF in valid UTF-8, with the same value.
func FuzzBinaryString(f *testing.F) {
	f.Add(all256())
	f.Add([]byte(`\u0000\u00ff\"\\\/\b\f\n\r\tabcdefghi`))
	f.Add([]byte("\xc3\xbf\xc2\x80aaaaaaaaaaaaaaaaaa"))
	f.Add([]byte(`\ud800aaaaaaaaaaaaaaaaaaa`))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaa\x7f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Encode, then decode three ways.
		enc := AppendBinaryString(nil, data)
		if !utf8.Valid(enc) {
			t.Fatalf("AppendBinaryString(%q) = %q: not UTF-8", data, enc)
		}
		if end, _, err := scanString(enc, 0); err != nil || end != len(enc) {
			t.Fatalf("scanString(%q) = %d, %v", enc, end, err)
		}
		var s string
		if err := json.Unmarshal(enc, &s); err != nil || s != binString(data) {
			t.Fatalf("encoding/json reads %q as %q (%v), want %q", enc, s, err, binString(data))
		}
		if len(data) == 20 {
			if id, ok := decodeBinaryString(enc); !ok || !bytes.Equal(id[:], data) {
				t.Fatalf("decode(%q) = %x, %v", enc, id, ok)
			}
			// Every id as trackers and browsers write it takes the one-pass path.
			var id [20]byte
			if end, ok := decodeBinaryQuoted(&id, enc, 0); !ok || end != len(enc) || !bytes.Equal(id[:], data) {
				t.Fatalf("decodeBinaryQuoted(%q) = %x, %d, %v", enc, id, end, ok)
			}
		}

		// Decode arbitrary string contents and compare with encoding/json.
		in := append(append([]byte{'"'}, data...), '"')
		end, _, err := scanString(in, 0)
		whole := err == nil && end == len(in)
		// The one-pass path agrees with scanString and decodeBinary
		// whenever it answers.
		var fast, slow [20]byte
		if fastEnd, ok := decodeBinaryQuoted(&fast, in, 0); ok {
			if err != nil || fastEnd != end || !decodeBinary(&slow, in[1:end-1]) || fast != slow {
				t.Fatalf("decodeBinaryQuoted(%q) = %x, end %d; scanString end %d, %v; decodeBinary %x", in, fast, fastEnd, end, err, slow)
			}
		}
		valid := json.Valid(in) && utf8.Valid(in)
		if whole != valid {
			t.Fatalf("scanString(%q) whole %v, encoding/json and UTF-8 valid %v", in, whole, valid)
		}
		if !whole {
			return
		}
		var got [20]byte
		ok := decodeBinary(&got, in[1:end-1])

		if err := json.Unmarshal(in, &s); err != nil {
			t.Fatal(err)
		}
		want, wantOK := modelID(s)
		if ok != wantOK || ok && got != want {
			t.Fatalf("decodeBinary(%q) = %x, %v; encoding/json %x, %v", in, got, ok, want, wantOK)
		}
	})
}
