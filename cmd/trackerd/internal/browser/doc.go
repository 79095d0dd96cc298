// Package browser is a test helper library that proves a file transfers
// between two real browsers, WebTorrent in Chromium, through a WebSocket
// tracker (WebTorrent signalling). Tests call it against a running tracker:
//
//	browser.Transfer(t, browser.Options{
//		TrackerURL: "ws://127.0.0.1:" + port, // or ws://[::1]:PORT/announce
//		Size:       1 << 20,
//		Timeout:    90 * time.Second,
//	})
//
// Transfer makes a random payload and serves it, with a page (testdata/browser
// page.html, page.js) and webtorrent's browser bundle, from a page server in
// the test process. Chromium A seeds the payload with TrackerURL as the
// torrent's only tracker and reports its info hash once the tracker has
// answered its announce; Chromium B adds that bare info hash with TrackerURL
// as the client's only tracker (no DHT, LSD, PEX or web seeds; the page fails
// if the torrent lists any other tracker), downloads it over WebRTC and
// reports the SHA-256 of its copy, which must equal the payload's. Pages
// report by POSTing to the page server; no DevTools protocol is involved.
//
// Isolation: both browsers (separate processes and profiles) run in one
// private user and network namespace whose only interface is lo, so no
// packet leaves loopback; every host name, and every IP literal but
// TrackerURL's, resolves to "not found". A relay process (./relay, built by
// the test) creates the namespace and listens inside on TrackerURL's address
// and on a page address of the same family, forwarding each connection over
// a Unix socket to the test process, which serves the page and forwards to
// the real tracker on the host's loopback:
//
//	Chromium ─ws://127.0.0.1:P─▶ relay ══tracker.sock══▶ test ─TCP─▶ tracker 127.0.0.1:P
//	Chromium ─http://127.0.0.1:Q─▶ relay ══page.sock══▶ test (page server)
//
// The tracker thus sees WebSocket connections from TrackerURL's family
// (from 127.0.0.1 or ::1). The browsers' WebRTC connection is between
// 127.0.0.1 host candidates in both families' runs: Chromium gathers none
// on ::1.
//
// Timing on 2 cores (Chromium 156, webtorrent 3.0.21, 1 MiB, idle machine):
// the tracker has answered the seeder about 1.5 s after its browser starts;
// the leecher has the file about 2 s after its browser starts; the whole
// test, with the stand-in tracker, takes about 5 s per family. Under heavy
// load (load average 25) each phase took up to 14 s, hence the 90 s default
// timeout.
//
// Requirements: Linux with unprivileged user namespaces, Chromium
// (/usr/bin/chromium), nsenter, the go command, and the npm packages of
// testdata/browser/package-lock.json (npm ci --ignore-scripts); all come from
// .ci/install-deps. Missing ones skip the test, or fail it when env CI is set
// or TRACKERD_E2E=1.
//
// Processes are stopped by PID in t.Cleanup and killed if the test binary
// dies. Their output, and each page's log, go to files in the test's temp
// dir; when the test has failed, cleanup prints their tails with t.Log.
// Transfer calls t.Fatal and must be called from the test's goroutine.
package browser
