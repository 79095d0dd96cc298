package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/swarm"
)

func TestAdminAllowed(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	tests := []struct {
		remote string
		want   bool
	}{
		{remote: "10.1.2.3:5000", want: true},
		{remote: "[::ffff:10.1.2.3]:5000", want: true}, // IPv4 client of a dual-stack socket
		{remote: "[2001:db8::1]:80", want: true},
		{remote: "[2001:db8::1%eth0]:80", want: true},
		{remote: "11.0.0.1:5000", want: false},
		{remote: "127.0.0.1:5000", want: false},
		{remote: "[::1]:5000", want: false},
		{remote: "garbage", want: false},
		{remote: "", want: false},
	}
	for _, tc := range tests {
		if got := adminAllowed(allow, tc.remote); got != tc.want {
			t.Errorf("adminAllowed(%q) = %v, want %v", tc.remote, got, tc.want)
		}
	}
	if !adminAllowed(defaultAdminAllow, "127.0.0.2:1") || !adminAllowed(defaultAdminAllow, "[::1]:1") ||
		adminAllowed(defaultAdminAllow, "192.0.2.1:1") {
		t.Error("default allow list is not loopback only")
	}
}

func adminGet(t *testing.T, e *Engine, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get("http://" + e.AdminAddr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestAdmin_Forbidden: a client outside admin.allow gets 403 on every path.
func TestAdmin_Forbidden(t *testing.T) {
	cfg := testConfig(BackendMmsg)
	cfg.Admin.Listen = "127.0.0.1:0"
	cfg.Admin.Allow = []netip.Prefix{netip.MustParsePrefix("::1/128")}
	e := startEngine(t, cfg)
	for _, path := range []string{"/healthz", "/metrics", "/stats", "/stats.json"} {
		if code, body := adminGet(t, e, path); code != http.StatusForbidden {
			t.Errorf("GET %s from 127.0.0.1 with allow [::1/128] = %d %q, want 403", path, code, body)
		}
	}
}

func TestAdmin_PProf(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprint("pprof=", on), func(t *testing.T) {
			cfg := testConfig(BackendMmsg)
			cfg.Admin.Listen = "127.0.0.1:0"
			cfg.Admin.PProf = on
			e := startEngine(t, cfg)
			want := http.StatusNotFound
			if on {
				want = http.StatusOK
			}
			for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline"} {
				if code, _ := adminGet(t, e, path); code != want {
					t.Errorf("GET %s = %d, want %d", path, code, want)
				}
			}
		})
	}
}

// TestCounterRows: every counter is exported exactly once, so a new
// counter without its row fails here.
func TestCounterRows(t *testing.T) {
	seen := map[Counter]int{}
	samples := map[string]Counter{}
	for _, r := range counterRows {
		seen[r.counter]++
		key := r.desc.String() + fmt.Sprint(r.labels)
		if c, dup := samples[key]; dup {
			t.Errorf("%s and %s have the same metric and labels %v", CounterNames[c], CounterNames[r.counter], r.labels)
		}
		samples[key] = r.counter
	}
	for k := range numCounters {
		if seen[k] != 1 {
			t.Errorf("counter %s is in counterRows %d times, want once", CounterNames[k], seen[k])
		}
	}
}

// metricValue gathers reg and returns the value of the sample of name with
// exactly the labels given (name=value pairs), or -1 when there is none.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel())*2 != len(labels) {
				continue
			}
			for i, lp := range m.GetLabel() {
				if lp.GetName() != labels[2*i] || lp.GetValue() != labels[2*i+1] {
					continue metrics
				}
			}
			return sampleValue(m)
		}
	}
	return -1
}

func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestCollector_FollowsCounters: the collector reads the workers' counters
// at each scrape, per family where the metric has one.
func TestCollector_FollowsCounters(t *testing.T) {
	e, err := New(wsConfig(), swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	reg := e.newRegistry()
	w1, w2 := e.newCounters(), e.newCounters()
	v4 := &endpoint{}
	v4.set4([4]byte{192, 0, 2, 1}, 1)
	v6 := &endpoint{addr: [16]byte{0: 0x20, 1: 0x01, 15: 1}}

	check := func(want float64, name string, labels ...string) {
		t.Helper()
		if got := metricValue(t, reg, name, labels...); got != want {
			t.Errorf("%s%v = %v, want %v", name, labels, got, want)
		}
	}
	check(0, "trackerd_requests_total", "action", "announce", "family", "ipv4", "protocol", "udp")
	w1.setFamily(v4)
	w1.add(UDPAnnounces, 2)
	w2.setFamily(v4)
	w2.add(UDPAnnounces, 3)
	w2.setFamily(v6)
	w2.add(UDPAnnounces, 7)
	w2.add(UDPBadConnID, 1)
	w1.add(HTTPConnsOpened, 5)
	w1.add(WSUpgrades, 2)
	w1.add(HTTPConnsClosed, 1)
	check(5, "trackerd_requests_total", "action", "announce", "family", "ipv4", "protocol", "udp")
	check(7, "trackerd_requests_total", "action", "announce", "family", "ipv6", "protocol", "udp")
	check(1, "trackerd_request_errors_total", "family", "ipv6", "protocol", "udp", "reason", "bad_connection_id")
	check(0, "trackerd_request_errors_total", "family", "ipv4", "protocol", "udp", "reason", "bad_connection_id")
	check(5, "trackerd_connections_opened_total", "protocol", "http")
	check(2, "trackerd_open_connections", "protocol", "ws")
	check(2, "trackerd_open_connections", "protocol", "http")

	w1.add(UDPAnnounces, 1) // w1 still counts for IPv4
	w1.add(WSClosed, 2)
	check(6, "trackerd_requests_total", "action", "announce", "family", "ipv4", "protocol", "udp")
	check(7, "trackerd_requests_total", "action", "announce", "family", "ipv6", "protocol", "udp")
	check(0, "trackerd_open_connections", "protocol", "ws")
	check(4, "trackerd_open_connections", "protocol", "http")

	check(0, "trackerd_clean_duration_seconds", "table", "ip")
	e.cleanIP.observe(3*time.Millisecond, 4)
	e.cleanIP.observe(2*time.Second, 1)
	check(2, "trackerd_clean_duration_seconds", "table", "ip")
	check(5, "trackerd_expired_peers_total", "table", "ip")
	check(0, "trackerd_torrents", "table", "ip")
	check(0, "trackerd_peers", "family", "ipv6", "role", "seeder")
}

// udpAnnounceAs announces one peer on torrent ih with the given peer_id.
func udpAnnounceAs(t *testing.T, c *client, ih byte, port uint16, left uint64, peerID string) {
	t.Helper()
	r := &udp.Request{ConnID: c.connID, Action: udp.ActionAnnounce}
	r.Announce.InfoHash[0] = ih
	copy(r.Announce.PeerID[:], peerID+"0123456789abcdefghij")
	r.Announce.Port = port
	r.Announce.Left = left
	r.Announce.Event = udp.EventStarted
	r.Announce.NumWant = -1
	if resp := c.do(r); resp.Action != udp.ActionAnnounce {
		t.Fatalf("announce answered with action %d %q", resp.Action, resp.Message)
	}
}

func httpAnnounceAs(t *testing.T, c *httpClient, ih byte, port, left int, peerID string) {
	t.Helper()
	h := [20]byte{0: ih}
	id := (peerID + "0123456789abcdefghij")[:20]
	resp, body := c.get(fmt.Sprintf("/announce?info_hash=%s&peer_id=%s&port=%d&uploaded=0&downloaded=0&left=%d",
		url.QueryEscape(string(h[:])), url.QueryEscape(id), port, left))
	if resp.StatusCode != 200 || bytes.Contains(body, []byte("failure reason")) {
		t.Fatalf("announce: %d %q", resp.StatusCode, body)
	}
}

// TestStatsJSON: /stats.json and /stats after UDP and HTTP announces over
// both families show the swarm and the clients as they are.
func TestStatsJSON(t *testing.T) {
	cfg := httpConfig("127.0.0.1:0", "[::1]:0")
	cfg.Admin.Listen = "127.0.0.1:0"
	e := startEngine(t, cfg)
	var udp4, udp6 netip.AddrPort
	for _, a := range e.UDPAddrs() {
		if a.Addr().Is4() {
			udp4 = a
		} else {
			udp6 = a
		}
	}
	c4, c6 := dial(t, udp4), dial(t, udp6)
	c4.connect()
	c6.connect()
	udpAnnounceAs(t, c4, 1, 1001, 0, "-qB4520-")  // seeder
	udpAnnounceAs(t, c4, 1, 1002, 10, "-qB4520-") // leecher
	udpAnnounceAs(t, c6, 1, 1003, 10, "-TR3000-") // leecher, IPv6
	udpAnnounceAs(t, c4, 2, 1004, 10, "M7-4-3--") // second torrent
	udpAnnounceAs(t, c4, 2, 1004, 10, "M7-4-3--") // the same peer again
	var h4 *httpClient
	for _, a := range e.HTTPAddrs() {
		if a.Addr().Is4() {
			h4 = dialHTTP(t, a)
		}
	}
	httpAnnounceAs(t, h4, 3, 2001, 0, "A2-1-36-0-")
	httpAnnounceAs(t, h4, 3, 2002, 5, "-qB4520-")

	code, body := adminGet(t, e, "/stats.json")
	if code != 200 {
		t.Fatalf("GET /stats.json = %d %s", code, body)
	}
	var s Stats
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if s.Torrents != 3 || s.Peers.Total != 6 || s.Peers.Seeders != 2 || s.Peers.Leechers != 4 ||
		s.Peers.IPv4 != 5 || s.Peers.IPv6 != 1 || s.Peers.WebRTC != 0 {
		t.Errorf("torrents %d, peers %+v; want 3 torrents, 6 peers: 2 seeders, 4 leechers, 5 IPv4, 1 IPv6", s.Torrents, s.Peers)
	}
	// UDP: 2 connects and 5 announces; HTTP: 2 requests.
	if s.Requests.UDP != 7 || s.Requests.HTTP != 2 || s.Requests.WS != 0 {
		t.Errorf("requests %+v, want udp 7, http 2, ws 0", s.Requests)
	}
	want := []ClientFigure{
		{Name: "qBittorrent 4.5.2", Announces: 3},
		{Name: "BitTorrent 7.4.3", Announces: 2},
		{Name: "Transmission 3.00", Announces: 1},
		{Name: "aria2 1.36.0", Announces: 1},
	}
	if fmt.Sprint(s.Clients) != fmt.Sprint(want) || s.ClientsOther != 0 {
		t.Errorf("clients %v other %d, want %v other 0", s.Clients, s.ClientsOther, want)
	}

	code, page := adminGet(t, e, "/stats")
	if code != 200 {
		t.Fatalf("GET /stats = %d", code)
	}
	for _, s := range []string{`id="torrents">3<`, `id="peers_ipv6">1<`, `<th>qBittorrent 4.5.2</th><td>3</td>`, `<th>aria2 1.36.0</th><td>1</td>`} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("/stats lacks %s:\n%s", s, page)
		}
	}

	// Rates: the sampler sees the next announces within its window.
	deadline := time.Now().Add(5 * time.Second)
	for {
		udpAnnounceAs(t, c4, 1, 1001, 0, "-qB4520-")
		if s := e.Stats(); s.RequestsPerSecond.UDP > 0 && s.RateWindowSeconds > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UDP rate after 5 s: %+v", e.Stats())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMetrics_Promtool: /metrics passes promtool check metrics (naming and
// format lint) after traffic. promtool comes from the Debian package
// prometheus (.ci/install-deps); without it the test skips, unless
// TRACKERD_E2E=1, where a missing tool is a failure.
func TestMetrics_Promtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("TRACKERD_E2E") == "1" {
			t.Fatalf("promtool not installed (run .ci/install-deps): %v", err)
		}
		t.Skipf("promtool not installed (run .ci/install-deps): %v", err)
	}
	cfg := wsConfig()
	cfg.Admin.Listen = "127.0.0.1:0"
	e := startEngine(t, cfg)
	c := dial(t, e.UDPAddrs()[0])
	c.connect()
	udpAnnounceAs(t, c, 9, 1000, 0, "-qB4520-")

	code, body := adminGet(t, e, "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, s := range []string{
		`trackerd_requests_total{action="announce",family="ipv4",protocol="udp"} 1`,
		`trackerd_peers{family="ipv4",role="seeder"} 1`,
		`trackerd_torrents{table="webrtc"} 0`,
		"trackerd_clean_duration_seconds_bucket",
		"go_goroutines", "process_open_fds",
	} {
		if !bytes.Contains(body, []byte(s)) {
			t.Errorf("/metrics lacks %s", s)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}

// TestMetricsDocumented: every metric is in docs/metrics.md, and every
// trackerd metric the Grafana dashboard queries exists.
func TestMetricsDocumented(t *testing.T) {
	ch := make(chan *prometheus.Desc, 100)
	collector{}.Describe(ch)
	close(ch)
	names := map[string]bool{}
	fq := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		m := fq.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no name in %s", d)
		}
		names[m[1]] = true
	}
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	for n := range names {
		if !bytes.Contains(doc, []byte("`"+n+"`")) {
			t.Errorf("docs/metrics.md does not list %s", n)
		}
	}
	dash, err := os.ReadFile("../dist/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(dash) {
		t.Fatal("dist/grafana-dashboard.json is not JSON")
	}
	for _, m := range regexp.MustCompile(`trackerd_[a-z_]+`).FindAll(dash, -1) {
		n := strings.TrimSuffix(string(m), "_bucket")
		if !names[n] && n != "trackerd_" {
			t.Errorf("dashboard queries %s, which /metrics does not have", m)
		}
	}
}
