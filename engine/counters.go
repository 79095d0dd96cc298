package engine

import "sync/atomic"

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

// Counters are one worker's event counts. Each field has a single writer
// (its worker), so increments are a load and a store, not a locked add;
// readers use atomic loads and may run concurrently.
type Counters struct {
	_ [64]byte // keep neighbouring workers' counters off one cache line
	c [numCounters]atomic.Uint64
	_ [64]byte
}

// add is called only by the owning worker.
func (s *Counters) add(k Counter, n uint64) { s.c[k].Store(s.c[k].Load() + n) }

// Load returns the current value of k. Safe for concurrent use.
func (s *Counters) Load(k Counter) uint64 { return s.c[k].Load() }
