package e2e

import (
	"crypto/sha1"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTransfer_Opentracker proves the harness against Debian's opentracker
// as a stand-in tracker, over UDP and over HTTP. It runs only with
// TRACKERD_E2E_STANDIN=opentracker (apt-get install opentracker).
func TestTransfer_Opentracker(t *testing.T) {
	if os.Getenv("TRACKERD_E2E_STANDIN") != "opentracker" {
		t.Skip("set TRACKERD_E2E_STANDIN=opentracker to run against Debian's opentracker")
	}
	if _, err := exec.LookPath("opentracker"); err != nil {
		t.Skip("opentracker not installed (apt-get install opentracker):", err)
	}
	for _, scheme := range []string{"udp", "http"} {
		t.Run(scheme, func(t *testing.T) {
			port := FreePort(t, "127.0.0.1")
			r := Transfer(t, TransferOptions{
				AnnounceURL: fmt.Sprintf("%s://127.0.0.1:%d/announce", scheme, port),
				SeederIP:    "127.0.0.2",
				LeecherIP:   "127.0.0.3",
				Size:        8 << 20,
				Timeout:     60 * time.Second,
				OnTorrent: func(infoHash [20]byte) {
					startOpentracker(t, port, infoHash)
				},
			})
			// The tracker must see each client at its own address.
			peers := announcePeers(t, port, r.InfoHash)
			for _, want := range []string{"127.0.0.2", "127.0.0.3"} {
				if !slices.ContainsFunc(peers, func(p netip.AddrPort) bool { return p.Addr().String() == want }) {
					t.Errorf("tracker peers %v: no peer at %s", peers, want)
				}
			}
		})
	}
}

// startOpentracker runs opentracker on 127.0.0.1:port (TCP and UDP) serving
// only infoHash (the Debian build serves whitelisted hashes only) and waits
// until it accepts connections. As root it chroots into its temp dir and
// runs as nobody, so paths in its config are relative to that dir.
func startOpentracker(t testing.TB, port int, infoHash [20]byte) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // readable as nobody after chroot
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "whitelist.txt"), fmt.Appendf(nil, "%x\n", infoHash), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("listen.tcp_udp 127.0.0.1:%d\n", port)
	if os.Geteuid() == 0 {
		conf += "tracker.rootdir " + dir + "\ntracker.user nobody\naccess.whitelist /whitelist.txt\n"
	} else {
		conf += "access.whitelist " + filepath.Join(dir, "whitelist.txt") + "\n"
	}
	confPath := filepath.Join(dir, "opentracker.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startClient(t, "opentracker", dir, nil, "opentracker", "-f", confPath)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	err := poll(time.Now().Add(5*time.Second), 50*time.Millisecond, func() (bool, error) {
		if err := c.Exited(); err != nil {
			return false, err
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, nil
		}
		conn.Close()
		return true, nil
	})
	if err != nil {
		t.Fatalf("opentracker on %s: %v", addr, err)
	}
}

// announcePeers joins the swarm over HTTP (opentracker serves HTTP on its
// UDP port number too) as a leecher on port 1, returns the peers the
// tracker lists, and leaves again.
func announcePeers(t testing.TB, port int, infoHash [20]byte) []netip.AddrPort {
	t.Helper()
	announce := func(event string) []byte {
		q := url.Values{
			"peer_id": {"-E2E000-e2e-harness-"}, "port": {"1"}, "uploaded": {"0"},
			"downloaded": {"0"}, "left": {"1"}, "compact": {"1"}, "numwant": {"50"}, "event": {event},
		}
		u := fmt.Sprintf("http://127.0.0.1:%d/announce?info_hash=%s&%s", port, percentEncode(infoHash[:]), q.Encode())
		client := http.Client{Timeout: 5 * time.Second}
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	body := announce("started")
	defer announce("stopped")
	v, _, err := bdecode(body, 0)
	d, _ := v.(map[string]any)
	compact, ok := d["peers"].(string)
	if err != nil || !ok || len(compact)%6 != 0 {
		t.Fatalf("announce reply %q: no compact peers (%v)", body, err)
	}
	var peers []netip.AddrPort
	for p := []byte(compact); len(p) > 0; p = p[6:] {
		peers = append(peers, netip.AddrPortFrom(netip.AddrFrom4([4]byte(p[:4])), uint16(p[4])<<8|uint16(p[5])))
	}
	return peers
}

// TestInfoHash checks InfoHash against a torrent made by hand.
func TestInfoHash(t *testing.T) {
	info := "d6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae"
	got, err := InfoHash([]byte("d8:announce3:url4:info" + info + "e"))
	if err != nil {
		t.Fatal(err)
	}
	if want := sha1.Sum([]byte(info)); got != want {
		t.Errorf("InfoHash = %x, want %x", got, want)
	}
}

// TestTrackerErrors proves Client.TrackerErrors against a stand-in HTTP
// tracker that answers every announce with a failure reason: each client
// must report it. It runs with TRACKERD_E2E=1.
func TestTrackerErrors(t *testing.T) {
	if os.Getenv("TRACKERD_E2E") != "1" {
		t.Skip("end-to-end test with real clients; run with TRACKERD_E2E=1")
	}
	const reason = "torrent not registered here"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "d14:failure reason%d:%se", len(reason), reason)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	for _, tc := range []struct {
		name  string
		start StartFunc
		ip    string
	}{
		{name: "transmission", start: TransmissionSeeder, ip: "127.0.0.2"},
		{name: "qbittorrent", start: QBittorrent, ip: "127.0.0.3"},
		{name: "aria2c", start: Aria2Leecher, ip: "127.0.0.4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file, _ := RandomFile(t, dir, 1<<20)
			torrent, _ := MakeTorrent(t, file, "http://"+l.Addr().String()+"/announce")
			if tc.name == "aria2c" {
				dir = t.TempDir() // a leecher only: it refuses to overwrite the file
			}
			c := tc.start(t, torrent, dir, tc.ip)
			var got []string
			var lastErr error // the log or the Web API may not be there yet
			err := poll(time.Now().Add(20*time.Second), 200*time.Millisecond, func() (bool, error) {
				got, lastErr = c.TrackerErrors()
				return len(got) > 0, nil
			})
			if err != nil {
				t.Fatalf("no tracker error reported: %v (last error: %v)", err, lastErr)
			}
			if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, reason) }) {
				t.Errorf("tracker errors %q do not name the failure reason %q", got, reason)
			}
			t.Logf("%s reported: %q", c.Name, got)
		})
	}
}
