package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// QBittorrent starts qbittorrent-nox on torrentPath with saveDir as its save
// path; it is a StartFunc for either role: it checks what saveDir holds and
// seeds a complete file, or downloads. Peer connections, tracker traffic and
// the Web UI (always on in -nox) all bind bindIP; several instances may
// share one address (MultiConnectionsPerIp), as two must on ::1. The
// torrent is passed on the command line; the Web API serves only
// Client.TrackerErrors.
func QBittorrent(t testing.TB, torrentPath, saveDir, bindIP string) *Client {
	t.Helper()
	Require(t, "qbittorrent-nox")
	if _, err := parseLoopback(bindIP); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	config := filepath.Join(profile, "qBittorrent", "config")
	// Written before the first start so the session never runs with DHT,
	// PEX, LSD or UPnP on. Keys as read by qBittorrent 4.5.2 (Debian 12).
	webUIPort := FreePort(t, bindIP)
	conf := fmt.Sprintf(`[LegalNotice]
Accepted=true

[BitTorrent]
Session\DHTEnabled=false
Session\PeXEnabled=false
Session\LSDEnabled=false
Session\Port=%d
Session\UseRandomPort=false
Session\InterfaceAddress=%s
Session\MultiConnectionsPerIp=true
Session\BTProtocol=TCP
Session\Encryption=0
Session\AnonymousModeEnabled=false
Session\QueueingSystemEnabled=false
Session\DefaultSavePath=%s
Session\TempPathEnabled=false
Session\AddExtensionToIncompleteFiles=false

[Network]
PortForwardingEnabled=false

[Preferences]
Connection\ResolvePeerCountries=false
Connection\UPnP=false
General\Locale=en
WebUI\Address=%s
WebUI\Port=%d
WebUI\UseUPnP=false
WebUI\LocalHostAuth=false
`, FreePort(t, bindIP), bindIP, saveDir, bindIP, webUIPort)
	if err := os.MkdirAll(config, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "qBittorrent.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(profile, "qBittorrent", "data", "logs", "qbittorrent.log")
	c := startClient(t, "qbittorrent", dir, []string{log},
		"qbittorrent-nox", "--profile="+profile, "--save-path="+saveDir,
		"--skip-dialog=true", "--add-paused=false", torrentPath)
	webUI := "http://" + net.JoinHostPort(bindIP, strconv.Itoa(webUIPort))
	c.trackerErrors = func() ([]string, error) { return qbTrackerErrors(webUI) }
	return c
}

// qbTrackerErrors asks the qBittorrent Web API at webUI about the trackers
// of every torrent and returns "<url>: <message>" for each tracker that is
// not working (status 4) or has a message (a failure reason, or a warning
// message from a working tracker). The Web UI listens on the client's
// loopback address and needs no login from loopback (LocalHostAuth=false).
//
// API: https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)
func qbTrackerErrors(webUI string) ([]string, error) {
	// No keep-alive: an idle connection to the Web UI delays qBittorrent's exit.
	client := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string, v any) error {
		resp, err := client.Get(webUI + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("qbittorrent web API %s: %s: %q", path, resp.Status, body)
		}
		return json.Unmarshal(body, v)
	}
	var torrents []struct {
		Hash string `json:"hash"`
	}
	if err := get("/api/v2/torrents/info", &torrents); err != nil {
		return nil, err
	}
	var errs []string
	for _, tor := range torrents {
		var trackers []struct {
			URL    string `json:"url"`
			Status int    `json:"status"` // 0 disabled, 1 not contacted, 2 working, 3 updating, 4 not working
			Msg    string `json:"msg"`
		}
		if err := get("/api/v2/torrents/trackers?hash="+tor.Hash, &trackers); err != nil {
			return nil, err
		}
		for _, tr := range trackers {
			if strings.HasPrefix(tr.URL, "** [") { // DHT, PeX, LSD pseudo-trackers
				continue
			}
			if tr.Status == 4 || tr.Msg != "" {
				errs = append(errs, fmt.Sprintf("%s: status %d: %s", tr.URL, tr.Status, tr.Msg))
			}
		}
	}
	return errs, nil
}
