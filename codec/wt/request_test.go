package wt

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// offerIDHex is the offer_id of offer i in the fixtures (gen.mjs offerID).
func offerIDHex(i int) string {
	return fmt.Sprintf("%02xc0ffee225c7f80ff0102030405060799999999", i)
}

func TestParseFixtures(t *testing.T) {
	ih, pidA, pidB := id20(t, ihHex), id20(t, pidHex), id20(t, toHex)
	tests := []struct {
		file string
		want func(t *testing.T, r *Request)
	}{
		{file: "announce_started_10offers.json", want: func(t *testing.T, r *Request) {
			checkAnnounce(t, r, ih, pidA, 1024, 524288, 7340032, true, EventStarted, 10)
			checkOffers(t, r, 10)
		}},
		{file: "announce_started_5offers.json", want: func(t *testing.T, r *Request) {
			checkAnnounce(t, r, ih, pidA, 1024, 524288, 7340032, true, EventStarted, 5)
			checkOffers(t, r, 5)
		}},
		{file: "announce_update_magnet.json", want: func(t *testing.T, r *Request) {
			// left is NaN before the metadata arrives: JSON null.
			checkAnnounce(t, r, ih, pidA, 1024, 524288, -1, false, EventNone, 5)
			checkOffers(t, r, 5)
		}},
		{file: "announce_completed.json", want: func(t *testing.T, r *Request) {
			checkAnnounce(t, r, ih, pidA, 1024, 524288, 0, true, EventCompleted, 50)
			checkOffers(t, r, 0)
		}},
		{file: "announce_stopped.json", want: func(t *testing.T, r *Request) {
			checkAnnounce(t, r, ih, pidA, 1024, 524288, 0, true, EventStopped, 50)
			checkOffers(t, r, 0)
		}},
		{file: "answer.json", want: func(t *testing.T, r *Request) {
			checkAnnounce(t, r, ih, pidB, 0, 0, -1, false, EventNone, -1)
			checkOffers(t, r, 0)
			if !r.HasAnswer || r.ToPeerID != pidA || r.OfferID != id20(t, offerIDHex(3)) {
				t.Errorf("answer: has %v to %x offer %x", r.HasAnswer, r.ToPeerID, r.OfferID)
			}
			if !bytes.HasPrefix(r.Answer, []byte(`{"type":"answer","sdp":"v=0\r\n`)) || !bytes.HasSuffix(r.Answer, []byte(`\r\n"}`)) {
				t.Errorf("Answer = %q", r.Answer)
			}
		}},
		{file: "scrape_one.json", want: func(t *testing.T, r *Request) {
			checkScrape(t, r, ih)
		}},
		{file: "scrape_many.json", want: func(t *testing.T, r *Request) {
			checkScrape(t, r, ih, pidA, pidB)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readFixture(t, tt.file)
			var r Request
			if err := r.Parse(b); err != nil {
				t.Fatal(err)
			}
			tt.want(t, &r)
			checkModel(t, b)
		})
	}
}

func checkAnnounce(t *testing.T, r *Request, ih, pid [20]byte, up, down, left int64, hasLeft bool, ev Event, numWant int) {
	t.Helper()
	if r.Action != ActionAnnounce || r.InfoHash != ih || r.PeerID != pid {
		t.Errorf("action %d info_hash %x peer_id %x", r.Action, r.InfoHash, r.PeerID)
	}
	if r.Uploaded != up || r.Downloaded != down || r.Left != left || r.HasLeft != hasLeft {
		t.Errorf("uploaded %d downloaded %d left %d/%v, want %d %d %d/%v", r.Uploaded, r.Downloaded, r.Left, r.HasLeft, up, down, left, hasLeft)
	}
	if r.Event != ev || r.NumWant != numWant {
		t.Errorf("event %d numwant %d, want %d %d", r.Event, r.NumWant, ev, numWant)
	}
	if r.FailureInfoHash() == nil || *r.FailureInfoHash() != ih {
		t.Errorf("FailureInfoHash = %v", r.FailureInfoHash())
	}
	if r.NHashes != 0 {
		t.Errorf("NHashes = %d", r.NHashes)
	}
}

func checkOffers(t *testing.T, r *Request, n int) {
	t.Helper()
	if r.NOffers != n || r.OffersDropped != 0 {
		t.Fatalf("NOffers %d dropped %d, want %d", r.NOffers, r.OffersDropped, n)
	}
	for i := range n {
		o := r.Offers[i]
		if o.ID != id20(t, offerIDHex(i)) {
			t.Errorf("offer %d: id %x", i, o.ID)
		}
		if !bytes.HasPrefix(o.SDP, []byte(`{"type":"offer","sdp":"v=0\r\n`)) || !bytes.HasSuffix(o.SDP, []byte(`\r\n"}`)) ||
			!bytes.Contains(o.SDP, fmt.Appendf(nil, `a=ice-ufrag:u%dXq\r\n`, i)) {
			t.Errorf("offer %d: SDP %q", i, o.SDP)
		}
	}
}

func checkScrape(t *testing.T, r *Request, hashes ...[20]byte) {
	t.Helper()
	if r.Action != ActionScrape || r.NHashes != len(hashes) {
		t.Fatalf("action %d NHashes %d, want %d", r.Action, r.NHashes, len(hashes))
	}
	for i, h := range hashes {
		if r.Hashes[i] != h {
			t.Errorf("Hashes[%d] = %x, want %x", i, r.Hashes[i], h)
		}
	}
	if r.InfoHash != ([20]byte{}) || r.FailureInfoHash() != nil {
		t.Errorf("scrape InfoHash %x", r.InfoHash)
	}
}

// TestParseAllFixtures runs every fixture, the server's messages too,
// through the encoding/json model.
func TestParseAllFixtures(t *testing.T) {
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) { checkModel(t, readFixture(t, name)) })
	}
}

func TestParseErrors(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	f := func(name string, in []byte, want error) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			var r Request
			if err := r.Parse(in); err != want {
				t.Fatalf("Parse(%q) = %v, want %v", in, err, want)
			}
			if _, ok := want.(*Error); !ok {
				t.Fatalf("%v is not an *Error", want)
			}
			checkModel(t, in)
		})
	}
	ann := func(m ...string) []byte { return obj(append([]string{mAction, mIH, mPID}, m...)...) }

	// Malformed JSON of many kinds.
	for _, in := range []string{
		``, ` `, `{`, `}`, `[]`, `"x"`, `null`, `1`, `{}{}`, `{} x`, `{"a":1}x`,
		`{"action":"announce"`, `{"action" "announce"}`, `{"action":"announce",}`, `{,}`, `{"a"}`, `{"a":}`,
		`{'a':1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":-}`, `{"a":+1}`,
		`{"a":-01}`, `{"a":0x10}`, `{"a":tru}`, `{"a":nul}`, `{"a":True}`, `{"a":nulll}`, `{"left":Infinity}`, `{"left":NaN}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, `{"a":"\U0041"}`, `{"a":"\'"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\n\"}", "{\"a\":\"\x7f\x00\"}",
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"\xff\":1}", "\xef\xbb\xbf{}", `{/*x*/}`, "{\f}", "{\v}", "{\u00a0}",
		`{"a":[1,]}`, `{"a":[1 2]}`, `{"a":[,1]}`, `{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"a":{1:2}}`, `{"a":]}`, `{"a":[}`, `{"a":{]}`, `{"a":[}]}`,
		`{"a":"unterminated}`, `{"a":"x\`, `{"a":"\u00`,
		string(ann(`"offers":[{"offer":{"type":"offer","sdp":"` + "\x00" + `"},"offer_id":"x"}]`)),
		string(ann(`"answer":{"sdp":"` + "\xff" + `"}`)),
		string(ann(`"offers":[{"offer":{"a":[1,2,]}}]`)),
		string(ann(`"offers":[` + offerJSON(0) + `,]`)),
		string(ann(`"info_hash":[` + hexBin(ihHex) + `,]`)),
	} {
		f(fmt.Sprintf("json/%q", in), []byte(in), ErrJSON)
	}

	// Nesting: MaxDepth levels are fine (see TestParseDepth), one more is not.
	f("depth/member", obj(mAction, `"x":`+deep(MaxDepth)), ErrTooDeep)
	f("depth/bomb", obj(mAction, `"x":`+strings.Repeat("[", 1<<20)), ErrTooDeep)
	f("depth/objects", obj(mAction, `"x":`+strings.Repeat(`{"a":`, 1<<16)), ErrTooDeep)
	f("depth/offer", ann(`"offers":[{"offer":{"a":`+deep(MaxDepth-3)+`}}]`), ErrTooDeep)
	f("depth/answer", ann(mTo, mOID, `"answer":{"a":`+deep(MaxDepth-1)+`}`), ErrTooDeep)
	f("depth/scrape", obj(`"action":"scrape"`, `"info_hash":[`+deep(MaxDepth-1)+`]`), ErrTooDeep)
	f("depth/first", []byte(`{"x":`+deep(MaxDepth)+`,"y":[1,]}`), ErrTooDeep)
	f("depth/json-first", []byte(`{"y":[1,],"x":`+deep(MaxDepth)+`}`), ErrJSON)

	// Action (parse-websocket.js:11,39,52).
	f("action/missing", obj(mIH, mPID), ErrAction)
	f("action/empty-object", obj(), ErrAction)
	f("action/connect", obj(`"action":"connect"`, mIH, mPID), ErrAction)
	f("action/case", obj(`"action":"Announce"`, mIH, mPID), ErrAction)
	f("action/space", obj(`"action":"announce "`, mIH, mPID), ErrAction)
	f("action/number", obj(`"action":1`, mIH, mPID), ErrAction)
	f("action/null", obj(`"action":null`, mIH, mPID), ErrAction)
	f("action/array", obj(`"action":["announce"]`, mIH, mPID), ErrAction)
	f("action/long-escaped", obj(`"action":"\u0061nnounceannounceannounce"`, mIH, mPID), ErrAction)
	f("action/non-ascii", obj(`"action":"annonc\u00e9"`, mIH, mPID), ErrAction)
	f("action/last-wins", obj(mAction, `"action":"x"`, mIH, mPID), ErrAction)

	// Ids: 20 characters U+0000-U+00FF.
	for name, v := range map[string]string{
		"missing": ``, "null": `null`, "number": `1`, "array": `[` + hexBin(ihHex) + `]`, "object": `{}`,
		"19": hexBin(ihHex[:38]), "21": hexBin(ihHex + "00"), "empty": `""`,
		"u0100":          `"\u0100` + strings.Repeat("a", 19) + `"`,
		"utf8-2byte":     `"` + "\xc4\x81" + strings.Repeat("a", 19) + `"`,
		"utf8-3byte":     `"` + "\xe2\x82\xac" + strings.Repeat("a", 19) + `"`,
		"utf8-4byte":     `"` + "\xf0\x9f\x98\x80" + strings.Repeat("a", 19) + `"`,
		"surrogate-pair": `"\ud83d\ude00` + strings.Repeat("a", 18) + `"`,
		"lone-surrogate": `"\ud800` + strings.Repeat("a", 19) + `"`,
		"hex40":          `"` + ihHex + `"`,
	} {
		m := func(key string) string {
			if v == `` {
				return `"other":1`
			}
			return `"` + key + `":` + v
		}
		f("info_hash/"+name, obj(mAction, m("info_hash"), mPID), ErrInfoHash)
		f("peer_id/"+name, obj(mAction, mIH, m("peer_id")), ErrPeerID)
		f("to_peer_id/"+name, ann(m("to_peer_id"), mOID, `"answer":{}`), ErrToPeerID)
		f("offer_id/"+name, ann(mTo, m("offer_id"), `"answer":{}`), ErrOfferID)
		f("offers/offer_id/"+name, ann(`"offers":[{"offer":{},`+m("offer_id")+`}]`), ErrOfferID)
		if name != "missing" && name != "null" && name != "array" {
			f("scrape/"+name, obj(`"action":"scrape"`, m("info_hash")), ErrInfoHash)
			f("scrape-array/"+name, obj(`"action":"scrape"`, `"info_hash":[`+hexBin(ihHex)+`,`+v+`]`), ErrInfoHash)
		}
	}
	f("priority/info_hash-before-peer_id", obj(`"peer_id":1`, `"info_hash":1`, mAction), ErrInfoHash)
	f("priority/peer_id-before-number", obj(`"uploaded":-1`, `"peer_id":1`, mAction, mIH), ErrPeerID)
	f("priority/action-first", obj(`"peer_id":1`, `"info_hash":1`, `"action":"x"`), ErrAction)

	// Numbers: non-negative integers or null.
	for _, key := range []string{"uploaded", "downloaded", "left", "numwant"} {
		for _, v := range []string{`-1`, `1.5`, `1.0`, `1e3`, `1E3`, `-0.0`, `"5"`, `true`, `{}`, `[]`, `9223372036854775808`, `99999999999999999999999`, `-9223372036854775808`} {
			f("number/"+key+"="+v, ann(`"`+key+`":`+v), ErrNumber)
		}
	}
	f("number/numwant-int32", ann(`"numwant":2147483648`), ErrNumber)

	// Events (swarm.js:43-56).
	for _, v := range []string{`"start"`, `"STARTED"`, `"started "`, `1`, `0`, `true`, `false`, `{}`, `["started"]`, `"st\u00e4rted"`} {
		f("event/"+v, ann(`"event":`+v), ErrEvent)
	}
	f("priority/number-before-event", ann(`"event":1`, `"left":-1`), ErrNumber)

	// Offers.
	for name, v := range map[string]string{
		"object": `{}`, "string": `"x"`, "number": `1`, "true": `true`,
		"element-number": `[1]`, "element-null": `[null]`, "element-array": `[[]]`, "element-string": `["x"]`,
		"missing-offer": `[{"offer_id":` + hexBin(oidHex) + `}]`,
		"offer-null":    `[{"offer":null,"offer_id":` + hexBin(oidHex) + `}]`,
		"offer-string":  `[{"offer":"v=0","offer_id":` + hexBin(oidHex) + `}]`,
		"offer-array":   `[{"offer":[],"offer_id":` + hexBin(oidHex) + `}]`,
		"offer-last":    `[{"offer":{},"offer":1,"offer_id":` + hexBin(oidHex) + `}]`,
		"bad-after-10":  `[` + strings.Repeat(offerJSON(1)+`,`, 10) + `1]`,
		"before-bad-id": `[{"offer":{}},{"offer_id":` + hexBin(oidHex) + `}]`,
	} {
		f("offers/"+name, ann(`"offers":`+v), ErrOffers)
	}
	f("offers/bad-id-after-10", ann(`"offers":[`+strings.Repeat(offerJSON(1)+`,`, 10)+`{"offer":{}}]`), ErrOfferID)
	f("priority/event-before-offers", ann(`"offers":1`, `"event":"x"`), ErrEvent)

	// Answers (parse-websocket.js:24-29; server.js:559-565 needs offer_id).
	for _, v := range []string{`"x"`, `1`, `true`, `false`, `[]`, `""`} {
		f("answer/"+v, ann(mTo, mOID, `"answer":`+v), ErrAnswer)
	}
	f("answer/no-to_peer_id", ann(mOID, `"answer":{"type":"answer"}`), ErrToPeerID)
	f("answer/no-offer_id", ann(mTo, `"answer":{"type":"answer"}`), ErrOfferID)
	f("answer/no-ids", ann(`"answer":{}`), ErrToPeerID)
	f("priority/offers-before-answer", ann(`"answer":1`, `"offers":1`), ErrOffers)
	f("priority/offer-id-before-answer", ann(`"answer":1`, `"offers":[{"offer":{}}]`), ErrOfferID)

	// Scrape.
	f("scrape/empty-array", obj(`"action":"scrape"`, `"info_hash":[]`), ErrInfoHash)
	f("scrape/object", obj(`"action":"scrape"`, `"info_hash":{}`), ErrInfoHash)
	f("scrape/too-many", obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes+1)), ErrTooManyHashes)
	f("scrape/far-too-many", obj(`"action":"scrape"`, hashesJSON(1000)), ErrTooManyHashes)
	f("scrape/bad-after-max", obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes + 1)[:len(hashesJSON(MaxScrapeHashes+1))-1]+`,1]`), ErrInfoHash)
}

func TestParseAccepts(t *testing.T) {
	ann := func(m ...string) []byte { return obj(append([]string{mAction, mIH, mPID}, m...)...) }
	ih, pid := id20(t, ihHex), id20(t, pidHex)
	f := func(name string, in []byte, check func(t *testing.T, r *Request)) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			r := new(Request)
			if err := r.Parse(in); err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if check != nil {
				check(t, r)
			}
			checkModel(t, in)
		})
	}
	f("minimal", ann(), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, -1, false, EventNone, -1)
		if r.NOffers != 0 || r.HasAnswer || r.Answer != nil {
			t.Errorf("offers %d answer %v", r.NOffers, r.HasAnswer)
		}
	})
	f("whitespace", []byte(" \t\r\n{ \"action\" :\n\"announce\" ,\t"+mIH+" , "+mPID+" , \"offers\" : [ "+offerJSON(0)+" ] } \n"), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, -1, false, EventNone, -1)
		if r.NOffers != 1 {
			t.Errorf("NOffers = %d", r.NOffers)
		}
	})
	f("members-any-order", obj(mPID, `"left":0`, mIH, `"event":"completed"`, mAction), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, 0, true, EventCompleted, -1)
	})
	f("escaped-names-and-values", obj(`"\u0061ction":"ann\u006funce"`, `"info\u005fhash":`+hexBin(ihHex), `"peer_id":`+hexBin(pidHex), `"ev\u0065nt":"st\u0061rted"`, `"\u006ceft":5`), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, 5, true, EventStarted, -1)
	})
	f("ids-all-escapes", obj(mAction, `"info_hash":"\u0000\b\u001f\"'\\\/<>&\u007f\u0080\u00a0\u00C3\u00ff\r\n\t\u00e2\u00a8"`, mPID), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, -1, false, EventNone, -1)
	})
	f("numbers", ann(`"uploaded":9223372036854775807`, `"downloaded":0`, `"left":-0`, `"numwant":2147483647`), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 1<<63-1, 0, 0, true, EventNone, 1<<31-1)
	})
	f("nulls", ann(`"uploaded":null`, `"downloaded":null`, `"left":null`, `"numwant":null`, `"event":null`, `"offers":null`, `"answer":null`), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, -1, false, EventNone, -1)
	})
	for v, ev := range map[string]Event{`"started"`: EventStarted, `"stopped"`: EventStopped, `"completed"`: EventCompleted,
		`"update"`: EventNone, `"paused"`: EventNone, `"empty"`: EventNone, `""`: EventNone, `null`: EventNone} {
		f("event/"+v, ann(`"event":`+v), func(t *testing.T, r *Request) {
			if r.Event != ev {
				t.Errorf("Event = %d, want %d", r.Event, ev)
			}
		})
	}
	f("unknown-members", ann(`"trackerid":"x"`, `"x":{"y":[1,-2.5e-3,true,false,null,"\u00e9\ud83d\ude00",{}]}`, `"license":[]`, `"":0`), nil)
	f("offers-empty", ann(`"offers":[]`), func(t *testing.T, r *Request) {
		if r.NOffers != 0 || r.OffersDropped != 0 {
			t.Errorf("NOffers %d", r.NOffers)
		}
	})
	f("offers-10", ann(offersJSON(MaxOffers)), func(t *testing.T, r *Request) {
		if r.NOffers != MaxOffers || r.OffersDropped != 0 {
			t.Errorf("NOffers %d dropped %d", r.NOffers, r.OffersDropped)
		}
	})
	// More than MaxOffers: the reference relays up to 82 and rejects none
	// (parse-websocket.js:34), so the rest are validated and dropped.
	f("offers-25", ann(offersJSON(25)), func(t *testing.T, r *Request) {
		if r.NOffers != MaxOffers || r.OffersDropped != 15 {
			t.Errorf("NOffers %d dropped %d", r.NOffers, r.OffersDropped)
		}
		for i := range MaxOffers {
			if r.Offers[i].ID[0] != byte(i) || string(r.Offers[i].SDP) != sdp {
				t.Errorf("offer %d: %x %q", i, r.Offers[i].ID, r.Offers[i].SDP)
			}
		}
	})
	f("offer-extra-members", ann(`"offers":[{"x":[{}],"offer_id":`+hexBin(oidHex)+`,"offer":{"type":"offer","sdp":"","extra":{"a":[1]}},"y":null}]`), func(t *testing.T, r *Request) {
		if r.NOffers != 1 || r.Offers[0].ID != id20(t, oidHex) || string(r.Offers[0].SDP) != `{"type":"offer","sdp":"","extra":{"a":[1]}}` {
			t.Errorf("offer %+v", r.Offers[0])
		}
	})
	f("offer-empty-object", ann(`"offers":[{"offer":{ },"offer_id":`+hexBin(oidHex)+`}]`), func(t *testing.T, r *Request) {
		if string(r.Offers[0].SDP) != `{ }` {
			t.Errorf("SDP %q", r.Offers[0].SDP)
		}
	})
	f("offer-at-max-depth", ann(`"offers":[{"offer":{"a":`+strings.Repeat("[", MaxDepth-4)+strings.Repeat("]", MaxDepth-4)+`},"offer_id":`+hexBin(oidHex)+`}]`), nil)
	f("answer", ann(mTo, mOID, `"answer":{"type":"answer","sdp":"x"}`), func(t *testing.T, r *Request) {
		if !r.HasAnswer || string(r.Answer) != `{"type":"answer","sdp":"x"}` || r.ToPeerID != id20(t, toHex) || r.OfferID != id20(t, oidHex) {
			t.Errorf("answer %v %q %x %x", r.HasAnswer, r.Answer, r.ToPeerID, r.OfferID)
		}
	})
	f("answer-and-offers", ann(mTo, mOID, `"answer":{}`, offersJSON(2)), func(t *testing.T, r *Request) {
		if !r.HasAnswer || r.NOffers != 2 {
			t.Errorf("answer %v offers %d", r.HasAnswer, r.NOffers)
		}
	})
	// to_peer_id and offer_id matter only with an answer (parse-websocket.js:24).
	f("ids-without-answer-ignored", ann(`"to_peer_id":1`, `"offer_id":"short"`), func(t *testing.T, r *Request) {
		if r.HasAnswer || r.ToPeerID != ([20]byte{}) || r.OfferID != ([20]byte{}) {
			t.Errorf("answer fields set")
		}
	})
	f("valid-ids-without-answer-zeroed", ann(mTo, mOID), func(t *testing.T, r *Request) {
		if r.ToPeerID != ([20]byte{}) || r.OfferID != ([20]byte{}) {
			t.Errorf("answer ids kept without an answer")
		}
	})
	// A repeated member counts only its last occurrence, as in JSON.parse.
	f("duplicates", obj(`"action":"scrape"`, mAction, `"info_hash":1`, mIH, `"peer_id":"x"`, mPID, `"left":-1`, `"left":3`,
		`"offers":1`, offersJSON(3), offersJSON(1), `"event":"x"`, `"event":"stopped"`, `"answer":1`, `"answer":null`), func(t *testing.T, r *Request) {
		checkAnnounce(t, r, ih, pid, 0, 0, 3, true, EventStopped, -1)
		if r.NOffers != 1 || r.HasAnswer {
			t.Errorf("NOffers %d answer %v", r.NOffers, r.HasAnswer)
		}
	})
	f("scrape/absent", obj(`"action":"scrape"`), func(t *testing.T, r *Request) { checkScrape(t, r) })
	f("scrape/null", obj(`"action":"scrape"`, `"info_hash":null`), func(t *testing.T, r *Request) { checkScrape(t, r) })
	f("scrape/max", obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes)), func(t *testing.T, r *Request) {
		if r.NHashes != MaxScrapeHashes || r.Hashes[73][0] != 73 {
			t.Errorf("NHashes %d", r.NHashes)
		}
	})
	// A scrape uses only info_hash (parse-websocket.js:39-50).
	f("scrape/ignores-announce-members", obj(`"action":"scrape"`, `"info_hash":`+hexBin(ihHex), `"peer_id":1`, `"left":-1`,
		`"event":"x"`, `"offers":1`, `"answer":1`, `"numwant":1.5`), func(t *testing.T, r *Request) {
		checkScrape(t, r, ih)
		if r.Left != -1 || r.NumWant != -1 || r.NOffers != 0 || r.Answer != nil {
			t.Errorf("announce fields set on a scrape: %+v", r)
		}
	})
	f("scrape/array-then-string", obj(`"action":"scrape"`, hashesJSON(5), `"info_hash":`+hexBin(ihHex)), func(t *testing.T, r *Request) {
		checkScrape(t, r, ih)
	})
	f("scrape/duplicates-kept", obj(`"action":"scrape"`, `"info_hash":[`+hexBin(ihHex)+`,`+hexBin(ihHex)+`]`), func(t *testing.T, r *Request) {
		checkScrape(t, r, ih, ih)
	})
	f("depth/max", obj(mAction, mIH, mPID, `"x":`+strings.Repeat("[", MaxDepth-1)+strings.Repeat("]", MaxDepth-1)), nil)
	f("depth/max-objects", obj(mAction, mIH, mPID, `"x":`+strings.Repeat(`{"a":`, MaxDepth-1)+"1"+strings.Repeat("}", MaxDepth-1)), nil)
}

// TestParseFailureState checks what Parse leaves for the failure message:
// the action and the announce's info hash when they were valid.
func TestParseFailureState(t *testing.T) {
	ih := id20(t, ihHex)
	tests := []struct {
		name   string
		in     []byte
		err    error
		action Action
		ih     bool
	}{
		{name: "bad-peer_id", in: obj(`"peer_id":1`, mIH, mAction), err: ErrPeerID, action: ActionAnnounce, ih: true},
		{name: "bad-offer", in: obj(mIH, mPID, `"offers":[1]`, mAction), err: ErrOffers, action: ActionAnnounce, ih: true},
		{name: "bad-info_hash", in: obj(mAction, `"info_hash":"x"`, mPID), err: ErrInfoHash, action: ActionAnnounce},
		{name: "info_hash-last-bad", in: obj(mAction, mIH, `"info_hash":"x"`, mPID), err: ErrInfoHash, action: ActionAnnounce},
		{name: "scrape", in: obj(`"action":"scrape"`, `"info_hash":"x"`), err: ErrInfoHash, action: ActionScrape},
		{name: "no-action", in: obj(mIH, mPID), err: ErrAction},
		{name: "json", in: []byte(`{` + mAction + `,` + mIH + `,`), err: ErrJSON},
		{name: "json-after-members", in: obj(mAction, mIH, `"x":[1,]`), err: ErrJSON},
		{name: "too-deep", in: obj(mAction, mIH, `"x":`+strings.Repeat("[", 100)), err: ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dirty(t)
			if err := r.Parse(tt.in); err != tt.err {
				t.Fatalf("Parse = %v, want %v", err, tt.err)
			}
			if r.Action != tt.action {
				t.Errorf("Action = %d, want %d", r.Action, tt.action)
			}
			got := r.FailureInfoHash()
			if tt.ih != (got != nil) || got != nil && *got != ih {
				t.Errorf("FailureInfoHash = %v, want %v", got, tt.ih)
			}
			checkZero(t, r, true)
			out := AppendFailure(nil, FailureReason(tt.err), r.Action, got)
			checkJSON(t, out, wantFailure(tt.err.Error(), tt.action, got))
		})
	}
}

// dirty returns a Request that has parsed an announce with every field and
// MaxOffers offers, then a full scrape, and so holds stale state.
func dirty(tb testing.TB) *Request {
	tb.Helper()
	r := new(Request)
	if err := r.Parse(obj(mAction, mIH, mPID, mTo, mOID, `"answer":{}`, `"left":1`, `"uploaded":2`, `"downloaded":3`, `"numwant":4`, `"event":"started"`, offersJSON(MaxOffers+2))); err != nil {
		tb.Fatal(err)
	}
	if r.NOffers != MaxOffers || !r.HasAnswer {
		tb.Fatal("dirty announce not full")
	}
	return r
}

// TestParseReuse checks that a reused Request ends up as a fresh one would,
// whatever the previous message left in it.
func TestParseReuse(t *testing.T) {
	full := obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes))
	var inputs [][]byte
	for _, name := range fixtures(t) {
		inputs = append(inputs, readFixture(t, name))
	}
	inputs = append(inputs, full, obj(`"action":"scrape"`, hashesJSON(MaxScrapeHashes+1)),
		obj(mAction, mIH, mPID, offersJSON(MaxOffers), `"x":[1,]`), []byte(`{`), obj(`"action":"scrape"`))
	for i, in := range inputs {
		for j, prev := range inputs {
			fresh, reused := new(Request), dirty(t)
			_ = reused.Parse(prev)
			errF, errR := fresh.Parse(in), reused.Parse(in)
			if errF != errR || !equalRequest(fresh, reused) {
				t.Fatalf("input %d after %d: reused %v %+v\nfresh %v %+v", i, j, errR, reused, errF, fresh)
			}
		}
	}
}

// equalRequest compares Requests field by field, slices by content and
// nil-ness (reflect.DeepEqual walks the 1.5 KB of Hashes byte by byte,
// which slowed fuzzing tenfold).
func equalRequest(a, b *Request) bool {
	sameBytes := func(x, y []byte) bool { return bytes.Equal(x, y) && (x == nil) == (y == nil) }
	for i := range MaxOffers {
		if a.Offers[i].ID != b.Offers[i].ID || !sameBytes(a.Offers[i].SDP, b.Offers[i].SDP) {
			return false
		}
	}
	return a.Action == b.Action && a.InfoHash == b.InfoHash && a.PeerID == b.PeerID &&
		a.Uploaded == b.Uploaded && a.Downloaded == b.Downloaded && a.Left == b.Left && a.HasLeft == b.HasLeft &&
		a.Event == b.Event && a.NumWant == b.NumWant && a.NOffers == b.NOffers && a.OffersDropped == b.OffersDropped &&
		a.HasAnswer == b.HasAnswer && sameBytes(a.Answer, b.Answer) && a.ToPeerID == b.ToPeerID && a.OfferID == b.OfferID &&
		a.Hashes == b.Hashes && a.NHashes == b.NHashes && a.ihOK == b.ihOK
}

// TestParseAliases checks the documented lifetime: the raw values alias the
// input, and nothing else does.
func TestParseAliases(t *testing.T) {
	b := readFixture(t, "answer.json")
	var r Request
	if err := r.Parse(b); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`{"type":"answer"`))
	if &r.Answer[0] != &b[i] {
		t.Fatal("Answer does not alias the input")
	}
	if cap(r.Answer) != len(r.Answer) {
		t.Fatal("Answer's capacity reaches past the value: an append would overwrite the input")
	}
	ih := r.InfoHash
	clear(b)
	if r.InfoHash != ih {
		t.Fatal("InfoHash aliases the input")
	}
}

func TestFailureReason(t *testing.T) {
	if FailureReason(nil) != "" {
		t.Error("nil")
	}
	if got := FailureReason(ErrInfoHash); got != "wt: invalid info_hash" {
		t.Errorf("sentinel: %q", got)
	}
	if got := FailureReason(fmt.Errorf("cannot parse: %w", ErrPeerID)); got != "wt: invalid peer_id" {
		t.Errorf("wrapped: %q", got)
	}
	if got := FailureReason(errors.New("disk on fire")); got != "internal error" {
		t.Errorf("internal: %q", got)
	}
}
