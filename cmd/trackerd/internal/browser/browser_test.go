//go:build linux

package browser

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestTransfer_BittorrentTracker proves the harness against the npm package
// bittorrent-tracker, WebTorrent's reference WebSocket tracker, over IPv4
// (URL without a path) and IPv6 (with /announce). It runs only with
// TRACKERD_E2E_STANDIN=bittorrent-tracker.
func TestTransfer_BittorrentTracker(t *testing.T) {
	if os.Getenv("TRACKERD_E2E_STANDIN") != "bittorrent-tracker" {
		t.Skip("set TRACKERD_E2E_STANDIN=bittorrent-tracker to run against the npm bittorrent-tracker")
	}
	for _, tc := range []struct {
		name, host, path string
	}{
		{name: "IPv4", host: "127.0.0.1", path: ""},
		{name: "IPv6", host: "::1", path: "/announce"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := startStandin(t, tc.host)
			r := Transfer(t, Options{
				TrackerURL: "ws://" + addr + tc.path,
				Size:       1 << 20,
				Timeout:    90 * time.Second,
			})
			t.Logf("seeded after %v, downloaded after %v", r.Seeded, r.Downloaded)
		})
	}
}

// startStandin runs bittorrent-tracker's WebSocket server on host and a free
// port (testdata/browser/standin-tracker.mjs) and returns its address once
// it is listening.
func startStandin(t *testing.T, host string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed:", err)
	}
	require(t)
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("node", filepath.Join(testdata, "standin-tracker.mjs"), host)
	cmd.Stdout = w
	p := start(t, dir, "bittorrent-tracker", cmd)
	port := make(chan int, 1)
	go func() {
		var addr struct{ Port int }
		line, _ := bufio.NewReader(r).ReadBytes('\n')
		_ = json.Unmarshal(line, &addr)
		port <- addr.Port
	}()
	select {
	case n := <-port:
		if n == 0 {
			t.Fatalf("bittorrent-tracker did not start: %v\n%s", p.exited(), p.logTail(20))
		}
		return net.JoinHostPort(host, strconv.Itoa(n))
	case <-time.After(20 * time.Second):
		t.Fatalf("bittorrent-tracker did not start in 20 s\n%s", p.logTail(20))
	}
	return ""
}
