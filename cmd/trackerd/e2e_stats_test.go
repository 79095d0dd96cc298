package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
)

// adminAddr returns the admin address named in trackerd's start line.
func adminAddr(t *testing.T, p *process) string {
	t.Helper()
	for _, line := range strings.Split(p.logs.String(), "\n") {
		var l struct {
			Msg   string `json:"msg"`
			Admin string `json:"admin"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "trackerd started" && l.Admin != "" {
			return l.Admin
		}
	}
	t.Fatalf("start line names no admin address:\n%s", p.logs)
	return ""
}

// statsJSON is the part of /stats.json the page is compared with.
type statsJSON struct {
	Torrents       uint64 `json:"torrents"`
	WebRTCTorrents uint64 `json:"webrtc_torrents"`
	Peers          struct {
		Total, Seeders, Leechers, IPv4, IPv6, WebRTC uint64
	} `json:"peers"`
	Requests struct{ UDP, HTTP, WS uint64 } `json:"requests"`
	Clients  []struct {
		Name      string `json:"name"`
		Announces uint64 `json:"announces"`
	} `json:"clients"`
	ClientsOther uint64 `json:"clients_other"`
}

// TestE2E_StatsPage: fake clients announce over UDP and HTTP, headless
// Chromium renders /stats, and every figure on the page equals /stats.json
// and what was announced.
func TestE2E_StatsPage(t *testing.T) {
	requireE2E(t)
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not installed (run .ci/install-deps): %v", err)
	}
	p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = [\"127.0.0.1:0\"]\n[admin]\nlisten = \"127.0.0.1:0\"\n")
	admin := adminAddr(t, p)

	announceHTTP := func(ih byte, port, left int, peerID string) {
		t.Helper()
		h := [20]byte{0: ih, 19: 0xfe}
		id := (peerID + "0123456789abcdefghij")[:20]
		u := fmt.Sprintf("http://%s/announce?info_hash=%s&peer_id=%s&port=%d&uploaded=0&downloaded=0&left=%d&compact=1",
			p.http[0], url.QueryEscape(string(h[:])), url.QueryEscape(id), port, left)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(string(body), "failure reason") {
			t.Fatalf("announce %s: %d %q", peerID, resp.StatusCode, body)
		}
	}
	announceHTTP(1, 7001, 0, "-qB4520-")
	announceHTTP(1, 7002, 100, "-TR3000-")
	announceHTTP(2, 7003, 100, "A2-1-36-0-")
	announceHTTP(2, 7004, 0, "-qB4520-")

	conn, err := net.Dial("udp", p.udp[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var resp udp.Response
	roundTrip := func(r *udp.Request) {
		t.Helper()
		if _, err := conn.Write(udp.AppendRequest(nil, r)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Parse(buf[:n], udp.PeerSizeV4); err != nil || resp.Action != r.Action {
			t.Fatalf("reply %x to action %d: %v", buf[:n], r.Action, err)
		}
	}
	roundTrip(&udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect, TxID: 1})
	connID := resp.ConnID
	for i, peerID := range []string{"-WW0105-", "M7-4-3--", "-qB4520-"} {
		r := &udp.Request{ConnID: connID, Action: udp.ActionAnnounce, TxID: uint32(2 + i)}
		r.Announce.InfoHash[0] = 3
		copy(r.Announce.PeerID[:], peerID+"0123456789abcdefghij")
		r.Announce.Port = uint16(8001 + i)
		r.Announce.Left = 50
		r.Announce.NumWant = -1
		roundTrip(r)
	}

	// The page as a browser renders it.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(t.TempDir(), "profile"),
		"--dump-dom", "http://"+admin+"/stats")
	cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir())
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}

	r, err := http.Get("http://" + admin + "/stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var js statsJSON
	err = json.NewDecoder(r.Body).Decode(&js)
	r.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	// What was announced: 3 torrents; 7 peers, 2 seeders, all IPv4.
	if js.Torrents != 3 || js.Peers.Total != 7 || js.Peers.Seeders != 2 || js.Peers.Leechers != 5 ||
		js.Peers.IPv4 != 7 || js.Peers.IPv6 != 0 || js.Requests.UDP != 4 || js.Requests.HTTP != 4 {
		t.Errorf("/stats.json: %+v", js)
	}

	ids := map[string]uint64{}
	for _, m := range regexp.MustCompile(`id="([a-z0-9_]+)">([0-9]+)<`).FindAllStringSubmatch(string(dom), -1) {
		v, _ := strconv.ParseUint(m[2], 10, 64)
		ids[m[1]] = v
	}
	for id, want := range map[string]uint64{
		"torrents": js.Torrents, "webrtc_torrents": js.WebRTCTorrents,
		"peers_total": js.Peers.Total, "peers_seeders": js.Peers.Seeders, "peers_leechers": js.Peers.Leechers,
		"peers_ipv4": js.Peers.IPv4, "peers_ipv6": js.Peers.IPv6, "peers_webrtc": js.Peers.WebRTC,
		"requests_udp": js.Requests.UDP, "requests_http": js.Requests.HTTP, "requests_ws": js.Requests.WS,
		"clients_other": js.ClientsOther,
	} {
		if got, ok := ids[id]; !ok || got != want {
			t.Errorf("page #%s = %d (present %v), /stats.json says %d", id, got, ok, want)
		}
	}

	var page []string
	for _, m := range regexp.MustCompile(`<tr class="client"><th>([^<]*)</th><td>([0-9]+)</td></tr>`).FindAllStringSubmatch(string(dom), -1) {
		page = append(page, html.UnescapeString(m[1])+"="+m[2])
	}
	var want []string
	for _, c := range js.Clients {
		want = append(want, fmt.Sprintf("%s=%d", c.Name, c.Announces))
	}
	announced := []string{"qBittorrent 4.5.2=3", "BitTorrent 7.4.3=1", "Transmission 3.00=1", "WebTorrent 1.5=1", "aria2 1.36.0=1"}
	if strings.Join(page, ", ") != strings.Join(want, ", ") || strings.Join(want, ", ") != strings.Join(announced, ", ") {
		t.Errorf("clients on the page: %v\nin /stats.json: %v\nannounced: %v\npage:\n%s", page, want, announced, dom)
	}
	t.Logf("page shows %d figures and %d clients: %v", len(ids), len(page), page)
}

// TestTrackerd_Admin: the [admin] keys reach the engine: /metrics and
// /stats.json for an allowed client; 403 for 127.0.0.1 when allow names
// only ::1; /debug/pprof/ only with pprof = true.
func TestTrackerd_Admin(t *testing.T) {
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	base := "[udp]\nlisten = []\n[http]\nlisten = []\n[admin]\nlisten = \"127.0.0.1:0\"\n"

	p := startTrackerd(t, base+"pprof = true\n")
	admin := "http://" + adminAddr(t, p)
	if code, body := get(admin + "/metrics"); code != 200 || !strings.Contains(body, "trackerd_torrents{table=\"ip\"} 0") ||
		!strings.Contains(body, "process_resident_memory_bytes") {
		t.Errorf("GET /metrics = %d:\n%s", code, body)
	}
	if code, body := get(admin + "/stats.json"); code != 200 || !strings.Contains(body, `"torrents": 0`) {
		t.Errorf("GET /stats.json = %d %s", code, body)
	}
	if code, _ := get(admin + "/debug/pprof/"); code != 200 {
		t.Errorf("GET /debug/pprof/ with pprof = true: %d", code)
	}

	p = startTrackerd(t, base+"allow = [\"::1/128\"]\n")
	admin = "http://" + adminAddr(t, p)
	for _, path := range []string{"/metrics", "/stats", "/debug/pprof/"} {
		if code, _ := get(admin + path); code != http.StatusForbidden {
			t.Errorf("GET %s from 127.0.0.1 with allow = [\"::1/128\"]: %d, want 403", path, code)
		}
	}
}
