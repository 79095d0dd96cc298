package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TransmissionSeeder starts transmission-cli seeding torrentPath from the
// complete data in dataDir; it is a StartFunc. Its peer port listens on
// bindIP (and on the loopback address of the other family), and UDP tracker
// traffic leaves from bindIP:peer-port. Transmission verifies the data on
// start, then announces.
//
// Transmission drops peers in 127.0.0.0/8 that a tracker returns, so on
// loopback it can only seed: leechers must connect to it. It unchokes new
// peers on a 10 s timer, so a transfer from it takes about 13 s (from
// QBittorrent, under 1 s).
//
// IPv6 with Transmission 3.00 (Debian 12) works only in a private network
// namespace (InNetns); cmd/trackerd's TestE2E_IPv6Transmission has the
// evidence. HTTP: with bind-address-ipv4 set (as here, to keep it on
// loopback) it binds every HTTP announce to that IPv4 address, which fails
// for http://[::1] ("Could not connect to tracker"); with bind-address-ipv4
// deleted (TransmissionSeederWith) curl binds bind-address-ipv6 instead, but
// the IPv4 peer port then listens on 0.0.0.0. UDP: it opens no IPv6 UDP
// socket unless the host has an address in 2000::/3, and it parses
// udp://[::1]:port as host "[" (a DNS lookup), so the URL must name ::1 by
// a host name. At start it also probes IPv6 support by listening on
// [::]:peer-port for some microseconds (strace), whatever the bind settings.
//
// Client.TrackerErrors reads its stderr (message-level 3).
func TransmissionSeeder(t testing.TB, torrentPath, dataDir, bindIP string) *Client {
	t.Helper()
	return transmissionSeeder(t, torrentPath, dataDir, bindIP, nil)
}

// TransmissionSeederWith returns a StartFunc like TransmissionSeeder whose
// settings.json has the keys of settings replaced (a nil value deletes the
// key, so Transmission uses its default).
func TransmissionSeederWith(settings map[string]any) StartFunc {
	return func(t testing.TB, torrentPath, dataDir, bindIP string) *Client {
		t.Helper()
		return transmissionSeeder(t, torrentPath, dataDir, bindIP, settings)
	}
}

func transmissionSeeder(t testing.TB, torrentPath, dataDir, bindIP string, overrides map[string]any) *Client {
	t.Helper()
	Require(t, "transmission-cli")
	ip, err := parseLoopback(bindIP)
	if err != nil {
		t.Fatal(err)
	}
	// Both families are bound; keep the other one on loopback too.
	ipv4, ipv6 := bindIP, "::1"
	if ip.Is6() {
		ipv4, ipv6 = "127.0.0.1", bindIP
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	// settings.json is read at start; written before the first start so
	// the session never runs with DHT, PEX, LPD or port mapping on.
	settings := map[string]any{
		"bind-address-ipv4":          ipv4,
		"bind-address-ipv6":          ipv6,
		"peer-port":                  FreePort(t, ipv4, ipv6),
		"peer-port-random-on-start":  false,
		"dht-enabled":                false,
		"pex-enabled":                false,
		"lpd-enabled":                false,
		"port-forwarding-enabled":    false,
		"utp-enabled":                false, // TCP only: fastest on loopback
		"encryption":                 0,     // prefer clear, accept encrypted
		"rpc-enabled":                false,
		"blocklist-enabled":          false,
		"speed-limit-up-enabled":     false,
		"alt-speed-enabled":          false,
		"ratio-limit-enabled":        false,
		"idle-seeding-limit-enabled": false,
		"download-dir":               dataDir,
		"incomplete-dir-enabled":     false,
		"message-level":              3, // debug: shows announces and their results
	}
	for k, v := range overrides {
		if v == nil {
			delete(settings, k)
		} else {
			settings[k] = v
		}
	}
	data, err := json.MarshalIndent(settings, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(config, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "settings.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, "transmission", dir, nil,
		"transmission-cli", "--config-dir", config, "--download-dir", dataDir, torrentPath)
	stderr := c.Logs[1]
	c.trackerErrors = func() ([]string, error) {
		lines, err := grepLog(stderr, transmissionTrackerError)
		return slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, transmissionCurlNote) }), err
	}
	return c
}

// transmissionCurlNote starts a line Transmission logs at every start
// ("web: NB: invalid certs will show up as 'Could not connect to tracker'
// like many other errors"), which is no tracker error.
const transmissionCurlNote = "web: NB: "

// transmissionTrackerError matches what Transmission 3.00 logs (at
// message-level 3, on stderr) when an announce or scrape did not succeed:
// `Tracker error: "<failure reason>"`, `Tracker warning: "<warning
// message>"`, "Could not connect to tracker", "Tracker gave HTTP response
// code ...", "Announce error: ...", "Scrape error: ...".
var transmissionTrackerError = regexp.MustCompile(`(?i)tracker (error|warning)|could not connect to tracker|tracker gave|(announce|scrape) error`)
