package wt

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"unicode/utf8"
)

// model is a second implementation of Parse's rules, written for clarity on
// top of encoding/json (the reference decoder STYLE §10 names), against
// which FuzzParse and the fixture tests check Parse. It decodes b into want
// and returns the error Parse must return. For malformed input it returns
// errMalformed, which matches ErrJSON or ErrTooDeep (Parse reports whichever
// it meets first in the bytes); ErrTooDeep means the input is otherwise a
// well-formed object, so Parse must return exactly that.
func model(tb testing.TB, b []byte) (want modelRequest, err error) {
	tb.Helper()
	want.Left, want.NumWant = -1, -1
	if !json.Valid(b) || !utf8.Valid(b) || !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{")) {
		return want, errMalformed
	}
	if jsonDepth(b) > MaxDepth {
		return want, ErrTooDeep
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		tb.Fatalf("encoding/json: Valid but Decode: %v", err)
	}
	m := v.(map[string]any)
	switch m["action"] {
	case "announce":
		want.Action = ActionAnnounce
		return want, modelAnnounce(m, &want)
	case "scrape":
		want.Action = ActionScrape
		return want, modelScrape(m, &want)
	}
	return want, ErrAction
}

// errMalformed is model's answer for input that is not a well-formed JSON
// object in UTF-8: Parse must return ErrJSON or ErrTooDeep.
var errMalformed = errors.New("malformed")

// modelRequest is what model expects Parse to decode. Offer and answer
// values are the decoded JSON, compared with the decoding of the raw bytes
// Parse returns.
type modelRequest struct {
	Action                     Action
	InfoHash, PeerID           [20]byte
	InfoHashOK                 bool // FailureInfoHash is non-nil
	Uploaded, Downloaded, Left int64
	HasLeft                    bool
	Event                      Event
	NumWant                    int
	OfferIDs                   [][20]byte
	Offers                     []any
	OffersDropped              int
	HasAnswer                  bool
	Answer                     any
	ToPeerID, OfferID          [20]byte
	Hashes                     [][20]byte
}

// modelID decodes a binary string: 20 characters, each at most U+00FF.
func modelID(v any) ([20]byte, bool) {
	var id [20]byte
	s, ok := v.(string)
	if !ok || utf8.RuneCountInString(s) != 20 {
		return id, false
	}
	i := 0
	for _, c := range s {
		if c > 0xff {
			return id, false
		}
		id[i] = byte(c)
		i++
	}
	return id, true
}

var intRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// modelCount decodes a non-negative integer of at most limit, or null or
// absent (present false).
func modelCount(m map[string]any, key string, limit int64) (v int64, present, ok bool) {
	x, found := m[key]
	if !found || x == nil {
		return 0, false, true
	}
	n, isNum := x.(json.Number)
	if !isNum || !intRE.MatchString(string(n)) {
		return 0, true, false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < 0 || v > limit {
		return 0, true, false
	}
	return v, true, true
}

func modelAnnounce(m map[string]any, w *modelRequest) error {
	var ok bool
	if w.InfoHash, ok = modelID(m["info_hash"]); !ok {
		w.InfoHash = [20]byte{}
		return ErrInfoHash
	}
	w.InfoHashOK = true
	if w.PeerID, ok = modelID(m["peer_id"]); !ok {
		w.PeerID = [20]byte{}
		return ErrPeerID
	}
	var okU, okD, okL, okN, hasNW bool
	w.Uploaded, _, okU = modelCount(m, "uploaded", math.MaxInt64)
	w.Downloaded, _, okD = modelCount(m, "downloaded", math.MaxInt64)
	w.Left, w.HasLeft, okL = modelCount(m, "left", math.MaxInt64)
	var nw int64
	nw, hasNW, okN = modelCount(m, "numwant", math.MaxInt32)
	if !okU || !okD || !okL || !okN {
		return ErrNumber
	}
	if !w.HasLeft {
		w.Left = -1
	}
	w.NumWant = -1
	if hasNW {
		w.NumWant = int(nw)
	}
	switch ev := m["event"]; ev {
	case nil, "", "update", "paused", "empty":
	case "started":
		w.Event = EventStarted
	case "stopped":
		w.Event = EventStopped
	case "completed":
		w.Event = EventCompleted
	default:
		return ErrEvent
	}
	if x, found := m["offers"]; found && x != nil {
		list, isList := x.([]any)
		if !isList {
			return ErrOffers
		}
		badID := false
		for i, e := range list {
			o, isObj := e.(map[string]any)
			if !isObj {
				return ErrOffers
			}
			if _, isObj := o["offer"].(map[string]any); !isObj {
				return ErrOffers
			}
			id, ok := modelID(o["offer_id"])
			badID = badID || !ok
			if i < MaxOffers {
				w.OfferIDs = append(w.OfferIDs, id)
				w.Offers = append(w.Offers, o["offer"])
			} else {
				w.OffersDropped++
			}
		}
		if badID {
			return ErrOfferID
		}
	}
	switch a := m["answer"].(type) {
	case nil:
	case map[string]any:
		if w.ToPeerID, ok = modelID(m["to_peer_id"]); !ok {
			return ErrToPeerID
		}
		if w.OfferID, ok = modelID(m["offer_id"]); !ok {
			return ErrOfferID
		}
		w.HasAnswer, w.Answer = true, a
	default:
		return ErrAnswer
	}
	return nil
}

func modelScrape(m map[string]any, w *modelRequest) error {
	switch x := m["info_hash"].(type) {
	case nil:
	case string:
		id, ok := modelID(x)
		if !ok {
			return ErrInfoHash
		}
		w.Hashes = append(w.Hashes, id)
	case []any:
		if len(x) == 0 {
			return ErrInfoHash
		}
		for _, e := range x {
			id, ok := modelID(e)
			if !ok {
				return ErrInfoHash
			}
			w.Hashes = append(w.Hashes, id)
		}
		if len(x) > MaxScrapeHashes {
			return ErrTooManyHashes
		}
	default:
		return ErrInfoHash
	}
	return nil
}

// jsonDepth returns the deepest nesting of objects and arrays in the valid
// JSON b: brackets outside strings. (json.Decoder.Token does the same at a
// tenth of the speed, which halved the fuzzing rate.)
func jsonDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// checkModel parses b and checks the result against model: the same error
// (ErrJSON or ErrTooDeep for malformed input), and on success the same
// values, with raw offers and answers decoding to the model's values. It
// returns Parse's error.
func checkModel(tb testing.TB, b []byte) error {
	tb.Helper()
	r := new(Request) // 2 KiB: off the fuzz goroutine's stack
	err := r.Parse(b)
	want, werr := model(tb, b)
	switch {
	case werr == errMalformed:
		if err != ErrJSON && err != ErrTooDeep {
			tb.Fatalf("Parse(%q) = %v; encoding/json says malformed", b, err)
		}
		if r.Action != ActionNone || r.FailureInfoHash() != nil {
			tb.Fatalf("Parse(%q) = %v left action %d, info hash %v", b, err, r.Action, r.FailureInfoHash())
		}
		checkZero(tb, r, true)
		return err
	case err != werr:
		tb.Fatalf("Parse(%q) = %v, model says %v", b, err, werr)
	}
	if r.Action != want.Action {
		tb.Fatalf("Parse(%q): action %d, want %d", b, r.Action, want.Action)
	}
	if err != nil {
		ih := r.FailureInfoHash()
		if want.InfoHashOK != (ih != nil) || ih != nil && *ih != want.InfoHash {
			tb.Fatalf("Parse(%q) = %v: FailureInfoHash %v, want %x (ok %v)", b, err, ih, want.InfoHash, want.InfoHashOK)
		}
		checkZero(tb, r, true)
		return err
	}
	got := modelRequest{
		Action: r.Action, InfoHash: r.InfoHash, PeerID: r.PeerID, InfoHashOK: r.FailureInfoHash() != nil,
		Uploaded: r.Uploaded, Downloaded: r.Downloaded, Left: r.Left, HasLeft: r.HasLeft,
		Event: r.Event, NumWant: r.NumWant, OffersDropped: r.OffersDropped,
		HasAnswer: r.HasAnswer, ToPeerID: r.ToPeerID, OfferID: r.OfferID,
	}
	for i := range r.NOffers {
		got.OfferIDs = append(got.OfferIDs, r.Offers[i].ID)
		got.Offers = append(got.Offers, decodeRaw(tb, r.Offers[i].SDP))
	}
	if r.HasAnswer {
		got.Answer = decodeRaw(tb, r.Answer)
	}
	got.Hashes = append(got.Hashes, r.Hashes[:r.NHashes]...)
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("Parse(%q):\n got %+v\nwant %+v", b, got, want)
	}
	checkZero(tb, r, false)
	return nil
}

// decodeRaw decodes a raw offer or answer with encoding/json and checks
// that it is an object.
func decodeRaw(tb testing.TB, raw []byte) any {
	tb.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil || d.More() {
		tb.Fatalf("raw value %q: not one JSON value: %v", raw, err)
	}
	if _, ok := v.(map[string]any); !ok {
		tb.Fatalf("raw value %q is not an object", raw)
	}
	return v
}

// checkZero checks the invariants Parse keeps: the unused tails of Offers
// and Hashes are zero, and after an error every field but Action and
// (FailureInfoHash) InfoHash is.
func checkZero(tb testing.TB, r *Request, failed bool) {
	tb.Helper()
	for i := r.NOffers; i < MaxOffers; i++ {
		if r.Offers[i].ID != ([20]byte{}) || r.Offers[i].SDP != nil {
			tb.Fatalf("Offers[%d] not zero with NOffers %d", i, r.NOffers)
		}
	}
	for i := r.NHashes; i < MaxScrapeHashes; i++ {
		if r.Hashes[i] != ([20]byte{}) {
			tb.Fatalf("Hashes[%d] not zero with NHashes %d", i, r.NHashes)
		}
	}
	if !failed {
		return
	}
	z := &Request{Action: r.Action, InfoHash: r.InfoHash, ihOK: r.ihOK, Left: -1, NumWant: -1}
	if !equalRequest(r, z) {
		tb.Fatalf("fields set after an error: %+v", *r)
	}
}
