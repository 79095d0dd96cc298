package main

import (
	"os"
	"testing"

	"github.com/trackerd/trackerd/cmd/trackerd/internal/e2e"
)

// requireE2E skips unless TRACKERD_E2E=1 (make e2e, make test sets it).
// With it set, missing clients are a failure, not a skip: CI must run them.
func requireE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("TRACKERD_E2E") != "1" {
		t.Skip("end-to-end test with real clients; run with TRACKERD_E2E=1 (make e2e)")
	}
}

// TestE2E_UDPTransfer: Transmission seeds a private torrent whose only
// tracker is trackerd's udp:// URL, qBittorrent leeches it from another
// loopback address, and the copy's checksum must match.
func TestE2E_UDPTransfer(t *testing.T) {
	requireE2E(t)
	p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n")
	res := e2e.Transfer(t, e2e.TransferOptions{
		AnnounceURL: "udp://" + p.udp[0].String() + "/announce",
		SeederIP:    "127.0.0.2",
		LeecherIP:   "127.0.0.3",
	})
	t.Logf("seeder announced after %v, leecher had the file %v after it started", res.Seeded, res.Downloaded)
}
