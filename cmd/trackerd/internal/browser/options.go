package browser

import "time"

// Options configures Transfer. Zero fields take the defaults shown.
type Options struct {
	// TrackerURL is the torrent's only tracker, a WebSocket tracker on the
	// host's loopback: ws://127.0.0.1:PORT or ws://[::1]:PORT, with or
	// without a path such as /announce. Required. Its address family is
	// the test's: the browsers reach the tracker and the page server
	// inside the namespace at that address.
	TrackerURL string
	// Size of the random payload in bytes (default 1 MiB).
	Size int
	// Timeout bounds the whole transfer, from the seeder's start to the
	// leecher's checksum (default 90 s).
	Timeout time.Duration
}

// Result describes a successful Transfer.
type Result struct {
	InfoHash string // hex
	// Seeded is the time from the seeding browser's start until the
	// tracker had answered its announce.
	Seeded time.Duration
	// Downloaded is the time from the leeching browser's start until it
	// reported the SHA-256 of its copy.
	Downloaded time.Duration
}
