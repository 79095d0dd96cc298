package bench

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// parseWT decodes and validates b into m and says what kind of message it
// is. For wtInvalid, why says what is wrong; for wtFailure, it is the reason.
//
// It reads the JSON itself: encoding/json took 40% of the generator's CPU,
// and the WebSocket rows of make bench are generator-bound. The rules are
// those of a browser's JSON.parse: keys match exactly, the last of
// duplicate keys wins, and null is as good as absent. FuzzParseWT holds it
// to the same answers as encoding/json with those rules.
func parseWT(b []byte, m *wtMessage) (kind wtKind, why string) {
	buf, known := m.buf, m.Known
	*m = wtMessage{buf: buf, Known: known}
	s := jsonScan{b: b, buf: buf, known: known}
	defer func() { m.buf = s.buf }()

	var f wtFields
	switch ok, isNull := s.message(&f); {
	case !ok:
		return wtInvalid, whyWTJSON
	case isNull: // no fields at all
		return wtInvalid, whyWTAction
	}
	if f.failure.set {
		return wtFailure, f.failure.v
	}
	if !f.announce {
		return wtInvalid, whyWTAction
	}
	if !f.infoHash.ok {
		return wtInvalid, whyWTInfoHash
	}
	m.InfoHash, m.InfoHashJSON = f.infoHash.v, f.infoHash.raw
	switch {
	case f.offer.set || f.answer.set:
		if !f.peerID.ok {
			return wtInvalid, whyWTPeerID
		}
		if !f.offerID.ok {
			return wtInvalid, whyWTOfferID
		}
		m.PeerID, m.OfferID = f.peerID.v, f.offerID.v
		m.PeerIDJSON, m.OfferIDJSON = f.peerID.raw, f.offerID.raw
		session, kind := f.offer, wtOffer
		if !f.offer.set {
			session, kind = f.answer, wtAnswer
		}
		if !session.valid {
			return wtInvalid, whyWTSession
		}
		return kind, ""
	case !f.complete.set || !f.incomplete.set || !f.interval.set ||
		f.complete.v < 0 || f.incomplete.v < 0 || f.interval.v <= 0:
		return wtInvalid, whyWTCounts
	}
	m.Complete, m.Incomplete, m.Interval = f.complete.v, f.incomplete.v, f.interval.v
	return wtAnnounceReply, ""
}

// wtFields are the fields of one message as parseWT reads them.
type wtFields struct {
	announce                  bool // action is "announce"
	infoHash, peerID, offerID bin20Field
	offer, answer             sessionField
	failure                   stringField
	complete, incomplete      intField
	interval                  intField
}

type bin20Field struct {
	v   [20]byte
	ok  bool   // a 20-character binary string
	raw []byte // then, the string as the message writes it, quotes included
}

type sessionField struct {
	set   bool
	valid bool // an object with its type and an sdp (see session)
}

type stringField struct {
	v   string
	set bool
}

type intField struct {
	v   int64
	set bool
}

// jsonMaxDepth is encoding/json's nesting limit.
const jsonMaxDepth = 10000

// jsonScan reads one JSON text. buf holds decoded strings.
type jsonScan struct {
	b     []byte
	i     int
	depth int
	buf   []byte
	known *wtKnown // info hashes recognised as written; may be nil
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// The keys parseWT reads, by index in messageKeys and sessionKeys.
const (
	wtKeyAction = iota
	wtKeyInfoHash
	wtKeyPeerID
	wtKeyOfferID
	wtKeyOffer
	wtKeyAnswer
	wtKeyFailure
	wtKeyComplete
	wtKeyIncomplete
	wtKeyInterval
)

var (
	messageKeys = [...]string{wtKeyAction: "action", wtKeyInfoHash: "info_hash", wtKeyPeerID: "peer_id",
		wtKeyOfferID: "offer_id", wtKeyOffer: "offer", wtKeyAnswer: "answer", wtKeyFailure: "failure reason",
		wtKeyComplete: "complete", wtKeyIncomplete: "incomplete", wtKeyInterval: "interval"}
	sessionKeys = [...]string{"type", "sdp"}
)

// message reads the whole text as a message into f: an object, or null.
func (s *jsonScan) message(f *wtFields) (ok, isNull bool) {
	s.ws()
	if s.literal("null") {
		s.ws()
		return s.i == len(s.b), true
	}
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false, false // not JSON, or not an object
	}
	// A value of the wrong type fails the message unless a later value of
	// the same key replaces it (the last one wins).
	var typeErr [len(messageKeys)]bool
	ok = s.object(messageKeys[:], func(k int) bool {
		switch k {
		case wtKeyAction:
			v, isStr, isNull, ok := s.stringValue()
			f.announce = isStr && string(v) == "announce"
			typeErr[k] = !isStr && !isNull
			return ok
		case wtKeyInfoHash:
			if s.knownInfoHash(&f.infoHash) {
				typeErr[k] = false
				return true
			}
			return s.bin20Value(&f.infoHash, &typeErr[k])
		case wtKeyPeerID:
			return s.bin20Value(&f.peerID, &typeErr[k])
		case wtKeyOfferID:
			return s.bin20Value(&f.offerID, &typeErr[k])
		case wtKeyOffer:
			// An offer of null is still an offer: an invalid one.
			valid, ok := s.session("offer")
			f.offer = sessionField{set: true, valid: valid}
			return ok
		case wtKeyAnswer:
			valid, ok := s.session("answer")
			f.answer = sessionField{set: true, valid: valid}
			return ok
		case wtKeyFailure:
			v, isStr, isNull, ok := s.stringValue()
			f.failure = stringField{}
			if isStr {
				f.failure = stringField{v: string(v), set: true}
			}
			typeErr[k] = !isStr && !isNull
			return ok
		case wtKeyComplete:
			return s.intValue(&f.complete, &typeErr[k])
		case wtKeyIncomplete:
			return s.intValue(&f.incomplete, &typeErr[k])
		case wtKeyInterval:
			return s.intValue(&f.interval, &typeErr[k])
		}
		return s.skip()
	})
	if !ok {
		return false, false
	}
	s.ws()
	return s.i == len(s.b) && typeErr == [len(messageKeys)]bool{}, false
}

// session reads the value at s.i, an offer's or an answer's, and reports
// whether it is an object with "type" want and a string "sdp"; ok is false
// when the value is not JSON.
func (s *jsonScan) session(want string) (valid, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false, s.skip()
	}
	var typeOK, sdp bool
	var bad [len(sessionKeys)]bool // as in message: the last value counts
	ok = s.object(sessionKeys[:], func(k int) bool {
		if k < 0 {
			return s.skip()
		}
		var v []byte
		var isStr, isNull, ok bool
		if k == 0 { // type
			v, isStr, isNull, ok = s.stringValue()
			typeOK = isStr && string(v) == want
		} else { // sdp: only its type matters, so it is checked, not copied
			isStr, isNull, ok = s.skipStringValue()
			sdp = isStr
		}
		bad[k] = !isStr && !isNull
		return ok
	})
	return ok && bad == [len(sessionKeys)]bool{} && typeOK && sdp, ok
}

// object reads an object at s.i, calling value for each member with the
// index of its key in keys (-1 for others) and s.i at the member's value;
// value must read it.
func (s *jsonScan) object(keys []string, value func(k int) bool) bool {
	if empty, ok := s.enter('}'); empty || !ok {
		return ok
	}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		k, ok := s.key(keys)
		if !ok {
			return false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		if !value(k) {
			return false
		}
		if more, ok := s.next('}'); !more || !ok {
			return ok
		}
	}
}

// key reads the key at s.i and returns its index in keys, -1 for others.
// A key written as it is, as trackers write theirs, is matched in place:
// the byte after each name's length must be the closing quote.
func (s *jsonScan) key(keys []string) (int, bool) {
	rest := s.b[s.i+1:]
	for j, name := range keys {
		if len(rest) > len(name) && rest[len(name)] == '"' && string(rest[:len(name)]) == name {
			s.i += len(name) + 2
			return j, true
		}
	}
	key, ok := s.plainStr()
	if !ok {
		if key, ok = s.str(); !ok {
			return 0, false
		}
	}
	for j, name := range keys {
		if string(key) == name {
			return j, true
		}
	}
	return -1, true
}

// plainStr returns the string at s.i as it is, without copying, when it is
// all printable ASCII without escapes (every key the tracker sends), and
// moves past it; otherwise it reports false and leaves s as it was.
func (s *jsonScan) plainStr() ([]byte, bool) {
	j := s.i + 1
	for j+8 <= len(s.b) {
		if m := notPlain8(binary.LittleEndian.Uint64(s.b[j:])); m != 0 {
			j += bits.TrailingZeros64(m) >> 3
			break
		}
		j += 8
	}
	for ; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i+1 : j]
			s.i = j + 1
			return v, true
		case c < 0x20 || c >= utf8.RuneSelf || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// skipStringValue reads any value, reporting whether it is a string or
// null; a string is validated as str would decode it, but not copied.
func (s *jsonScan) skipStringValue() (isStr, isNull, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		start := s.i
		ok = s.skip()
		return false, ok && string(s.b[start:s.i]) == "null", ok
	}
	for j := s.i + 1; j < len(s.b); {
		for j+8 <= len(s.b) {
			if m := notPlain8(binary.LittleEndian.Uint64(s.b[j:])); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= len(s.b) {
			break
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return true, false, true
		case c == '\\':
			if j+1 >= len(s.b) {
				return true, false, false
			}
			switch e := s.b[j+1]; {
			case shortEscape[e] != 0:
				j += 2
			case e == 'u':
				if _, ok := hex4(s.b[j+2:]); !ok {
					return true, false, false
				}
				j += 6
			default:
				return true, false, false
			}
		case c < 0x20:
			return true, false, false
		default: // ASCII, or UTF-8 (bad bytes decode to U+FFFD: still a string)
			j++
		}
	}
	return true, false, false
}

// stringValue reads any value: a string is returned decoded.
func (s *jsonScan) stringValue() (v []byte, isStr, isNull, ok bool) {
	if s.i < len(s.b) && s.b[s.i] == '"' {
		if v, ok = s.plainStr(); ok {
			return v, true, false, true
		}
		v, ok = s.str()
		return v, true, false, ok
	}
	start := s.i
	ok = s.skip()
	return nil, false, ok && string(s.b[start:s.i]) == "null", ok
}

// knownInfoHash reads the string at s.i when it is one of s.known as
// written, and moves past it; otherwise it reports false.
func (s *jsonScan) knownInfoHash(f *bin20Field) bool {
	rest := s.b[s.i:]
	if s.known == nil || len(rest) < 8 {
		return false
	}
	head := binary.LittleEndian.Uint64(rest)
	for j, js := range s.known.json {
		if s.known.head[j] == head && bytes.HasPrefix(rest, js) {
			*f = bin20Field{v: s.known.ids[j], ok: true, raw: rest[:len(js)]}
			s.i += len(js)
			return true
		}
	}
	return false
}

func (s *jsonScan) bin20Value(f *bin20Field, typeErr *bool) bool {
	start := s.i
	if s.bin20Fast(f) {
		f.raw = s.b[start:s.i]
		*typeErr = false
		return true
	}
	v, isStr, isNull, ok := s.stringValue()
	*f = bin20Field{}
	*typeErr = !isStr && !isNull
	if isStr {
		n := 0
		for len(v) > 0 && n <= 20 {
			r, size := rune(v[0]), 1
			switch {
			case r < utf8.RuneSelf:
			case (r == 0xc2 || r == 0xc3) && len(v) > 1 && v[1]&0xc0 == 0x80:
				r, size = (r&0x1f)<<6|rune(v[1]&0x3f), 2 // U+0080-U+00FF
			default:
				return ok // above U+00FF, or U+FFFD for bad UTF-8
			}
			if n < 20 {
				f.v[n] = byte(r)
			}
			n++
			v = v[size:]
		}
		f.ok = n == 20 && len(v) == 0
		if f.ok {
			f.raw = s.b[start:s.i]
		}
	}
	return ok
}

// bin20Fast decodes a string of exactly 20 characters U+0000-U+00FF
// written as printable ASCII, 2-byte UTF-8 or escapes, as trackers write
// binary strings, straight into f, and moves past it. For anything else it
// reports false and leaves s as it was, for the general path.
//
// A binary id is random bytes: half of its characters take one byte and
// half two, at random, which a branch per character mispredicts half the
// time (BenchmarkWSPeerHandle, whose ids differ from message to message).
// Here one or two is computed from the first byte's top bit, and only
// escapes, one character in eight, take a branch; what is not a binary
// character is collected in bad and checked once at the end.
func (s *jsonScan) bin20Fast(f *bin20Field) bool {
	b, i := s.b, s.i
	if i >= len(b) || b[i] != '"' {
		return false
	}
	i++
	var v [20]byte
	var bad byte
	for n := range v {
		if i+1 >= len(b) { // a whole string has its closing quote still to come
			return false
		}
		c, c1 := b[i], b[i+1]
		if c == '\\' {
			if c1 == 'u' {
				if i+5 >= len(b) || b[i+2] != '0' || b[i+3] != '0' {
					return false
				}
				hi, lo := unhexDigit(b[i+4]), unhexDigit(b[i+5])
				if hi > 15 || lo > 15 {
					return false
				}
				v[n] = hi<<4 | lo
				i += 6
				continue
			}
			if shortEscape[c1] == 0 {
				return false
			}
			v[n] = shortEscape[c1] &^ 0x80
			i += 2
			continue
		}
		two := -(c >> 7) // 0xff for the first of two bytes, else 0
		bad |= notBinLead[c] | (c1&0xc0^0x80)&two
		v[n] = c ^ (c^(c<<6|c1&0x3f))&two
		i += 1 + int(c>>7)
	}
	if bad != 0 || i >= len(b) || b[i] != '"' {
		return false
	}
	f.v, f.ok = v, true
	s.i = i + 1
	return true
}

// notBinLead is 0 for the bytes a character of a binary string starts
// with, unescaped: printable ASCII but '"' (and '\\', an escape), and 0xc2
// and 0xc3, the first byte of U+0080-U+00FF.
var notBinLead = func() (t [256]byte) {
	for c := range t {
		if !(c >= 0x20 && c < 0x80 && c != '"' || c == 0xc2 || c == 0xc3) {
			t[c] = 1
		}
	}
	return t
}()

// shortEscape maps the letter of a two-character JSON escape to its byte,
// with 0x80 set so that 0 means no such escape (every such byte is below 0x80).
var shortEscape = [256]byte{'"': 0x80 | '"', '\\': 0x80 | '\\', '/': 0x80 | '/',
	'b': 0x80 | '\b', 'f': 0x80 | '\f', 'n': 0x80 | '\n', 'r': 0x80 | '\r', 't': 0x80 | '\t'}

// unhexDigit returns the value of hex digit c, or 0xff.
func unhexDigit(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

// intValue reads a value for an int64 field: an integer, or null.
func (s *jsonScan) intValue(f *intField, typeErr *bool) bool {
	start := s.i
	if !s.skip() {
		return false
	}
	raw := string(s.b[start:s.i])
	*f = intField{}
	*typeErr = false
	if raw == "null" {
		return true
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		*typeErr = true // a string, a fraction, an exponent, out of range
		return true
	}
	*f = intField{v: v, set: true}
	return true
}

// skip reads one value of any kind.
func (s *jsonScan) skip() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(nil, func(int) bool { return s.skip() })
	case c == '[':
		return s.array()
	case c == '"':
		_, _, ok := s.skipStringValue()
		return ok
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return s.literal("true") || s.literal("false") || s.literal("null")
}

// enter steps into the object or array at s.i, whose closing bracket is
// closer; empty reports that it closed at once.
func (s *jsonScan) enter(closer byte) (empty, ok bool) {
	if s.depth++; s.depth > jsonMaxDepth {
		return false, false
	}
	s.i++ // '{' or '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == closer {
		s.i++
		s.depth--
		return true, true
	}
	return false, true
}

// next moves past the ',' or the closer after a member or an element;
// more reports a ','.
func (s *jsonScan) next(closer byte) (more, ok bool) {
	s.ws()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, true
	case closer:
		s.i++
		s.depth--
		return false, true
	}
	return false, false
}

func (s *jsonScan) array() bool {
	if empty, ok := s.enter(']'); empty || !ok {
		return ok
	}
	for {
		s.ws()
		if !s.skip() {
			return false
		}
		if more, ok := s.next(']'); !more || !ok {
			return ok
		}
	}
}

func (s *jsonScan) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// number reads a JSON number (RFC 8259 §6).
func (s *jsonScan) number() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// str reads a string at s.i and returns it decoded (in s.buf) as
// encoding/json decodes it: bad UTF-8 and lone surrogates become U+FFFD.
func (s *jsonScan) str() ([]byte, bool) {
	s.i++ // '"'
	s.buf = s.buf[:0]
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.buf, true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return nil, false
			}
			e := s.b[s.i+1]
			s.i += 2
			switch e {
			case '"', '\\', '/':
				s.buf = append(s.buf, e)
			case 'b':
				s.buf = append(s.buf, '\b')
			case 'f':
				s.buf = append(s.buf, '\f')
			case 'n':
				s.buf = append(s.buf, '\n')
			case 'r':
				s.buf = append(s.buf, '\r')
			case 't':
				s.buf = append(s.buf, '\t')
			case 'u':
				r, ok := hex4(s.b[s.i:])
				if !ok {
					return nil, false
				}
				s.i += 4
				if utf16.IsSurrogate(r) { // a pair, or U+FFFD
					hi := r
					r = utf8.RuneError
					if len(s.b)-s.i >= 6 && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
						if lo, ok := hex4(s.b[s.i+2:]); ok {
							if dec := utf16.DecodeRune(hi, lo); dec != utf8.RuneError {
								r = dec
								s.i += 6
							}
						}
					}
				}
				s.buf = utf8.AppendRune(s.buf, r)
			default:
				return nil, false
			}
		case c < 0x20:
			return nil, false
		case c < utf8.RuneSelf:
			// A run of plain ASCII is copied as it is.
			j := s.i + 1
			for j+8 <= len(s.b) && notPlain8(binary.LittleEndian.Uint64(s.b[j:])) == 0 {
				j += 8
			}
			for j < len(s.b) && s.b[j] >= 0x20 && s.b[j] < utf8.RuneSelf && s.b[j] != '"' && s.b[j] != '\\' {
				j++
			}
			if j-s.i < 8 { // binary strings: short runs between 2-byte characters
				for ; s.i < j; s.i++ {
					s.buf = append(s.buf, s.b[s.i])
				}
			} else {
				s.buf = append(s.buf, s.b[s.i:j]...)
				s.i = j
			}
		case c >= 0xc2 && c <= 0xdf && s.i+1 < len(s.b) && s.b[s.i+1]&0xc0 == 0x80:
			s.buf = append(s.buf, c, s.b[s.i+1]) // U+0080-U+07FF, binary characters among them
			s.i += 2
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				s.buf = utf8.AppendRune(s.buf, r) // U+FFFD for a bad byte
			} else {
				s.buf = append(s.buf, s.b[s.i:s.i+size]...) // valid UTF-8 decodes to itself
			}
			s.i += size
		}
	}
	return nil, false
}

// notPlain8 flags with its top bit each of the 8 bytes of w that is below
// 0x20, '"', '\\' or 0x80 and above: the usual SWAR tests for a zero byte
// and a byte below n, which flag the lowest such byte exactly (a borrow
// flags only bytes above it).
func notPlain8(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ones*'"'
	s := w ^ ones*'\\'
	return ((w - ones*0x20) | (q - ones) | (s - ones) | w) & highs
}

// hex4 decodes four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		d := unhexDigit(c)
		if d > 15 {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
