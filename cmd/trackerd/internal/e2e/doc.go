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
// MakeTorrent, TransmissionSeeder, TransmissionSeederWith, QBittorrent,
// Aria2Leecher, WaitFile) are exported for tests that need another shape;
// InNetns runs a test in a private network namespace.
//
// Clients: by default Transmission (transmission-cli) seeds and qBittorrent
// (qbittorrent-nox) leeches; Aria2Leecher (aria2c) is another leecher.
// .ci/install-deps installs them. A missing binary skips the test, or fails
// it when env CI is set or TRACKERD_E2E=1. Transmission drops
// tracker-returned peers in 127.0.0.0/8 and ::1, so it is only ever a
// seeder: the leecher connects to it. Transmission 3.00 announces over IPv6
// only inside a private network namespace (InNetns; see
// TransmissionSeeder); elsewhere seed [::1] from QBittorrent. Each client
// gets its own loopback address (SeederIP, LeecherIP) and sends its tracker
// traffic from it, because the tracker sees peers by source address; where
// two share one (::1), qBittorrent allows several connections per IP.
// Another client is added by writing a StartFunc.
//
// Tracker errors: a transfer can succeed although a client was refused an
// announce or warned, so Transfer also fails the test for every tracker
// error or warning a client reports (Client.TrackerErrors: Transmission's
// and aria2c's logs, qBittorrent's Web API). A leecher that exits once its
// file is complete (aria2c --seed-time=0) is a success.
//
// Timing on 2 cores (8 MiB, 127.0.0.2 -> 127.0.0.3): the tracker counts the
// Transmission seeder about 2.2 s after its start; the qBittorrent leecher
// has the file about 13 s after its start (Transmission unchokes on a 10 s
// timer); seeding from qBittorrent instead takes under 1 s.
//
// Isolation: every process binds 127.0.0.0/8 or ::1 only (or, inside an
// InNetns namespace whose only interface is its own lo, 0.0.0.0), on ports
// chosen free at start; DHT, PEX, LSD and UPnP/NAT-PMP are off in configuration
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
