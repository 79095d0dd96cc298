package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Aria2Leecher starts aria2c (Debian package aria2, 1.36) downloading
// torrentPath into saveDir; it is a StartFunc for the leecher role. The
// command line, for the record:
//
//	aria2c --no-conf --interface=<bindIP> --disable-ipv6=<bindIP is IPv4>
//	  --listen-port=<free> --enable-dht=false --enable-dht6=false
//	  --bt-enable-lpd=false --enable-peer-exchange=false --seed-time=0
//	  --dir=<saveDir> --file-allocation=none --log=<dir>/aria2.log
//	  --log-level=info --summary-interval=0 --console-log-level=notice
//	  --enable-color=false --torrent-file=<torrentPath>
//
// --interface binds every socket to bindIP: the BitTorrent listener, peer
// connections and HTTP tracker requests (tcpdump shows all three from it);
// --bt-external-ip would only add an ip= parameter that trackers ignore.
// aria2c speaks UDP trackers only over IPv4 and only with DHT on ("It also
// enables UDP tracker support", aria2c(1) on --enable-dht), so it is an HTTP
// tracker client here. DHT, LPD and peer exchange are off (and a private
// torrent disables them anyway). With --seed-time=0 aria2c exits,
// status 0, once the file is complete and it has announced event=stopped;
// Transfer accepts a leecher that exits after its file matches.
func Aria2Leecher(t testing.TB, torrentPath, saveDir, bindIP string) *Client {
	t.Helper()
	Require(t, "aria2c")
	ip, err := parseLoopback(bindIP)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "aria2.log")
	c := startClient(t, "aria2c", dir, []string{log}, "aria2c", "--no-conf",
		"--interface="+bindIP,
		"--disable-ipv6="+strconv.FormatBool(ip.Is4()),
		"--listen-port="+strconv.Itoa(FreePort(t, bindIP)),
		"--enable-dht=false", "--enable-dht6=false",
		"--bt-enable-lpd=false", "--enable-peer-exchange=false",
		"--seed-time=0",
		"--dir="+saveDir,
		"--file-allocation=none",
		"--log="+log, "--log-level=info",
		"--summary-interval=0", "--console-log-level=notice",
		"--enable-color=false",
		"--torrent-file="+torrentPath)
	c.trackerErrors = func() ([]string, error) { return aria2TrackerErrors(log) }
	return c
}

// aria2TrackerError matches aria2c's log lines about a failed or warned
// announce, e.g. "[ERROR] [TrackerWatcherCommand.cc:130] GID#.. - Tracker
// request http://.. failed" and "[WARN] [DefaultBtAnnounce.cc:307] Tracker
// returned warning message: ..".
var aria2TrackerError = regexp.MustCompile(`\[(ERROR|WARN)\].*[Tt]racker`)

// aria2TrackerErrors returns the lines of aria2c's log at path that match
// aria2TrackerError, each with the "Exception: .." lines that follow it
// (they carry the failure reason or the parse error).
func aria2TrackerErrors(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var errs []string
	inError := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case aria2TrackerError.MatchString(l):
			errs = append(errs, l)
			inError = true
		case inError && strings.HasPrefix(l, "Exception: "):
			errs[len(errs)-1] += " | " + l
		default:
			inError = false
		}
	}
	return errs, sc.Err()
}
