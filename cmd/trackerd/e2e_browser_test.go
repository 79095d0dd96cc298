package main

import (
	"testing"

	"github.com/trackerd/trackerd/cmd/trackerd/internal/browser"
)

// TestE2E_WebTorrent: two headless Chromium browsers, in a private network
// namespace, move a random file with WebTorrent; trackerd's ws:// URL is
// the only tracker, so every offer and answer goes through trackerd. Over
// IPv4 (URL without a path) and IPv6 (with /announce): clients are given
// both forms.
func TestE2E_WebTorrent(t *testing.T) {
	requireE2E(t)
	p := startTrackerd(t, "[udp]\nlisten = []\n[http]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\n[admin]\nlisten = \"\"\n")
	for _, addr := range p.http {
		name, url := "IPv4", "ws://"+addr.String()
		if addr.Addr().Is6() {
			name, url = "IPv6", "ws://"+addr.String()+"/announce"
		}
		t.Run(name, func(t *testing.T) {
			res := browser.Transfer(t, browser.Options{TrackerURL: url})
			t.Logf("info hash %s: seeder announced after %v, leecher had the file %v after it started", res.InfoHash, res.Seeded, res.Downloaded)
		})
	}
}
