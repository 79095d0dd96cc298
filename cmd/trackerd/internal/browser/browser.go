//go:build linux

package browser

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Transfer proves that a file goes from one Chromium to another through the
// WebSocket tracker at opts.TrackerURL, or fails t with the browsers' log
// tails. See the package documentation.
func Transfer(t testing.TB, opts Options) Result {
	t.Helper()
	require(t)
	u, err := url.Parse(opts.TrackerURL)
	if err != nil || u.Scheme != "ws" {
		t.Fatalf("browser.Transfer: TrackerURL %q is not a ws:// URL", opts.TrackerURL)
	}
	host, err := netip.ParseAddr(u.Hostname())
	if err != nil || !host.IsLoopback() || u.Port() == "" {
		t.Fatalf("browser.Transfer: TrackerURL %q: want a loopback IP address (no name) and a port", opts.TrackerURL)
	}
	if opts.Size == 0 {
		opts.Size = 1 << 20
	}
	if opts.Timeout == 0 {
		opts.Timeout = 90 * time.Second
	}

	dir := t.TempDir()
	// Unix socket paths are limited to 107 bytes; t.TempDir's may be longer.
	sockDir, err := os.MkdirTemp("", "browser")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	payload := make([]byte, opts.Size)
	rand.Read(payload)
	sum := sha256.Sum256(payload)

	pageSock, trackerSock := filepath.Join(sockDir, "page.sock"), filepath.Join(sockDir, "tracker.sock")
	pages := servePages(t, dir, pageSock, payload)
	forward(t, trackerSock, u.Host)
	ns := newNamespace(t, dir, [][2]string{
		{u.Host, trackerSock}, // the same address inside, so the page uses TrackerURL as is
		{net.JoinHostPort(host.String(), "0"), pageSock},
	})
	page := "http://" + ns.addrs[1] + "/?"
	t.Logf("browser: %d-byte payload, tracker %s, pages at %s in a private network namespace", opts.Size, opts.TrackerURL, page)

	var r Result
	start := time.Now()
	deadline := start.Add(opts.Timeout)
	seeder := startChromium(t, ns, dir, "seeder", host, page+url.Values{"role": {"seed"}, "tracker": {opts.TrackerURL}}.Encode())
	r.InfoHash = pages.wait(t, "seed", deadline, seeder, ns.relay).InfoHash
	r.Seeded = time.Since(start)

	start = time.Now()
	leecher := startChromium(t, ns, dir, "leecher", host, page+url.Values{"role": {"leech"}, "tracker": {opts.TrackerURL}, "infohash": {r.InfoHash}}.Encode())
	got := pages.wait(t, "leech", deadline, seeder, leecher, ns.relay).SHA256
	r.Downloaded = time.Since(start)
	if got != hex.EncodeToString(sum[:]) {
		t.Fatalf("browser: leecher's copy has SHA-256 %s, want %x", got, sum)
	}
	t.Logf("browser: info hash %s; tracker answered the seeder %v after its start; leecher had the file %v after its start",
		r.InfoHash, r.Seeded.Round(time.Millisecond), r.Downloaded.Round(time.Millisecond))
	return r
}

// sourceDir is this package's directory, which holds ./relay; testdata is
// the page's (page.html, page.js, and node_modules from package-lock.json).
var (
	sourceDir = func() string { _, file, _, _ := runtime.Caller(0); return filepath.Dir(file) }()
	testdata  = filepath.Join(sourceDir, "..", "..", "testdata", "browser")
	bundle    = filepath.Join(testdata, "node_modules", "webtorrent", "dist", "webtorrent.min.js")
)

// require skips t unless Chromium, nsenter, go and the npm packages are
// installed (.ci/install-deps installs them). When env CI is set or
// TRACKERD_E2E=1 (make e2e), a missing one fails t instead, so a broken
// install never passes as a skip.
func require(t testing.TB) {
	t.Helper()
	missing := func(what string, err error) {
		t.Helper()
		if os.Getenv("CI") != "" || os.Getenv("TRACKERD_E2E") == "1" {
			t.Fatalf("%s not installed (run .ci/install-deps): %v", what, err)
		}
		t.Skipf("%s not installed (run .ci/install-deps): %v", what, err)
	}
	for _, b := range []string{"chromium", "nsenter", "go"} {
		if _, err := exec.LookPath(b); err != nil {
			missing(b, err)
		}
	}
	if _, err := os.Stat(bundle); err != nil {
		missing("webtorrent (npm ci in "+testdata+")", err)
	}
}

// chromiumFlags run Chromium headless in the namespace with WebRTC between
// loopback addresses and no traffic of its own.
var chromiumFlags = []string{
	"--headless",     // no display; given a URL, it keeps the page open until stopped
	"--no-sandbox",   // the sandbox needs its own namespaces or a setuid helper; as root in ours Chromium refuses to start without this
	"--disable-gpu",  // there is no GPU; Chromium renders in software without probing for one
	"--disable-quic", // no QUIC (UDP) attempts; the pages use HTTP/1.1 and WebSocket over TCP
	// No first-run UI and no requests of its own (updates, sync, safe
	// browsing lists), which cannot succeed in the namespace.
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	// lo is the only interface, and WebRTC skips loopback addresses
	// unless allowed.
	"--allow-loopback-in-peer-connection",
	// Without a media (camera/microphone) permission, WebRTC gathers
	// candidates only on the interface of the default route, and the
	// namespace has no route: no candidates, no connection. This flag
	// grants media requests without a prompt, which also lifts that limit;
	// the page never asks for media.
	"--use-fake-ui-for-media-stream",
	// Host candidates as IP addresses, not random .local names that only
	// mDNS resolves. (The media permission above already turns the .local
	// names off in Chromium 156; this keeps them off should it not.)
	"--disable-features=WebRtcHideLocalIpsWithMdns",
	// Console messages and errors to stderr, which is a log file.
	"--enable-logging=stderr",
	"--v=0",
}

// startChromium starts Chromium in the namespace with a fresh profile in
// dir/name, showing pageURL, with host the only address it can reach.
func startChromium(t testing.TB, ns *namespace, dir, name string, host netip.Addr, pageURL string) *process {
	t.Helper()
	home := filepath.Join(dir, name)
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"chromium"}, chromiumFlags...)
	args = append(args, "--user-data-dir="+filepath.Join(home, "profile"),
		// Every name, and every IP literal but host, maps to "not found":
		// nothing is looked up, and nothing but host is reached.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE "+host.String(),
		pageURL)
	cmd := ns.command(args...)
	// TMPDIR: Chromium leaves its org.chromium.Chromium.* socket dirs there.
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home, "TMPDIR="+home)
	return start(t, dir, name, cmd)
}

// A pageServer serves the page, the webtorrent bundle and the payload over
// HTTP on a Unix socket, and collects what the pages report.
type pageServer struct {
	results map[string]chan result // by role
	mu      sync.Mutex             // serializes log writes
}

// result is what a page reports: seeders their info hash, leechers the
// SHA-256 of their copy, both an error if they fail.
type result struct {
	InfoHash string `json:"infoHash"`
	SHA256   string `json:"sha256"`
	Error    string `json:"error"`
}

func servePages(t testing.TB, dir, sock string, payload []byte) *pageServer {
	t.Helper()
	ps := &pageServer{results: map[string]chan result{"seed": make(chan result, 1), "leech": make(chan result, 1)}}
	mux := http.NewServeMux()
	for path, file := range map[string]string{
		"/{$}":               filepath.Join(testdata, "page.html"),
		"/page.js":           filepath.Join(testdata, "page.js"),
		"/webtorrent.min.js": bundle,
	} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, file) })
	}
	mux.HandleFunc("GET /payload", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "payload.bin", time.Time{}, bytes.NewReader(payload))
	})
	mux.HandleFunc("POST /log/{role}", func(w http.ResponseWriter, r *http.Request) {
		role := r.PathValue("role")
		if ps.results[role] == nil {
			http.NotFound(w, r)
			return
		}
		line, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		ps.mu.Lock()
		defer ps.mu.Unlock()
		f, err := os.OpenFile(filepath.Join(dir, "page-"+role+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s\n", time.Now().Format("15:04:05.000"), line)
			f.Close()
		}
	})
	mux.HandleFunc("POST /result/{role}", func(w http.ResponseWriter, r *http.Request) {
		results := ps.results[r.PathValue("role")]
		if results == nil {
			http.NotFound(w, r)
			return
		}
		var res result
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&res); err != nil {
			res.Error = "bad result: " + err.Error()
		}
		select {
		case results <- res:
		default: // only the first result counts
		}
	})
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			for _, role := range []string{"seed", "leech"} {
				if name := filepath.Join(dir, "page-"+role+".log"); fileExists(name) {
					t.Logf("--- %s page: tail of %s ---\n%s", role, name, tail(name, 40))
				}
			}
		}
	})
	return ps
}

// wait returns the result the page of role reports, or fails t when the
// page reports an error, when one of procs exits, or at deadline.
func (ps *pageServer) wait(t testing.TB, role string, deadline time.Time, procs ...*process) result {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-ps.results[role]:
			if r.Error != "" {
				t.Fatalf("browser: %s page failed: %s", role, r.Error)
			}
			return r
		case <-tick.C:
		}
		for _, p := range procs {
			if err := p.exited(); err != nil {
				t.Fatalf("browser: waiting for the %s page: %v", role, err)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser: no result from the %s page by the deadline (Timeout)", role)
		}
	}
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
