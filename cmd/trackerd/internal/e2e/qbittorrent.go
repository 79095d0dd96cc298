package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// QBittorrent starts qbittorrent-nox on torrentPath with saveDir as its save
// path; it is a StartFunc for either role: it checks what saveDir holds and
// seeds a complete file, or downloads. Peer connections, tracker traffic and
// the Web UI (always on in -nox, unused here) all bind bindIP; several
// instances may share one address (MultiConnectionsPerIp), as two must on
// ::1. The torrent is passed on the command line, so no Web API is needed.
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
WebUI\LocalHostAuth=true
`, FreePort(t, bindIP), bindIP, saveDir, bindIP, FreePort(t, bindIP))
	if err := os.MkdirAll(config, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "qBittorrent.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(profile, "qBittorrent", "data", "logs", "qbittorrent.log")
	return startClient(t, "qbittorrent", dir, []string{log},
		"qbittorrent-nox", "--profile="+profile, "--save-path="+saveDir,
		"--skip-dialog=true", "--add-paused=false", torrentPath)
}
