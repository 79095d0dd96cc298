package engine

import (
	"cmp"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/trackerd/trackerd/codec/peerid"
)

// The /stats page and /stats.json: what an operator wants at a glance, read
// from the same state as /metrics, plus request rates kept by a sampler and
// the top clients merged from the workers' tables.

// Rate sampling: every rateEvery the sampler reads the request totals and
// keeps the last rateWindow of them; rates are the difference over that
// window.
const (
	rateEvery   = time.Second
	rateWindow  = 10 * time.Second
	rateSamples = int(rateWindow/rateEvery) + 1
	topClients  = 20
)

// protocols of the request totals, in StatsProtocols order.
const (
	protoUDP = iota
	protoHTTP
	protoWS
	numProtos
)

// rateCounters are what a protocol's requests per second count: every UDP
// datagram, every HTTP request head, every WebSocket message.
var rateCounters = [numProtos]Counter{protoUDP: UDPPacketsIn, protoHTTP: HTTPRequests, protoWS: WSMessages}

type rateSample struct {
	at time.Time
	n  [numProtos]uint64
}

// rateSampler keeps the recent request totals. Written by its goroutine,
// read by admin handlers; mu guards it (a leaf lock, never held across I/O).
type rateSampler struct {
	e       *Engine
	mu      sync.Mutex
	samples []rateSample // oldest first, at most rateSamples
}

func (s *rateSampler) init(e *Engine) {
	s.e = e
	s.sample()
}

func (s *rateSampler) run(done <-chan struct{}) {
	tk := time.NewTicker(rateEvery)
	defer tk.Stop()
	for {
		select {
		case <-done:
			return
		case <-tk.C:
			s.sample()
		}
	}
}

func (s *rateSampler) sample() {
	r := rateSample{at: time.Now(), n: s.e.requestTotals()}
	s.mu.Lock()
	if len(s.samples) == rateSamples {
		s.samples = append(s.samples[:0], s.samples[1:]...)
	}
	s.samples = append(s.samples, r)
	s.mu.Unlock()
}

// rates returns requests per second by protocol over the window sampled so
// far, and that window.
func (s *rateSampler) rates() ([numProtos]float64, time.Duration) {
	var r [numProtos]float64
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) < 2 {
		return r, 0
	}
	first, last := s.samples[0], s.samples[len(s.samples)-1]
	d := last.at.Sub(first.at)
	for i := range r {
		r[i] = float64(diff(last.n[i], first.n[i])) / d.Seconds()
	}
	return r, d
}

func (e *Engine) requestTotals() [numProtos]uint64 {
	var n [numProtos]uint64
	for _, w := range e.workerCounters() {
		for i, k := range rateCounters {
			n[i] += w.Load(k)
		}
	}
	return n
}

// Stats is what /stats shows and /stats.json returns.
type Stats struct {
	Started        time.Time `json:"started"`
	UptimeSeconds  int64     `json:"uptime_seconds"`
	Torrents       uint64    `json:"torrents"`        // UDP and HTTP
	WebRTCTorrents uint64    `json:"webrtc_torrents"` // WebTorrent
	Peers          struct {
		Total    uint64 `json:"total"`
		Seeders  uint64 `json:"seeders"`
		Leechers uint64 `json:"leechers"`
		IPv4     uint64 `json:"ipv4"`
		IPv6     uint64 `json:"ipv6"`
		WebRTC   uint64 `json:"webrtc"`
	} `json:"peers"`
	// Requests are totals since start: UDP datagrams, HTTP request heads,
	// WebSocket messages.
	Requests          ProtocolFigures[uint64]  `json:"requests"`
	RequestsPerSecond ProtocolFigures[float64] `json:"requests_per_second"`
	RateWindowSeconds float64                  `json:"rate_window_seconds"`
	// Clients are announces since start by client (peer_id prefix), all
	// protocols, most first; ClientsOther are the rest.
	Clients      []ClientFigure `json:"clients"`
	ClientsOther uint64         `json:"clients_other"`
}

// ProtocolFigures are one figure per protocol.
type ProtocolFigures[T uint64 | float64] struct {
	UDP  T `json:"udp"`
	HTTP T `json:"http"`
	WS   T `json:"ws"`
}

// ClientFigure is one client's announces.
type ClientFigure struct {
	Name      string `json:"name"`
	Announces uint64 `json:"announces"`
}

// Stats returns the figures of the /stats page. It takes every swarm shard
// lock in turn; call it for an operator, not per request.
func (e *Engine) Stats() Stats {
	var s Stats
	s.Started = e.startedAt.UTC().Truncate(time.Second)
	s.UptimeSeconds = int64(time.Since(e.startedAt).Seconds())
	st := e.table.Stats()
	s.Torrents = st.Torrents
	s.Peers.Seeders = st.Seeders4 + st.Seeders6
	s.Peers.Leechers = st.Leechers4 + st.Leechers6
	s.Peers.IPv4 = st.Seeders4 + st.Leechers4
	s.Peers.IPv6 = st.Seeders6 + st.Leechers6
	if e.rtc != nil {
		rs := e.rtc.Stats()
		s.WebRTCTorrents = rs.Torrents
		s.Peers.Seeders += rs.Seeders
		s.Peers.Leechers += rs.Leechers
		s.Peers.WebRTC = rs.Seeders + rs.Leechers
	}
	s.Peers.Total = s.Peers.Seeders + s.Peers.Leechers

	n := e.requestTotals()
	s.Requests = ProtocolFigures[uint64]{UDP: n[protoUDP], HTTP: n[protoHTTP], WS: n[protoWS]}
	r, window := e.rates.rates()
	s.RequestsPerSecond = ProtocolFigures[float64]{UDP: r[protoUDP], HTTP: r[protoHTTP], WS: r[protoWS]}
	s.RateWindowSeconds = window.Seconds()

	s.Clients, s.ClientsOther = e.topClients(topClients)
	return s
}

// topClients merges the workers' announce counts by client name and
// returns the top n, and the sum of the others.
func (e *Engine) topClients(n int) ([]ClientFigure, uint64) {
	byPrefix := map[[peerid.PrefixLen]byte]uint64{}
	var other uint64
	for _, w := range e.workerCounters() {
		other += w.clients.each(func(p [peerid.PrefixLen]byte, n uint64) { byPrefix[p] += n })
	}
	byName := map[string]uint64{}
	for p, c := range byPrefix {
		byName[peerid.Name(p[:])] += c
	}
	all := make([]ClientFigure, 0, len(byName))
	for name, c := range byName {
		all = append(all, ClientFigure{Name: name, Announces: c})
	}
	slices.SortFunc(all, func(a, b ClientFigure) int {
		if c := cmp.Compare(b.Announces, a.Announces); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, c := range all[min(n, len(all)):] {
		other += c.Announces
	}
	return all[:min(n, len(all))], other
}

func (e *Engine) serveStatsJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(e.Stats())
}

func (e *Engine) serveStats(w http.ResponseWriter, _ *http.Request) {
	s := e.Stats()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = statsPage.Execute(w, struct {
		Stats
		Uptime time.Duration
	}{s, time.Duration(s.UptimeSeconds) * time.Second})
}

// statsPage needs no JavaScript; every figure has an id (or, for clients,
// a class) so that tools can read it.
var statsPage = template.Must(template.New("stats").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>trackerd</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { padding: .2em 1em; border-bottom: 1px solid #ddd; }
th { text-align: left; font-weight: normal; }
td { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>trackerd</h1>
<p>Up <span id="uptime">{{.Uptime}}</span>, since {{.Started.Format "2006-01-02 15:04:05 UTC"}}.
Also as <a href="stats.json">JSON</a> and <a href="metrics">Prometheus metrics</a>.</p>

<h2>Swarms</h2>
<table>
<tr><th>Torrents (UDP and HTTP)</th><td id="torrents">{{.Torrents}}</td></tr>
<tr><th>Torrents (WebTorrent)</th><td id="webrtc_torrents">{{.WebRTCTorrents}}</td></tr>
<tr><th>Peers</th><td id="peers_total">{{.Peers.Total}}</td></tr>
<tr><th>Seeders</th><td id="peers_seeders">{{.Peers.Seeders}}</td></tr>
<tr><th>Leechers</th><td id="peers_leechers">{{.Peers.Leechers}}</td></tr>
<tr><th>IPv4 peers</th><td id="peers_ipv4">{{.Peers.IPv4}}</td></tr>
<tr><th>IPv6 peers</th><td id="peers_ipv6">{{.Peers.IPv6}}</td></tr>
<tr><th>WebRTC peers</th><td id="peers_webrtc">{{.Peers.WebRTC}}</td></tr>
</table>

<h2>Requests</h2>
<table>
<tr><th></th><th>per second, last {{printf "%.0f" .RateWindowSeconds}} s</th><th>since start</th></tr>
<tr><th>UDP datagrams</th><td id="rate_udp">{{printf "%.1f" .RequestsPerSecond.UDP}}</td><td id="requests_udp">{{.Requests.UDP}}</td></tr>
<tr><th>HTTP requests</th><td id="rate_http">{{printf "%.1f" .RequestsPerSecond.HTTP}}</td><td id="requests_http">{{.Requests.HTTP}}</td></tr>
<tr><th>WebSocket messages</th><td id="rate_ws">{{printf "%.1f" .RequestsPerSecond.WS}}</td><td id="requests_ws">{{.Requests.WS}}</td></tr>
</table>

<h2>Clients</h2>
<p>Announces since start by client, from the peer_id, all protocols; the top {{len .Clients}}.</p>
<table id="clients">
<tr><th>Client</th><th>Announces</th></tr>
{{- range .Clients}}
<tr class="client"><th>{{.Name}}</th><td>{{.Announces}}</td></tr>
{{- end}}
<tr><th>Others</th><td id="clients_other">{{.ClientsOther}}</td></tr>
</table>
</body>
</html>
`))
