package httpq

import "bytes"

// Query bounds.
const (
	// MaxScrapeHashes is the most info_hash parameters one scrape may carry,
	// the same bound as the UDP scrape (BEP 15 "up to about 74") so both
	// protocols cost the same per request. It is a codec bound; the engine
	// may configure a lower one.
	MaxScrapeHashes = 74

	// MaxKey bounds the decoded announce key. BEP 3 leaves it opaque; real
	// clients send 8 hex digits (libtorrent "%08X", Transmission "%x") or 8
	// raw bytes (aria2), so 64 leaves room for odd ones without letting a
	// client make the tracker store kilobytes.
	MaxKey = 64

	// MaxTrackerID bounds the decoded trackerid, which a client echoes from a
	// previous response's "tracker id". trackerd hands out none; 64 bytes
	// covers any other tracker's ids after a tracker switch.
	MaxTrackerID = 64

	// maxParamName bounds a percent-encoded parameter name that is decoded
	// before matching. Every name ParseQuery knows is shorter; a longer
	// name cannot match and is skipped like any unknown one.
	maxParamName = 16

	// maxSmallValue bounds a percent-encoded value of a parameter whose
	// valid values are short (event, compact, no_peer_id, ip, ipv4, ipv6):
	// the longest valid one, "[" + 45-byte IPv6 + "]:65535", is 53 bytes, so
	// a value that does not fit is invalid anyway.
	maxSmallValue = 64
)

// Event is the announce event. The numbers are BEP 15's (0 none,
// 1 completed, 2 started, 3 stopped), so the engine maps UDP and HTTP events
// alike; ParseQuery returns no other value. It is a plain value, safe to
// copy and share.
type Event uint8

// Events. BEP 3 defines started, completed, stopped and empty (= none);
// BEP 21's paused is EventNone with Announce.Paused set.
const (
	// EventNone is a regular announce: no event, event=, event=empty, or
	// event=paused.
	EventNone Event = 0

	// EventCompleted is event=completed: the download just finished.
	EventCompleted Event = 1

	// EventStarted is event=started: the first announce of a download.
	EventStarted Event = 2

	// EventStopped is event=stopped: the peer leaves the swarm.
	EventStopped Event = 3
)

// Announce is a decoded BEP 3 announce query, with BEP 7 addresses and
// BEP 23 compact. It contains no slices, so it is comparable with ==. A
// caller-owned value: keep one per event loop and reuse it; never share it.
type Announce struct {
	InfoHash [20]byte
	PeerID   [20]byte
	Port     uint16 // never 0: a missing or zero port is ErrBadPort

	// Uploaded, Downloaded and Left are byte counts. A missing uploaded or
	// downloaded is 0 (they only feed statistics). HasLeft reports whether
	// left was present: a client that omits it does not say it is a seeder,
	// so the engine should treat it as a leecher (it then gets seeders and
	// leechers, the safe answer).
	Uploaded, Downloaded, Left uint64
	HasLeft                    bool

	Event Event // EventNone if absent, "", "empty" or "paused"

	// Paused reports event=paused (BEP 21): the peer is a partial seed, one
	// that has every piece it wants and will download nothing more, though
	// left > 0. libtorrent (so qBittorrent and Deluge) sends it on every
	// regular announce of a finished torrent with skipped files
	// (`if (e == event_t::none && is_finished() && !is_seed()) e = event_t::paused;`),
	// so refusing it would break a common setup. Event is then EventNone:
	// the peer stays in the swarm; the engine may count it as a seeder.
	Paused bool

	Compact  int8 // -1 if absent, else 0 or 1 (BEP 23)
	NoPeerID bool // no_peer_id present and not "0"

	// NumWant is numwant as sent, -1 if absent. Negative values other than
	// -1 are kept as given; DESIGN.md §3 has the engine answer an absent,
	// zero or negative numwant with the default.
	NumWant int32

	// Key is the decoded key, Key[:KeyLen]; the rest is zero. The engine
	// compares it across announces of one peer; it is opaque bytes.
	Key    [MaxKey]byte
	KeyLen uint8

	// IP, IPv4 and IPv6 are the BEP 3 "ip" and BEP 7 "ipv4"/"ipv6"
	// parameters as 16-byte addresses, IPv4 as ::ffff:a.b.c.d; the Has
	// flags report that a parseable value was present. IPv4Port and
	// IPv6Port are the port of an endpoint value ("1.2.3.4:6881",
	// "[2001:db8::1]:6881"), 0 if the value was a bare address (then the
	// announce's Port applies, BEP 7).
	//
	// Accepted forms (the text values of BEP 7, RFC 2732 brackets):
	// ip = IPv4 or IPv6 address; ipv4 = a.b.c.d or a.b.c.d:port;
	// ipv6 = address, [address] or [address]:port, where an IPv4-mapped
	// address is not an IPv6 one and is ignored. Addresses follow
	// net/netip.ParseAddr without zones (no leading zeros in IPv4 octets).
	// Unparseable values are ignored, never an error: clients put host
	// names and I2P destinations in "ip" (libtorrent's announce_ip), and
	// the tracker never trusts these parameters blindly anyway
	// (PROTOCOL.md): BEP 7 itself now discourages them because they let a
	// client point a swarm at a victim. libtorrent sends one ipv4/ipv6
	// parameter per address; the last parseable one wins.
	IP, IPv4, IPv6          [16]byte
	HasIP, HasIPv4, HasIPv6 bool
	IPv4Port, IPv6Port      uint16

	// TrackerID is the decoded trackerid, TrackerID[:TrackerIDLen]; the rest
	// is zero.
	TrackerID    [MaxTrackerID]byte
	TrackerIDLen uint8
}

// Bits of the required parameters seen by Announce.ParseQuery.
const (
	seenInfoHash = 1 << iota
	seenPeerID
	seenPort
)

// ParseQuery decodes the query of an announce (Request.Query) into a,
// overwriting every field. It does not allocate or retain q. On error the
// fields of a are unspecified.
//
// Decoding: q is split on '&' (never ';'); a pair without '=' has an empty
// value; names and values are percent-decoded. '+' is a literal 0x2B byte,
// not a space. Clients percent-encode every byte outside a small unreserved
// set: libtorrent's escape_string keeps only alnum and "-_.!~*()",
// Transmission's tr_urlPercentEncode alnum and "-_.~", aria2 1.36 alnum and
// '-' (the captures in testdata send byte 0x20 as %20 and 0x2B as %2B), and
// Azureus/BiglyBT runs Java's URLEncoder, then rewrites its '+' to %20 for
// trackers. So neither '+' nor ' ' occurs literally in what real clients
// send, the rule changes nothing for them, and a hand-built URL that leaves
// a 0x2B byte of a hash unescaped still gets the right hash. opentracker and
// aquatic read '+' literally too; net/url's HTML-form rule ('+' is a space)
// would only turn such a hash into a wrong one. Percent-escapes take either
// case ("%e0" from Transmission 3.00 and libtorrent, "%E0" from aria2); any
// other byte is taken literally.
//
// Parameters: unknown ones are ignored. A repeated single-valued parameter
// is checked every time and the last value wins; any invalid value is an
// error even if a later one is valid. Errors come in query order, then the
// missing-parameter checks: ErrMissingInfoHash, ErrMissingPeerID,
// ErrBadPort. info_hash and peer_id must decode to exactly 20 bytes; port
// must be 1..65535; uploaded, downloaded and left are decimal uint64;
// numwant a decimal int32; leading zeros are fine everywhere, signs are not
// (except numwant's '-'). See the Announce fields for the rest.
func (a *Announce) ParseQuery(q []byte) error {
	*a = Announce{Compact: -1, NumWant: -1}
	var seen uint8
	for len(q) > 0 {
		var nameBuf [maxParamName]byte
		name, val, rest, ok := nextParam(q, &nameBuf)
		q = rest
		if !ok {
			continue
		}
		switch string(name) {
		case "info_hash":
			if !unescape20(&a.InfoHash, val) {
				return ErrBadInfoHash
			}
			seen |= seenInfoHash
		case "peer_id":
			if !unescape20(&a.PeerID, val) {
				return ErrBadPeerID
			}
			seen |= seenPeerID
		case "port":
			p, ok := parseUint(val)
			if !ok || p == 0 || p > 65535 {
				return ErrBadPort
			}
			a.Port = uint16(p)
			seen |= seenPort
		case "uploaded":
			n, ok := parseUint(val)
			if !ok {
				return ErrBadUploaded
			}
			a.Uploaded = n
		case "downloaded":
			n, ok := parseUint(val)
			if !ok {
				return ErrBadDownloaded
			}
			a.Downloaded = n
		case "left":
			n, ok := parseUint(val)
			if !ok {
				return ErrBadLeft
			}
			a.Left, a.HasLeft = n, true
		case "event":
			var buf [maxSmallValue]byte
			v, ok := smallValue(val, &buf)
			e, paused, ok2 := eventOf(v)
			if !ok || !ok2 {
				return ErrBadEvent
			}
			a.Event, a.Paused = e, paused
		case "compact":
			var buf [maxSmallValue]byte
			v, ok := smallValue(val, &buf)
			if !ok || len(v) != 1 || (v[0] != '0' && v[0] != '1') {
				return ErrBadCompact
			}
			a.Compact = int8(v[0] - '0')
		case "no_peer_id":
			// A hint that only shapes the non-compact reply: lenient.
			var buf [maxSmallValue]byte
			v, ok := smallValue(val, &buf)
			a.NoPeerID = !ok || len(v) != 1 || v[0] != '0'
		case "numwant":
			n, ok := parseInt32(val)
			if !ok {
				return ErrBadNumWant
			}
			a.NumWant = n
		case "key":
			n, ok := unescape(a.Key[:], val)
			if !ok {
				return ErrBadKey
			}
			if n < int(a.KeyLen) { // a shorter key follows a longer one: keep Key[KeyLen:] zero
				clear(a.Key[n:a.KeyLen])
			}
			a.KeyLen = uint8(n)
		case "trackerid":
			n, ok := unescape(a.TrackerID[:], val)
			if !ok {
				return ErrBadTrackerID
			}
			if n < int(a.TrackerIDLen) {
				clear(a.TrackerID[n:a.TrackerIDLen])
			}
			a.TrackerIDLen = uint8(n)
		case "ip":
			var buf [maxSmallValue]byte
			if v, ok := smallValue(val, &buf); ok {
				if ip, ok := parseAddr(v); ok {
					a.IP, a.HasIP = ip, true
				}
			}
		case "ipv4":
			var buf [maxSmallValue]byte
			if v, ok := smallValue(val, &buf); ok {
				if ip, port, ok := parseEndpoint4(v); ok {
					a.IPv4, a.IPv4Port, a.HasIPv4 = ip, port, true
				}
			}
		case "ipv6":
			var buf [maxSmallValue]byte
			if v, ok := smallValue(val, &buf); ok {
				if ip, port, ok := parseEndpoint6(v); ok {
					a.IPv6, a.IPv6Port, a.HasIPv6 = ip, port, true
				}
			}
		}
	}
	switch {
	case seen&seenInfoHash == 0:
		return ErrMissingInfoHash
	case seen&seenPeerID == 0:
		return ErrMissingPeerID
	case seen&seenPort == 0:
		return ErrBadPort
	}
	return nil
}

// eventOf maps a decoded event value to its Event; paused reports BEP 21's
// "paused".
func eventOf(v []byte) (e Event, paused, ok bool) {
	switch string(v) {
	case "", "empty":
		return EventNone, false, true
	case "started":
		return EventStarted, false, true
	case "completed":
		return EventCompleted, false, true
	case "stopped":
		return EventStopped, false, true
	case "paused":
		return EventNone, true, true
	}
	return EventNone, false, false
}

// Scrape is a decoded BEP 48 scrape query: the info hashes in request order,
// duplicates kept (the reply's bencoded dict needs its keys sorted and
// unique; codec/bencode.AppendScrape sees to that). Only Hashes[:NHashes] are set; ParseQuery keeps the rest
// zero, so Scrapes are comparable with == (call Reset after writing fields
// by hand). A caller-owned value of about 1.5 KiB: keep one per event loop
// and reuse it; never share it.
type Scrape struct {
	Hashes  [MaxScrapeHashes][20]byte
	NHashes int
}

// Reset zeroes s.
func (s *Scrape) Reset() { *s = Scrape{} }

// ParseQuery decodes the query of a scrape (Request.Query) into s: every
// info_hash parameter, decoded as in Announce.ParseQuery, in order; other
// parameters are ignored. Zero hashes is valid here (a full scrape, which
// the engine refuses or allows by config). More than MaxScrapeHashes is
// ErrTooManyHashes, returned as soon as the extra one is seen; a value that
// is not exactly 20 bytes is ErrBadInfoHash. On error s is empty. It does
// not allocate or retain q.
//
// It zeroes only the slots the previous parse used, not all 1.5 KiB.
func (s *Scrape) ParseQuery(q []byte) error {
	old := s.NHashes
	if old < 0 || old > MaxScrapeHashes { // set by hand: clear everything
		old = MaxScrapeHashes
	}
	n := 0
	var err error
	for len(q) > 0 {
		var nameBuf [maxParamName]byte
		name, val, rest, ok := nextParam(q, &nameBuf)
		q = rest
		if !ok || string(name) != "info_hash" {
			continue
		}
		if n == MaxScrapeHashes {
			err = ErrTooManyHashes
			break
		}
		n++ // the slot is written even on error: count it for clearing
		if !unescape20(&s.Hashes[n-1], val) {
			err = ErrBadInfoHash
			break
		}
	}
	if err != nil {
		clear(s.Hashes[:max(n, old)])
		s.NHashes = 0
		return err
	}
	if old > n {
		clear(s.Hashes[n:old])
	}
	s.NHashes = n
	return nil
}

// nextParam splits the first "name=value" pair off q and returns the
// decoded name, the raw value and the rest of q after the '&'. ok is false
// for an empty name and for a name that cannot be a known one (too long
// after decoding, or a bad escape), which the callers skip like any unknown
// name. A name without '%' is returned as is; others are decoded into buf.
func nextParam(q []byte, buf *[maxParamName]byte) (name, val, rest []byte, ok bool) {
	pair := q
	if i := bytes.IndexByte(q, '&'); i >= 0 {
		pair, rest = q[:i], q[i+1:]
	}
	name = pair
	if i := bytes.IndexByte(pair, '='); i >= 0 {
		name, val = pair[:i], pair[i+1:]
	}
	if len(name) == 0 {
		return nil, nil, rest, false
	}
	if bytes.IndexByte(name, '%') >= 0 {
		n, ok := unescape(buf[:], name)
		if !ok {
			return nil, nil, rest, false
		}
		name = buf[:n]
	}
	return name, val, rest, true
}

// smallValue returns v decoded into buf. ok is false for a bad escape or a
// value longer than buf, which is invalid for every caller (see
// maxSmallValue).
func smallValue(v []byte, buf *[maxSmallValue]byte) ([]byte, bool) {
	n, ok := unescape(buf[:], v)
	return buf[:n], ok
}

// unescape percent-decodes v into dst and returns the decoded length. ok is
// false if v holds a bad escape ('%' not followed by two hex digits) or does
// not fit in dst. Every byte but '%' is copied as is, '+' included (see
// Announce.ParseQuery). Hex digits go through the unhex table: one load per
// digit and one branch per escape.
func unescape(dst, v []byte) (n int, ok bool) {
	for i := 0; i < len(v); {
		if n == len(dst) {
			return n, false
		}
		c := v[i]
		if c == '%' {
			if i+2 >= len(v) {
				return n, false
			}
			hi, lo := unhex[v[i+1]], unhex[v[i+2]]
			if hi|lo > 0x0f {
				return n, false
			}
			c = hi<<4 | lo
			i += 3
		} else {
			i++
		}
		dst[n] = c
		n++
	}
	return n, true
}

// unescape20 decodes v into dst and reports whether it is exactly 20 bytes.
func unescape20(dst *[20]byte, v []byte) bool {
	n, ok := unescape(dst[:], v)
	return ok && n == 20
}

// parseUint parses a non-empty run of decimal digits, percent-decoding as it
// goes (no client encodes digits, but the rule is the same for every value),
// with overflow check and without strconv's string conversion.
func parseUint(v []byte) (uint64, bool) {
	const cutoff, lastDigit = maxUint64 / 10, maxUint64 % 10
	if len(v) == 0 {
		return 0, false
	}
	var x uint64
	for i := 0; i < len(v); {
		c := v[i]
		if c == '%' {
			if i+2 >= len(v) {
				return 0, false
			}
			hi, lo := unhex[v[i+1]], unhex[v[i+2]]
			if hi|lo > 0x0f {
				return 0, false
			}
			c = hi<<4 | lo
			i += 3
		} else {
			i++
		}
		d := uint64(c - '0')
		if d > 9 || x > cutoff || (x == cutoff && d > lastDigit) {
			return 0, false
		}
		x = x*10 + d
	}
	return x, true
}

const maxUint64 = 1<<64 - 1

// parseInt32 parses an optional '-' (raw or %2D) and decimal digits into an
// int32.
func parseInt32(v []byte) (int32, bool) {
	neg := false
	switch {
	case len(v) > 0 && v[0] == '-':
		neg, v = true, v[1:]
	case len(v) >= 3 && v[0] == '%' && v[1] == '2' && lower[v[2]] == 'd':
		neg, v = true, v[3:]
	}
	x, ok := parseUint(v)
	switch {
	case !ok:
		return 0, false
	case neg && x <= 1<<31:
		return int32(-int64(x)), true
	case !neg && x <= 1<<31-1:
		return int32(x), true
	}
	return 0, false
}
