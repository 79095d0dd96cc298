package e2e

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TransferOptions configures Transfer. Zero fields take the defaults shown.
type TransferOptions struct {
	// AnnounceURL is the torrent's only tracker: udp://host:port/announce
	// or http://host:port/announce. Required.
	AnnounceURL string
	// SeederIP and LeecherIP are the clients' loopback addresses
	// (default 127.0.0.2 and 127.0.0.3; "::1" for IPv6). The tracker sees
	// each client at its address.
	SeederIP, LeecherIP string
	// Size of the random payload in bytes (default 8 MiB).
	Size int64
	// Timeout bounds the whole transfer, from the seeder's start to the
	// leecher's verified file (default 60 s).
	Timeout time.Duration
	// Seeder and Leecher start the clients (default TransmissionSeeder and
	// QBittorrent).
	Seeder, Leecher StartFunc
	// OnTorrent, if set, is called with the torrent's info hash before any
	// client starts, e.g. to put it on the tracker's access list.
	OnTorrent func(infoHash [20]byte)
}

// TransferResult describes a successful Transfer. Its clients are still
// running; t.Cleanup stops them.
type TransferResult struct {
	InfoHash        [20]byte
	Seeder, Leecher *Client
	// Seeded is the time from the seeder's start until the tracker's
	// scrape counted a seeder.
	Seeded time.Duration
	// Downloaded is the time from the leecher's start until its copy of
	// the file matched the original.
	Downloaded time.Duration
}

// Transfer proves that a file goes from a seeder to a leecher through the
// tracker at opts.AnnounceURL, or fails t (with the clients' log tails):
// it writes a random file, makes a private torrent with AnnounceURL as its
// only tracker, starts the seeder, waits until the tracker's scrape counts a
// seeder (so the leecher's first announce returns it), starts the leecher and
// waits until the leecher's file has the original SHA-256. It then fails t
// (without stopping) for every tracker error or warning either client has
// reported (Client.TrackerErrors).
func Transfer(t testing.TB, opts TransferOptions) TransferResult {
	t.Helper()
	if opts.AnnounceURL == "" {
		t.Fatal("e2e.Transfer: AnnounceURL is required")
	}
	if opts.SeederIP == "" {
		opts.SeederIP = "127.0.0.2"
	}
	if opts.LeecherIP == "" {
		opts.LeecherIP = "127.0.0.3"
	}
	if opts.Size == 0 {
		opts.Size = 8 << 20
	}
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.Seeder == nil {
		opts.Seeder = TransmissionSeeder
	}
	if opts.Leecher == nil {
		opts.Leecher = QBittorrent
	}

	dir := t.TempDir()
	seedDir, leechDir := filepath.Join(dir, "seed"), filepath.Join(dir, "leech")
	for _, d := range []string{seedDir, leechDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file, sum := RandomFile(t, seedDir, opts.Size)
	torrent, infoHash := MakeTorrent(t, file, opts.AnnounceURL)
	t.Logf("e2e: %d-byte payload, torrent %s, info hash %x, tracker %s", opts.Size, torrent, infoHash, opts.AnnounceURL)
	if opts.OnTorrent != nil {
		opts.OnTorrent(infoHash)
	}

	r := TransferResult{InfoHash: infoHash}
	start := time.Now()
	deadline := start.Add(opts.Timeout)
	r.Seeder = opts.Seeder(t, torrent, seedDir, opts.SeederIP)
	var scrapeErr error
	err := poll(deadline, 200*time.Millisecond, func() (bool, error) {
		if err := r.Seeder.Exited(); err != nil {
			return false, err
		}
		var n int
		n, scrapeErr = Scrape(opts.AnnounceURL, infoHash)
		return n > 0, nil
	})
	if err != nil {
		t.Fatalf("e2e: tracker's scrape did not count the seeder within %v (last scrape error: %v): %v", opts.Timeout, scrapeErr, err)
	}
	r.Seeded = time.Since(start)

	start = time.Now()
	r.Leecher = opts.Leecher(t, torrent, leechDir, opts.LeecherIP)
	complete := fileMatches(filepath.Join(leechDir, filepath.Base(file)), sum)
	err = poll(deadline, 100*time.Millisecond, func() (bool, error) {
		// Exits are checked before the file, so that a client that
		// exits once the file is complete (aria2c --seed-time=0) passes.
		var exited error
		for _, c := range []*Client{r.Seeder, r.Leecher} {
			if exited = c.Exited(); exited != nil {
				break
			}
		}
		if ok, err := complete(); ok || err != nil {
			return ok, err
		}
		return false, exited
	})
	if err != nil {
		t.Fatalf("e2e: leecher did not complete the file within %v of the seeder's start: %v", opts.Timeout, err)
	}
	r.Downloaded = time.Since(start)
	// A transfer can succeed past a tracker error (a failed re-announce,
	// a warning), so what the clients reported counts on its own.
	for _, c := range []*Client{r.Seeder, r.Leecher} {
		msgs, err := c.TrackerErrors()
		if err != nil {
			t.Errorf("e2e: cannot read what %s reported about the tracker: %v", c.Name, err)
		}
		for _, m := range msgs {
			t.Errorf("e2e: %s reported a tracker error: %s", c.Name, m)
		}
	}
	t.Logf("e2e: tracker counted the seeder %v after its start; leecher had the file %v after its start",
		r.Seeded.Round(time.Millisecond), r.Downloaded.Round(time.Millisecond))
	return r
}

// WaitFile waits up to timeout until the file at path has SHA-256 sum.
func WaitFile(path string, sum [sha256.Size]byte, timeout time.Duration) error {
	return poll(time.Now().Add(timeout), 100*time.Millisecond, fileMatches(path, sum))
}

// poll calls cond every interval until it returns true or an error, or the
// deadline passes.
func poll(deadline time.Time, interval time.Duration, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(interval)
	}
}

// fileMatches returns a poll condition that is true once the file at path
// has SHA-256 sum. It skips hashing while the file is unchanged since a
// hash of it that was taken after a quiet second (mtime ticks are coarse, so a
// recent mtime may hide a later write).
func fileMatches(path string, sum [sha256.Size]byte) func() (bool, error) {
	var settled os.FileInfo // hashed, mismatched, and quiet at the time
	return func() (bool, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return false, nil // not created yet
		}
		if settled != nil && fi.Size() == settled.Size() && fi.ModTime().Equal(settled.ModTime()) {
			return false, nil
		}
		quiet := time.Since(fi.ModTime()) > time.Second
		f, err := os.Open(path)
		if err != nil {
			return false, nil
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return false, nil
		}
		if [sha256.Size]byte(h.Sum(nil)) == sum {
			return true, nil
		}
		if quiet {
			settled = fi
		}
		return false, nil
	}
}
