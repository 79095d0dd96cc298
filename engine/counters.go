package engine

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/trackerd/trackerd/codec/peerid"
)

// Counter names one per-worker event count. The metrics side sums them over
// workers by index.
type Counter int

// Counters by protocol. Keep CounterNames in step.
const (
	UDPPacketsIn      Counter = iota // datagrams read
	UDPBytesIn                       // their bytes
	UDPPacketsOut                    // datagrams sent
	UDPBytesOut                      // their bytes
	UDPConnects                      // connect requests answered
	UDPAnnounces                     // announce requests answered with peers
	UDPScrapes                       // scrape requests answered
	UDPErrorReplies                  // action-3 error replies sent
	UDPDroppedShort                  // dropped: shorter than the 16-byte header
	UDPDroppedProtoID                // dropped: connect with a wrong protocol id
	UDPBadConnID                     // refused: unknown or expired connection id
	UDPBadRequest                    // refused: malformed announce or scrape
	UDPSendErrors                    // sendmmsg / write failures
	UDPAccessRefused                 // announces and scrapes refused by the access list

	HTTPConnsOpened     // connections accepted
	HTTPConnsClosed     // connections closed, for any reason
	HTTPConnsRefused    // closed at once: over http.max_connections
	HTTPConnsTimedOut   // closed by the sweep: idle, or headers too slow
	HTTPConnsOverflowed // closed: the client did not read its responses
	HTTPBytesIn         // bytes read
	HTTPBytesOut        // bytes written
	HTTPRequests        // request heads parsed
	HTTPAnnounces       // announces answered with peers
	HTTPScrapes         // scrapes answered
	HTTPFailures        // bencoded failure reasons sent (bad query, refused)
	HTTPBadRequests     // 4xx/5xx for broken HTTP; the connection is closed
	HTTPNotFound        // 404 for unknown paths
	HTTPAccessRefused   // announces and scrapes refused by the access list

	WSUpgrades       // WebSocket connections opened (101 sent)
	WSRefused        // upgrade requests refused
	WSMessages       // data messages received
	WSAnnounces      // WebTorrent announces answered
	WSClosed         // WebSocket connections closed, for any reason
	WSScrapes        // WebTorrent scrapes answered
	WSFailures       // JSON failure reasons sent
	WSOffersRelayed  // offers delivered to another peer's connection
	WSAnswersRelayed // answers delivered to their offerer
	WSAnswersDropped // answers to unknown, stale or foreign offers
	WSRelayDropped   // relayed frames whose connection was gone or whose loop inbox was full
	WSProtocolErrors // connections closed for a protocol error (close code sent)
	WSBacklogClosed  // connections closed: their outbound backlog overflowed
	WSAccessRefused  // announces and scrapes refused by the access list
	numCounters
)

// CounterNames are the metric-friendly names of the counters, by index.
var CounterNames = [numCounters]string{
	UDPPacketsIn:      "udp_packets_in",
	UDPBytesIn:        "udp_bytes_in",
	UDPPacketsOut:     "udp_packets_out",
	UDPBytesOut:       "udp_bytes_out",
	UDPConnects:       "udp_connects",
	UDPAnnounces:      "udp_announces",
	UDPScrapes:        "udp_scrapes",
	UDPErrorReplies:   "udp_error_replies",
	UDPDroppedShort:   "udp_dropped_short",
	UDPDroppedProtoID: "udp_dropped_protocol_id",
	UDPBadConnID:      "udp_bad_connection_id",
	UDPBadRequest:     "udp_bad_request",
	UDPSendErrors:     "udp_send_errors",
	UDPAccessRefused:  "udp_access_refused",

	HTTPConnsOpened:     "http_connections_opened",
	HTTPConnsClosed:     "http_connections_closed",
	HTTPConnsRefused:    "http_connections_refused",
	HTTPConnsTimedOut:   "http_connections_timed_out",
	HTTPConnsOverflowed: "http_connections_overflowed",
	HTTPBytesIn:         "http_bytes_in",
	HTTPBytesOut:        "http_bytes_out",
	HTTPRequests:        "http_requests",
	HTTPAnnounces:       "http_announces",
	HTTPScrapes:         "http_scrapes",
	HTTPFailures:        "http_failures",
	HTTPBadRequests:     "http_bad_requests",
	HTTPNotFound:        "http_not_found",
	HTTPAccessRefused:   "http_access_refused",

	WSUpgrades:       "ws_upgrades",
	WSRefused:        "ws_upgrades_refused",
	WSMessages:       "ws_messages",
	WSAnnounces:      "ws_announces",
	WSClosed:         "ws_closed",
	WSScrapes:        "ws_scrapes",
	WSFailures:       "ws_failures",
	WSOffersRelayed:  "ws_offers_relayed",
	WSAnswersRelayed: "ws_answers_relayed",
	WSAnswersDropped: "ws_answers_dropped",
	WSRelayDropped:   "ws_relay_dropped",
	WSProtocolErrors: "ws_protocol_errors",
	WSBacklogClosed:  "ws_backlog_closed",
	WSAccessRefused:  "ws_access_refused",
}

// Family is the address family of the client a count is about, the
// second index of a counter.
type Family uint8

// Address families.
const (
	IPv4 Family = iota
	IPv6
	numFamilies
)

// FamilyNames are the metric label values of the families, by index.
var FamilyNames = [numFamilies]string{IPv4: "ipv4", IPv6: "ipv6"}

// Counters are one worker's event counts, by address family, and its
// announces by client. Each field has a single writer (its worker), so
// increments are a load and a store, not a locked add; readers use atomic
// loads and may run concurrently.
//
// The owner says which family it is counting for with setFamily, once per
// datagram or connection event; every add until the next setFamily goes to
// that family. A counter whose family means nothing (bytes, connection
// counts) is read as the sum of both.
type Counters struct {
	_       [64]byte // keep neighbouring workers' counters off one cache line
	c       [numFamilies][numCounters]atomic.Uint64
	fam     Family // owner only
	clients clientTable
	_       [64]byte
}

// add is called only by the owning worker.
func (s *Counters) add(k Counter, n uint64) {
	c := &s.c[s.fam&1][k]
	c.Store(c.Load() + n)
}

// setFamily makes the following adds count for p's family. Owner only.
func (s *Counters) setFamily(p *endpoint) {
	if p.is4() {
		s.fam = IPv4
	} else {
		s.fam = IPv6
	}
}

// Load returns the current value of k, both families. Safe for concurrent
// use.
func (s *Counters) Load(k Counter) uint64 { return s.c[IPv4][k].Load() + s.c[IPv6][k].Load() }

// LoadFamily returns the current value of k for family f. Safe for
// concurrent use.
func (s *Counters) LoadFamily(f Family, k Counter) uint64 { return s.c[f][k].Load() }

// clientSlots is the size of a worker's table of announces by client: a
// power of two, filled to at most three quarters. Real traffic shows a few
// dozen client versions; the rarest beyond the table are counted as other.
const (
	clientSlots  = 256
	clientProbes = 8
)

// clientTable counts announces by peer_id prefix (peerid.Prefix) in an
// open-addressing table that never allocates or shrinks. Single writer (the
// worker); readers load a slot's count first and skip slots at 0, so the
// key they then load is complete.
type clientTable struct {
	keys  [clientSlots][2]atomic.Uint64 // prefix bytes 0-7 and 8-11
	n     [clientSlots]atomic.Uint64
	used  int // owner only
	other atomic.Uint64
}

// count adds one announce by the client of id. Owner only; no allocation.
func (t *clientTable) count(id *[20]byte) {
	p := peerid.Prefix(id[:])
	k0 := binary.LittleEndian.Uint64(p[0:8])
	k1 := uint64(binary.LittleEndian.Uint32(p[8:12]))
	i := (k0 ^ k1*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9 >> 56 // top 8 bits: clientSlots
	for range clientProbes {
		s := i % clientSlots
		switch n := t.n[s].Load(); {
		case n == 0:
			if t.used >= clientSlots*3/4 {
				t.other.Store(t.other.Load() + 1)
				return
			}
			t.keys[s][0].Store(k0)
			t.keys[s][1].Store(k1)
			t.n[s].Store(1) // after the key: readers skip slots at 0
			t.used++
			return
		case t.keys[s][0].Load() == k0 && t.keys[s][1].Load() == k1:
			t.n[s].Store(n + 1)
			return
		}
		i++
	}
	t.other.Store(t.other.Load() + 1)
}

// each calls f with every client prefix counted and its count, then other
// with the announces not kept by prefix. Safe for concurrent use with
// count.
func (t *clientTable) each(f func(p [peerid.PrefixLen]byte, n uint64)) (other uint64) {
	for s := range t.n {
		n := t.n[s].Load()
		if n == 0 {
			continue
		}
		var p [peerid.PrefixLen]byte
		binary.LittleEndian.PutUint64(p[0:8], t.keys[s][0].Load())
		binary.LittleEndian.PutUint32(p[8:12], uint32(t.keys[s][1].Load()))
		f(p, n)
	}
	return t.other.Load()
}
