package wt

// Action is the "action" of a message. It is a plain value, safe to copy
// and share. ActionAnnounce and ActionScrape have BEP 15's numbers, for
// logs and counters shared with the UDP tracker.
type Action uint8

// Actions. ActionNone is what Parse leaves in Request.Action when the
// message has no valid "action" (or is not JSON); AppendFailure then omits
// the member.
const (
	ActionNone     Action = 0
	ActionAnnounce Action = 1 // "announce": also carries offers and answers
	ActionScrape   Action = 2 // "scrape"
)

// Event is the "event" of an announce, numbered as in BEP 15 "Announce". It
// is a plain value, safe to copy and share.
type Event uint8

// Events. bittorrent-tracker's client sends "started", "stopped",
// "completed", or no event for a periodic update (client.js:135-190); its
// server also takes "update", "paused" and "empty" as updates
// (lib/server/swarm.js:43-56, server.js:672), and Parse maps them, null and
// "" to EventNone.
const (
	EventNone      Event = 0
	EventCompleted Event = 1
	EventStarted   Event = 2
	EventStopped   Event = 3
)

// Bounds of a Request.
const (
	// MaxOffers is the number of offers kept per announce. bittorrent-tracker
	// clients send at most 10 (up to v11.1; v11.2 sends at most 5,
	// lib/client/websocket-tracker.js:61). The reference server relays up to
	// 82 (lib/server/parse-websocket.js:34, MAX_ANNOUNCE_PEERS) but never
	// rejects more, so Parse does not either: offers after the first
	// MaxOffers are validated like the rest, then dropped and counted in
	// Request.OffersDropped.
	MaxOffers = 10

	// MaxScrapeHashes is the most info hashes one scrape may name: the same
	// cap as the UDP tracker's (BEP 15 "up to about 74"), so one config
	// limit serves both. bittorrent-tracker's client scrapes one info hash,
	// or the list its caller gives (lib/client/websocket-tracker.js:80-86).
	// A reply entry takes at most 225 bytes (ids fully escaped, 20-digit
	// counts), so a full reply stays under 17 KiB; typically about 90.
	MaxScrapeHashes = 74
)

// Offer is one WebRTC offer of an announce, to be relayed to one other peer
// of the swarm. It is part of a Request and shares its owner.
type Offer struct {
	// ID is "offer_id": the answer that comes back carries it, and the
	// offering client matches it to its pending peer
	// (lib/client/websocket-tracker.js:294).
	ID [20]byte

	// SDP is the raw JSON value of "offer", an object such as
	// {"type":"offer","sdp":"v=0\r\n..."}, exactly as received: relay it
	// verbatim with AppendOffer. Parse has checked that it is a well-formed
	// object in UTF-8 no deeper than MaxDepth. It aliases the parsed message
	// and is valid until that buffer is reused.
	SDP []byte

	// IDJSON is "offer_id" as the client wrote it, a JSON string (quotes
	// included) that decodes to ID; it aliases the message like SDP.
	IDJSON []byte
}

// Request is one decoded client message: an announce (which may carry
// offers to relay and an answer to route) or a scrape. Parse overwrites
// every field.
//
// Parse relies on Offers[NOffers:] and Hashes[NHashes:] being zero, which
// it maintains, so it zeroes only what the previous message used; call
// Reset after writing fields by hand. The slices Offers[i].SDP and Answer
// alias the parsed message (see Parse).
//
// A Request is about 2.1 KiB: keep one per event loop and reuse it. It is
// owned by one goroutine; never share it.
type Request struct {
	// Action is the message's "action"; see Parse for its value after an
	// error.
	Action Action

	// InfoHash is the torrent of an announce. For a scrape it is zero: see
	// Hashes.
	InfoHash [20]byte

	// PeerID is the announcing peer. The reference keys a swarm's
	// WebSocket peers by it (swarm.js:39), sends it with each offer and
	// answer the peer makes, and addresses answers by it (to_peer_id).
	PeerID [20]byte

	// Uploaded and Downloaded are byte counts; absent or null reads as 0.
	// bittorrent-tracker's server ignores both.
	Uploaded   int64
	Downloaded int64

	// Left is the number of bytes the peer still needs; HasLeft is false,
	// and Left is -1, when "left" is absent or null. webtorrent sends
	// Math.max(length - downloaded, 0), which is NaN (JSON null) until the
	// torrent's metadata arrives; treat such a peer as a leecher. (The
	// reference server turns null into 0, a seeder, parse-websocket.js:31:
	// Number(null) is 0. Only an absent "left" becomes Infinity there.)
	Left    int64
	HasLeft bool

	// Event is the announce's "event"; EventNone for a periodic update.
	Event Event

	// NumWant is "numwant", or -1 when absent or null. The reference server
	// ignores it for WebSocket announces and relays to up to len(offers)
	// peers instead (parse-websocket.js:34).
	NumWant int

	// Offers[:NOffers] are the first MaxOffers entries of "offers";
	// OffersDropped counts the valid ones after them. Each must be relayed
	// to a different peer (server.js:525-532).
	Offers        [MaxOffers]Offer
	NOffers       int
	OffersDropped int

	// HasAnswer is set when the announce carries an "answer" object, to be
	// routed to the peer ToPeerID of the same swarm as AppendAnswer(...,
	// OfferID, Answer) (server.js:544-566). Answer is the raw JSON object,
	// validated like Offer.SDP and aliasing the message the same way.
	// ToPeerID and OfferID are zero when HasAnswer is false.
	HasAnswer bool
	Answer    []byte
	ToPeerID  [20]byte
	OfferID   [20]byte

	// InfoHashJSON, PeerIDJSON and OfferIDJSON are "info_hash" (a single
	// one), "peer_id" and the answer's "offer_id" as the client wrote them:
	// JSON strings, quotes included, that decode to InfoHash, PeerID and
	// OfferID, aliasing the message like Answer, nil when those are zero.
	// Relays copy them (AppendOfferHeadJSON, AppendAnswerJSON) instead of
	// encoding the ids again.
	InfoHashJSON, PeerIDJSON, OfferIDJSON []byte

	// Hashes[:NHashes] are the info hashes of a scrape, in message order
	// (duplicates kept). NHashes is 0 when "info_hash" is absent or null:
	// a scrape of every torrent (server.js:701-705).
	Hashes  [MaxScrapeHashes][20]byte
	NHashes int

	ihOK bool // InfoHash holds a valid announce info_hash (FailureInfoHash)
}

// Reset zeroes every byte of r. Parse does not need it; call it only after
// writing fields by hand, since Parse zeroes just what it knows was used.
func (r *Request) Reset() {
	*r = Request{}
}

// FailureInfoHash returns the info hash to put in a failure message about
// r, or nil to omit it: &r.InfoHash when r is an announce whose "info_hash"
// was valid (also after Parse failed on another member), nil otherwise.
// bittorrent-tracker's client drops an announce-action message whose
// info_hash is not its own (lib/client/websocket-tracker.js:231), so a
// failure reaches the user only with it. The result aliases r and is valid
// until the next Parse or Reset of r.
func (r *Request) FailureInfoHash() *[20]byte {
	if r.Action == ActionAnnounce && r.ihOK {
		return &r.InfoHash
	}
	return nil
}

// Parse decodes one message, the payload of one WebSocket text frame, into
// r. It does not allocate. Offers[i].SDP, Offers[i].IDJSON, Answer and the
// *JSON ids alias b: they are valid until b is reused, so relay or copy
// them before that. Parse retains nothing else of b.
//
// Parse is stricter than bittorrent-tracker's server
// (lib/server/parse-websocket.js) only where no real client notices: it
// rejects ids with characters above U+00FF (which that server hex-encodes
// wrongly), numbers that are not non-negative integers or null (it ignores
// all but "left"), an "answer" or offer that is not an object and an
// answer without "offer_id" (it would relay garbage), an empty "info_hash"
// array, and invalid UTF-8. Members may come in any order; unknown members are validated and
// skipped; a repeated member counts only its last occurrence, as in
// JSON.parse. Members an action does not use are validated as JSON only:
// a scrape's "peer_id" is never checked.
//
// On error Parse returns a sentinel: ErrJSON or ErrTooDeep for malformed
// input, wherever it occurs; otherwise the first that applies of ErrAction,
// then for an announce ErrInfoHash, ErrPeerID, ErrNumber, ErrEvent,
// ErrOffers, ErrOfferID (an offer's), ErrAnswer, ErrToPeerID, ErrOfferID
// (the answer's), and for a scrape ErrInfoHash, ErrTooManyHashes. After an
// error, r.Action holds the action if "action" was valid and the JSON well
// formed (ActionNone otherwise), FailureInfoHash reports the announce's
// info hash if it was valid, and every other field is zero.
func (r *Request) Parse(b []byte) error {
	oldHashes := min(max(r.NHashes, 0), MaxScrapeHashes)
	oldOffers := min(max(r.NOffers, 0), MaxOffers)
	r.clearFields()
	p := parser{b: b, r: r}
	err := p.parse()
	if err == nil {
		err = p.finish()
	}
	if err != nil {
		r.fail(&p, err)
	}
	// Zero only what this or the previous message used, not all 74 hashes.
	clear(r.Hashes[r.NHashes:max(oldHashes, p.hashesHigh)])
	clear(r.Offers[r.NOffers:max(oldOffers, p.offersHigh)])
	return err
}

// clearFields zeroes every field but the arrays Hashes and Offers, with
// Left and NumWant at their "absent" value.
func (r *Request) clearFields() {
	r.Action = ActionNone
	r.InfoHash, r.PeerID, r.ToPeerID, r.OfferID = [20]byte{}, [20]byte{}, [20]byte{}, [20]byte{}
	r.Uploaded, r.Downloaded, r.Left, r.HasLeft = 0, 0, -1, false
	r.Event, r.NumWant = EventNone, -1
	r.NOffers, r.OffersDropped, r.HasAnswer, r.Answer = 0, 0, false, nil
	r.NHashes, r.ihOK = 0, false
	r.InfoHashJSON, r.PeerIDJSON, r.OfferIDJSON = nil, nil, nil
}

// fail leaves r as Parse documents it after err: the action and the
// announce's info hash if they were valid, everything else zero.
func (r *Request) fail(p *parser, err error) {
	ih := r.InfoHash
	r.clearFields()
	if err == ErrJSON || err == ErrTooDeep {
		return
	}
	r.Action = p.action
	if p.action == ActionAnnounce && p.ih == fieldValid && !p.ihArray {
		r.InfoHash, r.ihOK = ih, true
	}
}

// fieldState is what the last occurrence of a member held.
type fieldState uint8

const (
	fieldAbsent  fieldState = iota // absent, or null where null means absent
	fieldValid                     // decoded into the Request
	fieldInvalid                   // present with a wrong type or value
)

// parser holds the state of one Parse: the message, the target, and what
// the last occurrence of each member held, for the rules that depend on the
// action, which may come last (the client puts it after its announce
// options, lib/client/websocket-tracker.js:49-53).
type parser struct {
	b []byte
	r *Request

	action                              Action
	ih, peerID, toPeerID, offerID       fieldState
	uploaded, downloaded, left, numWant fieldState
	event, offers, answer               fieldState
	ihArray                             bool  // the last "info_hash" was an array (its state in ih)
	ihErr                               error // why that array is invalid
	nHashes                             int   // entries of that array
	badOffer, badOfferID                bool  // in the last "offers"
	hashesHigh, offersHigh              int   // entries of Hashes and Offers written by this Parse
}

// The message's structure is fixed and shallow: the message object (depth
// 1); the "offers" and "info_hash" arrays and the "answer" object (2); an
// offer (3) and its "offer" object (4). MaxDepth >= 4 (scan.go), so only
// skipValue needs to count.

// parse decodes the message object, member by member, into p and p.r. It
// returns only ErrJSON or ErrTooDeep; finish checks the rest.
func (p *parser) parse() error {
	b := p.b
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ErrJSON
	}
	i, more := open(b, i, '}')
	for more {
		var buf [16]byte
		name, j, err := memberName(b, i, &buf)
		if err != nil {
			return err
		}
		if i, err = p.member(name, j); err != nil {
			return err
		}
		if i, more, err = next(b, i, '}'); err != nil {
			return err
		}
	}
	if skipWS(b, i) != len(b) {
		return ErrJSON // trailing bytes
	}
	return nil
}

// open returns the index after the '{' or '[' at b[i] and whether the
// container has members, or else the index after its closing byte.
func open(b []byte, i int, closer byte) (int, bool) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, false
	}
	return i, true
}

// next scans the whitespace and the ',' or closer after a member or element
// that ended at i, and reports whether another follows.
func next(b []byte, i int, closer byte) (int, bool, error) {
	i = skipWS(b, i)
	switch {
	case i >= len(b):
		return 0, false, ErrJSON
	case b[i] == ',':
		return i + 1, true, nil
	case b[i] == closer:
		return i + 1, false, nil
	}
	return 0, false, ErrJSON
}

// memberName scans the member name at or after i, the colon and the
// whitespace after it. It returns the name decoded for matching (see
// asciiString; nil, which matches no known name, when it cannot be short
// ASCII) and the index of the value, which is inside b.
func memberName(b []byte, i int, buf *[16]byte) (name []byte, value int, err error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '"' {
		return nil, 0, ErrJSON
	}
	end, esc, err := scanString(b, i)
	if err != nil {
		return nil, 0, err
	}
	j := skipWS(b, end)
	if j >= len(b) || b[j] != ':' {
		return nil, 0, ErrJSON
	}
	j = skipWS(b, j+1)
	if j >= len(b) {
		return nil, 0, ErrJSON
	}
	name, _ = asciiString(b[i+1:end-1], esc, buf)
	return name, j, nil
}

// element returns the index of the next array element at or after i,
// which is inside b.
func element(b []byte, i int) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) {
		return 0, ErrJSON
	}
	return i, nil
}

// member decodes the value at b[i] of the member name.
func (p *parser) member(name []byte, i int) (int, error) {
	r := p.r
	switch string(name) {
	case "action":
		return p.actionValue(i)
	case "info_hash":
		return p.infoHash(i)
	case "peer_id":
		return p.id(i, 1, &r.PeerID, &p.peerID, &r.PeerIDJSON)
	case "to_peer_id":
		return p.id(i, 1, &r.ToPeerID, &p.toPeerID, nil)
	case "offer_id":
		return p.id(i, 1, &r.OfferID, &p.offerID, &r.OfferIDJSON)
	case "uploaded":
		return p.count(i, &r.Uploaded, &p.uploaded)
	case "downloaded":
		return p.count(i, &r.Downloaded, &p.downloaded)
	case "left":
		i, err := p.count(i, &r.Left, &p.left)
		r.HasLeft = p.left == fieldValid
		if !r.HasLeft {
			r.Left = -1
		}
		return i, err
	case "numwant":
		var v int64
		i, err := p.count(i, &v, &p.numWant)
		if p.numWant == fieldValid && v > 1<<31-1 {
			p.numWant = fieldInvalid
		}
		r.NumWant = -1
		if p.numWant == fieldValid {
			r.NumWant = int(v)
		}
		return i, err
	case "event":
		return p.eventValue(i)
	case "offers":
		return p.offerList(i)
	case "answer":
		return p.rawObject(i, 1, &r.Answer, &p.answer)
	}
	return skipValue(p.b, i, 1)
}

// actionValue decodes "action": exactly "announce" or "scrape"
// (parse-websocket.js:11,39).
func (p *parser) actionValue(i int) (int, error) {
	p.action = ActionNone
	if p.b[i] != '"' {
		return skipValue(p.b, i, 1)
	}
	end, esc, err := scanString(p.b, i)
	if err != nil {
		return 0, err
	}
	var buf [16]byte
	if s, ok := asciiString(p.b[i+1:end-1], esc, &buf); ok {
		switch string(s) {
		case "announce":
			p.action = ActionAnnounce
		case "scrape":
			p.action = ActionScrape
		}
	}
	return end, nil
}

// eventValue decodes "event" (swarm.js:43-56; server.js:672 maps a falsy
// event and "empty" to "update").
func (p *parser) eventValue(i int) (int, error) {
	r := p.r
	r.Event, p.event = EventNone, fieldInvalid
	switch p.b[i] {
	case 'n':
		p.event = fieldAbsent
		return scanLiteral(p.b, i, "null")
	case '"':
	default:
		return skipValue(p.b, i, 1)
	}
	end, esc, err := scanString(p.b, i)
	if err != nil {
		return 0, err
	}
	var buf [16]byte
	if s, ok := asciiString(p.b[i+1:end-1], esc, &buf); ok {
		p.event = fieldValid
		switch string(s) {
		case "started":
			r.Event = EventStarted
		case "stopped":
			r.Event = EventStopped
		case "completed":
			r.Event = EventCompleted
		case "update", "paused", "empty", "":
		default:
			p.event = fieldInvalid
		}
	}
	return end, nil
}

// id decodes the binary-string id at b[i], in a container at depth depth,
// into dst, and sets *raw (unless raw is nil) to the string as written when
// it is valid, to nil otherwise. Anything else, null included, is invalid:
// parse-websocket.js requires typeof === 'string'.
func (p *parser) id(i, depth int, dst *[20]byte, st *fieldState, raw *[]byte) (int, error) {
	*st = fieldInvalid
	if raw != nil {
		*raw = nil
	}
	if p.b[i] != '"' {
		return skipValue(p.b, i, depth)
	}
	end, ok := decodeBinaryQuoted(dst, p.b, i)
	if !ok {
		var err error
		if end, _, err = scanString(p.b, i); err != nil {
			return 0, err
		}
		ok = decodeBinary(dst, p.b[i+1:end-1])
	}
	if ok {
		*st = fieldValid
		if raw != nil {
			*raw = p.b[i:end:end]
		}
	}
	return end, nil
}

// count decodes a non-negative integer or null at b[i] into dst. JS
// clients write any integral number below 1e21 as plain digits (ECMA-262
// Number::toString), so rejecting fractions and exponents loses no honest
// value, and NaN and Infinity arrive as null.
func (p *parser) count(i int, dst *int64, st *fieldState) (int, error) {
	*dst = 0
	switch c := p.b[i]; {
	case c == 'n':
		*st = fieldAbsent
		return scanLiteral(p.b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		end, v, isInt, err := scanNumber(p.b, i)
		if err != nil {
			return 0, err
		}
		*st = fieldInvalid
		if isInt && v >= 0 {
			*dst, *st = v, fieldValid
		}
		return end, nil
	}
	*st = fieldInvalid
	return skipValue(p.b, i, 1)
}

// infoHash decodes "info_hash": a binary string (announce or scrape) into
// r.InfoHash, or an array of them (scrape, parse-websocket.js:42-50) into
// r.Hashes.
func (p *parser) infoHash(i int) (int, error) {
	r, b := p.r, p.b
	p.ihArray, p.ihErr, p.nHashes = false, nil, 0
	r.InfoHashJSON = nil
	switch b[i] {
	case '"':
		return p.id(i, 1, &r.InfoHash, &p.ih, &r.InfoHashJSON)
	case 'n':
		p.ih = fieldAbsent
		return scanLiteral(b, i, "null")
	case '[':
	default:
		p.ih = fieldInvalid
		return skipValue(b, i, 1)
	}
	p.ihArray, p.ih = true, fieldValid
	i, more := open(b, i, ']')
	if !more {
		// The client never sends [] (websocket-tracker.js:80-82); to the
		// reference it means no hashes, not all of them.
		p.ih, p.ihErr = fieldInvalid, ErrInfoHash
		return i, nil
	}
	var spare [20]byte // decode target past MaxScrapeHashes
	n := 0
	for ; more; n++ {
		var err error
		if i, err = element(b, i); err != nil {
			return 0, err
		}
		dst := &spare
		if n < MaxScrapeHashes {
			dst = &r.Hashes[n]
			p.hashesHigh = max(p.hashesHigh, n+1)
		}
		var st fieldState
		if i, err = p.id(i, 2, dst, &st, nil); err != nil {
			return 0, err
		}
		if st != fieldValid {
			p.ih, p.ihErr = fieldInvalid, ErrInfoHash
		}
		if i, more, err = next(b, i, ']'); err != nil {
			return 0, err
		}
	}
	p.nHashes = n
	if n > MaxScrapeHashes && p.ihErr == nil {
		p.ih, p.ihErr = fieldInvalid, ErrTooManyHashes
	}
	return i, nil
}

// rawObject decodes the object at b[i], in a container at depth depth,
// into *dst as its raw bytes (capacity trimmed, so an append to it cannot
// overwrite the message). null is absent; any other value is invalid.
func (p *parser) rawObject(i, depth int, dst *[]byte, st *fieldState) (int, error) {
	*dst = nil
	switch p.b[i] {
	case '{':
		end, err := skipValue(p.b, i, depth)
		if err != nil {
			return 0, err
		}
		*dst, *st = p.b[i:end:end], fieldValid
		return end, nil
	case 'n':
		*st = fieldAbsent
		return scanLiteral(p.b, i, "null")
	}
	*st = fieldInvalid
	return skipValue(p.b, i, depth)
}

// offerList decodes "offers": null, or an array of objects
// {"offer":{..},"offer_id":".."} (built by the client at
// lib/client/websocket-tracker.js:381-384), into r.Offers.
func (p *parser) offerList(i int) (int, error) {
	r, b := p.r, p.b
	p.badOffer, p.badOfferID = false, false
	r.NOffers, r.OffersDropped = 0, 0
	switch b[i] {
	case '[':
	case 'n':
		p.offers = fieldAbsent
		return scanLiteral(b, i, "null")
	default:
		p.offers = fieldInvalid
		return skipValue(b, i, 1)
	}
	p.offers = fieldValid
	i, more := open(b, i, ']')
	var spare Offer // decode target past MaxOffers
	n := 0
	for ; more; n++ {
		var err error
		if i, err = element(b, i); err != nil {
			return 0, err
		}
		o := &spare
		if n < MaxOffers {
			o = &r.Offers[n]
			p.offersHigh = max(p.offersHigh, n+1)
		}
		if b[i] == '{' {
			i, err = p.offer(i, o)
		} else {
			p.badOffer = true
			i, err = skipValue(b, i, 2)
		}
		if err != nil {
			return 0, err
		}
		if i, more, err = next(b, i, ']'); err != nil {
			return 0, err
		}
	}
	r.NOffers = min(n, MaxOffers)
	r.OffersDropped = n - r.NOffers
	return i, nil
}

// offer decodes one element of "offers", the object at b[i], into o.
func (p *parser) offer(i int, o *Offer) (int, error) {
	b := p.b
	var idSt, offerSt fieldState
	o.ID, o.SDP, o.IDJSON = [20]byte{}, nil, nil
	i, more := open(b, i, '}')
	for more {
		var buf [16]byte
		name, j, err := memberName(b, i, &buf)
		if err != nil {
			return 0, err
		}
		switch string(name) {
		case "offer_id":
			i, err = p.id(j, 3, &o.ID, &idSt, &o.IDJSON)
		case "offer":
			i, err = p.rawObject(j, 3, &o.SDP, &offerSt)
		default:
			i, err = skipValue(b, j, 3)
		}
		if err != nil {
			return 0, err
		}
		if i, more, err = next(b, i, '}'); err != nil {
			return 0, err
		}
	}
	if offerSt != fieldValid {
		p.badOffer = true
	}
	if idSt != fieldValid {
		p.badOfferID = true
	}
	return i, nil
}

// finish applies the rules that depend on the action, in the order Parse
// documents, and zeroes the members the action does not use.
func (p *parser) finish() error {
	r := p.r
	r.Action = p.action
	switch p.action {
	case ActionAnnounce:
		r.NHashes = 0
		if p.ih != fieldValid || p.ihArray {
			return ErrInfoHash
		}
		r.ihOK = true
		if p.peerID != fieldValid {
			return ErrPeerID
		}
		if p.uploaded == fieldInvalid || p.downloaded == fieldInvalid || p.left == fieldInvalid || p.numWant == fieldInvalid {
			return ErrNumber
		}
		if p.event == fieldInvalid {
			return ErrEvent
		}
		if p.offers == fieldInvalid || p.badOffer {
			return ErrOffers
		}
		if p.badOfferID {
			return ErrOfferID
		}
		switch p.answer {
		case fieldInvalid:
			return ErrAnswer
		case fieldValid:
			// parse-websocket.js:24-29 requires to_peer_id; server.js:562
			// relays offer_id unchecked, and the offerer needs it (:294).
			if p.toPeerID != fieldValid {
				return ErrToPeerID
			}
			if p.offerID != fieldValid {
				return ErrOfferID
			}
			r.HasAnswer = true
		default:
			r.ToPeerID, r.OfferID, r.OfferIDJSON = [20]byte{}, [20]byte{}, nil
		}
		return nil
	case ActionScrape:
		switch {
		case p.ih == fieldInvalid && p.ihErr != nil:
			return p.ihErr
		case p.ih == fieldInvalid:
			return ErrInfoHash
		case p.ih == fieldValid && p.ihArray:
			r.NHashes = p.nHashes
		case p.ih == fieldValid:
			r.Hashes[0] = r.InfoHash
			p.hashesHigh = max(p.hashesHigh, 1)
			r.NHashes = 1
		}
		// A scrape uses nothing else (parse-websocket.js:39-50).
		nHashes := r.NHashes
		r.clearFields()
		r.Action, r.NHashes = ActionScrape, nHashes
		return nil
	}
	return ErrAction
}
