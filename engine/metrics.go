package engine

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are read at scrape time from the workers' Counters, the swarm
// tables and the janitor's timers: nothing on the request path calls the
// Prometheus client. docs/metrics.md lists every metric.

func newDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// Metrics fed by counters. A counter with a family label is exported per
// family; the others sum both.
var (
	descRequests = newDesc("trackerd_requests_total",
		"Requests answered with a result, by protocol, action and client address family.",
		"protocol", "action", "family")
	descRequestErrors = newDesc("trackerd_request_errors_total",
		"Requests refused, answered with an error, or dropped, by protocol, reason and client address family.",
		"protocol", "reason", "family")
	descUDPErrorReplies = newDesc("trackerd_udp_error_replies_total",
		"BEP 15 error replies sent.", "family")
	descUDPReceived = newDesc("trackerd_udp_received_packets_total",
		"UDP datagrams received.", "family")
	descUDPSent = newDesc("trackerd_udp_sent_packets_total",
		"UDP datagrams sent.", "family")
	descUDPSendErrors = newDesc("trackerd_udp_send_errors_total",
		"Failed UDP sends (sendmmsg or write errors).")
	descReceivedBytes = newDesc("trackerd_received_bytes_total",
		"Bytes received; http includes WebSocket frames.", "protocol")
	descSentBytes = newDesc("trackerd_sent_bytes_total",
		"Bytes sent; http includes WebSocket frames.", "protocol")
	descConnsOpened = newDesc("trackerd_connections_opened_total",
		"TCP connections accepted (http), and of them upgraded to WebSocket (ws).", "protocol")
	descConnsClosed = newDesc("trackerd_connections_closed_total",
		"Connections closed for any reason (http counts every TCP connection, ws the WebSocket ones).", "protocol")
	descConnsRefused = newDesc("trackerd_connections_refused_total",
		"TCP connections closed at once: over http.max_connections.", "protocol")
	descConnsDropped = newDesc("trackerd_connections_dropped_total",
		"Connections closed by trackerd, by reason.", "reason")
	descWSMessages = newDesc("trackerd_ws_messages_total",
		"WebSocket data messages received.", "family")
	descWSOffersRelayed = newDesc("trackerd_ws_offers_relayed_total",
		"WebRTC offers delivered to another peer's connection.")
	descAccessRefused = newDesc("trackerd_access_refused_total",
		"Announces and scrapes refused by the access list, by protocol and client address family. The refusal is a failure reply, so http and ws refusals also count in trackerd_request_errors_total{reason=\"failure_reason\"}.",
		"protocol", "family")
	descWSRelayDropped = newDesc("trackerd_ws_relays_dropped_total",
		"Relayed offers and answers dropped: the connection was gone or its loop's inbox full.")
)

// counterRow exports one counter as one sample, or one per family. The
// label values are those of desc, family excluded (it comes last).
type counterRow struct {
	counter  Counter
	desc     *prometheus.Desc
	byFamily bool
	labels   []string
}

func row(c Counter, d *prometheus.Desc, labels ...string) counterRow {
	return counterRow{counter: c, desc: d, labels: labels}
}

func famRow(c Counter, d *prometheus.Desc, labels ...string) counterRow {
	return counterRow{counter: c, desc: d, byFamily: true, labels: labels}
}

// counterRows maps every counter to its metric: a new counter is one row
// here (TestCounterRows checks that none is missing).
var counterRows = []counterRow{
	famRow(UDPConnects, descRequests, "udp", "connect"),
	famRow(UDPAnnounces, descRequests, "udp", "announce"),
	famRow(UDPScrapes, descRequests, "udp", "scrape"),
	famRow(HTTPAnnounces, descRequests, "http", "announce"),
	famRow(HTTPScrapes, descRequests, "http", "scrape"),
	famRow(WSAnnounces, descRequests, "ws", "announce"),
	famRow(WSScrapes, descRequests, "ws", "scrape"),
	famRow(WSAnswersRelayed, descRequests, "ws", "answer"),

	famRow(UDPDroppedShort, descRequestErrors, "udp", "short_packet"),
	famRow(UDPDroppedProtoID, descRequestErrors, "udp", "bad_protocol_id"),
	famRow(UDPBadConnID, descRequestErrors, "udp", "bad_connection_id"),
	famRow(UDPBadRequest, descRequestErrors, "udp", "malformed"),
	famRow(HTTPFailures, descRequestErrors, "http", "failure_reason"),
	famRow(HTTPBadRequests, descRequestErrors, "http", "bad_http"),
	famRow(HTTPNotFound, descRequestErrors, "http", "not_found"),
	famRow(WSRefused, descRequestErrors, "ws", "upgrade_refused"),
	famRow(WSFailures, descRequestErrors, "ws", "failure_reason"),
	famRow(WSProtocolErrors, descRequestErrors, "ws", "protocol_error"),
	famRow(WSAnswersDropped, descRequestErrors, "ws", "answer_not_routed"),

	famRow(UDPAccessRefused, descAccessRefused, "udp"),
	famRow(HTTPAccessRefused, descAccessRefused, "http"),
	famRow(WSAccessRefused, descAccessRefused, "ws"),

	famRow(UDPErrorReplies, descUDPErrorReplies),
	famRow(UDPPacketsIn, descUDPReceived),
	famRow(UDPPacketsOut, descUDPSent),
	row(UDPSendErrors, descUDPSendErrors),
	row(UDPBytesIn, descReceivedBytes, "udp"),
	row(UDPBytesOut, descSentBytes, "udp"),
	row(HTTPBytesIn, descReceivedBytes, "http"),
	row(HTTPBytesOut, descSentBytes, "http"),

	row(HTTPConnsOpened, descConnsOpened, "http"),
	row(WSUpgrades, descConnsOpened, "ws"),
	row(HTTPConnsClosed, descConnsClosed, "http"),
	row(WSClosed, descConnsClosed, "ws"),
	row(HTTPConnsRefused, descConnsRefused, "http"),
	row(HTTPConnsTimedOut, descConnsDropped, "timeout"),
	row(HTTPConnsOverflowed, descConnsDropped, "send_backlog"),
	row(WSBacklogClosed, descConnsDropped, "ws_relay_backlog"),

	famRow(HTTPRequests, descHTTPRequests),
	famRow(WSMessages, descWSMessages),
	row(WSOffersRelayed, descWSOffersRelayed),
	row(WSRelayDropped, descWSRelayDropped),
}

var descHTTPRequests = newDesc("trackerd_http_requests_total",
	"HTTP request heads parsed, whatever their path.", "family")

// Metrics computed from engine and swarm state at scrape time.
var (
	descOpenConns = newDesc("trackerd_open_connections",
		"Open connections: plain HTTP (http) and WebSocket (ws).", "protocol")
	descTorrents = newDesc("trackerd_torrents",
		"Torrents in the swarm tables: IP peers (ip) and WebTorrent peers (webrtc).", "table")
	descPeers = newDesc("trackerd_peers",
		"IP peers (UDP and HTTP announces) by address family and role.", "family", "role")
	descRTCPeers = newDesc("trackerd_webrtc_peers",
		"WebTorrent peers by role.", "role")
	descRTCOffers = newDesc("trackerd_webrtc_pending_offers",
		"WebRTC offers waiting for an answer.")
	descRTCOffersEvicted = newDesc("trackerd_webrtc_offers_evicted_total",
		"Pending offers pushed out by newer ones of the same peer.")
	descCleanSeconds = newDesc("trackerd_clean_duration_seconds",
		"Duration of one janitor step over a swarm table.", "table")
	descExpired = newDesc("trackerd_expired_peers_total",
		"Peers removed by the janitor because they stopped announcing.", "table")
	descUptime = newDesc("trackerd_start_time_seconds",
		"When the engine started, in Unix seconds.")
)

// collector is the engine's prometheus.Collector.
type collector struct{ e *Engine }

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	seen := map[*prometheus.Desc]bool{}
	for _, r := range counterRows {
		if !seen[r.desc] {
			seen[r.desc] = true
			ch <- r.desc
		}
	}
	for _, d := range []*prometheus.Desc{descOpenConns, descTorrents, descPeers, descRTCPeers,
		descRTCOffers, descRTCOffersEvicted, descCleanSeconds, descExpired, descUptime} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It sums the workers' counters
// and takes each swarm shard lock in turn (Table.Stats).
func (c collector) Collect(ch chan<- prometheus.Metric) {
	e := c.e
	var sums [numFamilies][numCounters]uint64
	for _, w := range e.workerCounters() {
		for f := range numFamilies {
			for k := range numCounters {
				sums[f][k] += w.LoadFamily(f, k)
			}
		}
	}
	total := func(k Counter) uint64 { return sums[IPv4][k] + sums[IPv6][k] }
	for _, r := range counterRows {
		if !r.byFamily {
			ch <- prometheus.MustNewConstMetric(r.desc, prometheus.CounterValue, float64(total(r.counter)), r.labels...)
			continue
		}
		for f := range numFamilies {
			labels := append(append(make([]string, 0, len(r.labels)+1), r.labels...), FamilyNames[f])
			ch <- prometheus.MustNewConstMetric(r.desc, prometheus.CounterValue, float64(sums[f][r.counter]), labels...)
		}
	}

	ws := diff(total(WSUpgrades), total(WSClosed))
	ch <- prometheus.MustNewConstMetric(descOpenConns, prometheus.GaugeValue,
		float64(diff(diff(total(HTTPConnsOpened), total(HTTPConnsClosed)), ws)), "http")
	ch <- prometheus.MustNewConstMetric(descOpenConns, prometheus.GaugeValue, float64(ws), "ws")

	st := e.table.Stats()
	gauge := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	gauge(descTorrents, st.Torrents, "ip")
	gauge(descPeers, st.Seeders4, "ipv4", "seeder")
	gauge(descPeers, st.Leechers4, "ipv4", "leecher")
	gauge(descPeers, st.Seeders6, "ipv6", "seeder")
	gauge(descPeers, st.Leechers6, "ipv6", "leecher")
	if e.rtc != nil {
		rs := e.rtc.Stats()
		gauge(descTorrents, rs.Torrents, "webrtc")
		gauge(descRTCPeers, rs.Seeders, "seeder")
		gauge(descRTCPeers, rs.Leechers, "leecher")
		gauge(descRTCOffers, rs.Offers)
		ch <- prometheus.MustNewConstMetric(descRTCOffersEvicted, prometheus.CounterValue, float64(rs.OffersDropped))
		e.cleanRTC.collect(ch, "webrtc")
	}
	e.cleanIP.collect(ch, "ip")
	ch <- prometheus.MustNewConstMetric(descUptime, prometheus.GaugeValue, float64(e.startedAt.UnixNano())/1e9)
}

// diff is a - b, or 0: counters read one after the other may be out of
// step for a moment.
func diff(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// newRegistry returns the registry /metrics serves: the engine's collector
// and the Go runtime and process collectors.
func (e *Engine) newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collector{e},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// cleanBuckets are the upper bounds, in seconds, of the janitor step
// histogram: a step sweeps a bounded number of torrents and should take
// well under its 100 ms period.
var cleanBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

// cleanTimer is a histogram of janitor step durations and a count of the
// peers they expired. Single writer (the janitor); read at scrape time.
type cleanTimer struct {
	buckets  [len(cleanBuckets)]atomic.Uint64 // not cumulative
	count    atomic.Uint64
	sumNanos atomic.Uint64
	expired  atomic.Uint64
}

// observe records one step. Janitor only.
func (t *cleanTimer) observe(d time.Duration, expired int) {
	for i, b := range cleanBuckets {
		if d.Seconds() <= b {
			t.buckets[i].Store(t.buckets[i].Load() + 1)
			break
		}
	}
	t.sumNanos.Store(t.sumNanos.Load() + uint64(d))
	t.expired.Store(t.expired.Load() + uint64(expired))
	t.count.Store(t.count.Load() + 1) // last: a scrape never sees buckets above count
}

func (t *cleanTimer) collect(ch chan<- prometheus.Metric, table string) {
	count := t.count.Load()
	buckets := make(map[float64]uint64, len(cleanBuckets))
	var cum uint64
	for i, b := range cleanBuckets {
		cum += t.buckets[i].Load()
		buckets[b] = min(cum, count)
	}
	ch <- prometheus.MustNewConstHistogram(descCleanSeconds, count,
		float64(t.sumNanos.Load())/1e9, buckets, table)
	ch <- prometheus.MustNewConstMetric(descExpired, prometheus.CounterValue, float64(t.expired.Load()), table)
}
