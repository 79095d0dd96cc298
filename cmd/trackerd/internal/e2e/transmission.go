package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
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
// IPv4 only with Transmission 3.00 (Debian 12): it opens no IPv6 UDP socket
// without a global IPv6 address, and with bind-address-ipv4 set (needed to
// keep it on loopback) it binds its HTTP announces to that IPv4 address; over
// udp://[::1] or http://[::1] it logs "Could not connect to tracker". Seed
// with QBittorrent for IPv6. At start it also probes IPv6 support by
// listening on [::]:peer-port for some microseconds (strace), whatever the
// bind settings.
func TransmissionSeeder(t testing.TB, torrentPath, dataDir, bindIP string) *Client {
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
	return startClient(t, "transmission", dir, nil,
		"transmission-cli", "--config-dir", config, "--download-dir", dataDir, torrentPath)
}
