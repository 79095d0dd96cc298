// Package e2e is a test helper library that proves a file transfers between
// real BitTorrent clients through a tracker. Tests of other packages call it
// against a running tracker:
//
//	e2e.Transfer(t, e2e.TransferOptions{
//		AnnounceURL: "udp://127.0.0.1:" + port + "/announce",
//		SeederIP:    "127.0.0.2",
//		LeecherIP:   "127.0.0.3",
//		Size:        8 << 20,
//		Timeout:     60 * time.Second,
//	})
//
// Transfer writes a random file, makes a private torrent whose only tracker is
// AnnounceURL (so peers can come from nowhere else), starts a seeder, waits
// until the tracker's scrape counts it, starts a leecher and waits until the
// leecher's copy has the original SHA-256. The building blocks (RandomFile,
// MakeTorrent, TransmissionSeeder, QBittorrentLeecher, WaitFile) are exported
// for tests that need another shape.
//
// Clients: Transmission (transmission-cli) seeds and qBittorrent
// (qbittorrent-nox) leeches; .ci/install-deps installs them. Tests that need
// them call RequireClients, which skips when a binary is missing.
// Transmission drops tracker-returned peers in 127.0.0.0/8, so it is only
// ever a seeder: the leecher connects to it. Each client gets its own
// loopback address (SeederIP, LeecherIP) and sends its tracker traffic from
// it, because the tracker sees peers by source address and libtorrent keeps
// one connection per IP unless told otherwise.
//
// Isolation: every process binds 127.0.0.0/8 or ::1 only, on ports chosen
// free at start; DHT, PEX, LSD and UPnP/NAT-PMP are off in configuration
// written before a client's first start. Each client runs with HOME, config
// and data inside t.TempDir(), is stopped by PID in t.Cleanup, and is killed
// if the test binary dies (Linux). Every wait is bounded.
//
// Failures: client output goes to files in the test's temp dir; when the test
// has failed, cleanup prints the tail of each client's logs with t.Log.
//
// Concurrency: functions take the test's testing.TB and must be called from
// the test's goroutine (they call t.Fatal). Tests using different loopback
// addresses or different torrents may run in parallel.
package e2e
