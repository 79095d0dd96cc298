package main

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
)

// udpTracker is a BEP 15 client of a running trackerd.
type udpTracker struct {
	t      *testing.T
	conn   *net.UDPConn
	connID uint64
	tx     uint32
	buf    [2048]byte
	resp   udp.Response
}

func dialTracker(t *testing.T, p *process) *udpTracker {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(p.udp[0]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	u := &udpTracker{t: t, conn: c}
	u.connID = u.do(&udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect}).ConnID
	return u
}

func (u *udpTracker) do(r *udp.Request) *udp.Response {
	u.t.Helper()
	u.tx++
	r.TxID = u.tx
	if _, err := u.conn.Write(udp.AppendRequest(nil, r)); err != nil {
		u.t.Fatal(err)
	}
	u.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := u.conn.Read(u.buf[:])
	if err != nil {
		u.t.Fatalf("no reply to action %d: %v", r.Action, err)
	}
	if err := u.resp.Parse(u.buf[:n], udp.PeerSizeV4); err != nil || u.resp.TxID != u.tx {
		u.t.Fatalf("bad reply %x: %v", u.buf[:n], err)
	}
	return &u.resp
}

// announce announces torrent ih (its first byte; the rest zero) and returns
// the interval, or the error message.
func (u *udpTracker) announce(ih byte) (uint32, string) {
	u.t.Helper()
	r := &udp.Request{ConnID: u.connID, Action: udp.ActionAnnounce}
	r.Announce.InfoHash[0] = ih
	r.Announce.Port = 6881
	r.Announce.Left = 1
	r.Announce.NumWant = -1
	resp := u.do(r)
	if resp.Action == udp.ActionError {
		return 0, string(resp.Message)
	}
	return resp.Interval, ""
}

// waitLog waits until the log holds n lines containing all of subs.
func waitLog(t *testing.T, p *process, n int, subs ...string) {
	t.Helper()
	count := func() int {
		c := 0
	lines:
		for _, l := range strings.Split(p.logs.String(), "\n") {
			for _, s := range subs {
				if !strings.Contains(l, s) {
					continue lines
				}
			}
			c++
		}
		return c
	}
	for deadline := time.Now().Add(10 * time.Second); count() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q (want %d)\n%s", subs, n, p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTrackerd_Reload(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "allow.list")
	const hashA = "0100000000000000000000000000000000000000" // torrent 1
	const hashB = "0200000000000000000000000000000000000000" // torrent 2
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(list, "# served torrents\n"+hashA+" # one\n")
	base := "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n" +
		"[access]\nmode = \"allow\"\nfile = \"" + list + "\"\n"
	p := startTrackerd(t, base)
	u := dialTracker(t, p)
	hup := func() {
		t.Helper()
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	const refused = "torrent not served by this tracker"
	if iv, msg := u.announce(1); msg != "" || iv > 1800 || iv < 1710 {
		t.Fatalf("allowed torrent: interval %d, error %q", iv, msg)
	}
	if _, msg := u.announce(2); msg != refused {
		t.Fatalf("torrent not on the list: error %q, want %q", msg, refused)
	}

	// A new list: torrent 1 now refused, torrent 2 served.
	write(list, hashB+"\n")
	hup()
	waitLog(t, p, 1, "config reloaded")
	if _, msg := u.announce(1); msg != refused {
		t.Fatalf("after the new list, torrent 1: error %q, want %q", msg, refused)
	}
	if _, msg := u.announce(2); msg != "" {
		t.Fatalf("after the new list, torrent 2: error %q", msg)
	}

	// A broken list is refused whole, naming file:line; the old one stays.
	write(list, hashA+"\n\n"+hashA[:39]+"\n")
	hup()
	waitLog(t, p, 1, "reload failed", list+":3", "is not a 40-hex info hash")
	if _, msg := u.announce(2); msg != "" {
		t.Fatalf("after a broken list, torrent 2: error %q", msg)
	}
	if _, msg := u.announce(1); msg != refused {
		t.Fatalf("after a broken list, torrent 1: error %q", msg)
	}
	write(list, hashB+"\n")

	// A broken config: still running, old settings.
	write(p.path, base+"[tracker]\nbogus = 1\n")
	hup()
	waitLog(t, p, 1, "reload failed", p.path, "unknown key tracker.bogus")
	write(p.path, base+"[tracker]\nannounce_interval = \"1m\"\nmin_interval = \"2m\"\n"+testLogConfig)
	hup()
	waitLog(t, p, 1, "reload failed", "tracker.min_interval")
	if iv, msg := u.announce(2); msg != "" || iv < 1710 {
		t.Fatalf("after broken configs: interval %d, error %q", iv, msg)
	}

	// A live change shows in the next reply; a restart-only change is
	// named in a warning and not applied.
	write(p.path, strings.Replace(base, "[udp]\n", "[udp]\nbatch = 16\n", 1)+
		"[tracker]\nannounce_interval = \"10m\"\nmin_interval = \"5m\"\n"+testLogConfig)
	hup()
	waitLog(t, p, 2, "config reloaded")
	if iv, msg := u.announce(2); msg != "" || iv > 600 || iv < 570 {
		t.Fatalf("after announce_interval = 10m: interval %d, error %q", iv, msg)
	}
	waitLog(t, p, 1, "config changed", "tracker.announce_interval", "10m0s")
	waitLog(t, p, 1, "WARN", "need a restart", "udp.batch")
	if strings.Contains(p.logs.String(), "tracker.announce_interval, ") || strings.Count(p.logs.String(), "need a restart") != 1 {
		t.Fatalf("restart warning names a live key or repeats:\n%s", p.logs)
	}

	if _, err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

// A reload is validated with the restart-only keys at their running values:
// a longer announce interval must fit the peer timeout in force, not the
// one the file asks for at the next restart.
func TestKeepRunning(t *testing.T) {
	running := defaultConfig()
	next := defaultConfig()
	next.Tracker.AnnounceInterval = 90 * time.Minute
	next.Tracker.PeerTimeout = 180 * time.Minute // restart only
	next.UDP.Listen = []string{"127.0.0.1:7000"} // restart only
	next.Tracker.MaxScrape = 10                  // live

	cfg := keepRunning(next, running)
	if cfg.Tracker.PeerTimeout != running.Tracker.PeerTimeout || !slices.Equal(cfg.UDP.Listen, running.UDP.Listen) {
		t.Errorf("restart-only keys changed: peer_timeout %v, udp.listen %v", cfg.Tracker.PeerTimeout, cfg.UDP.Listen)
	}
	if cfg.Tracker.MaxScrape != 10 || cfg.Tracker.AnnounceInterval != 90*time.Minute {
		t.Errorf("live keys not taken: max_scrape %d, announce_interval %v", cfg.Tracker.MaxScrape, cfg.Tracker.AnnounceInterval)
	}
	if _, _, err := cfg.resolve(); err == nil || !strings.Contains(err.Error(), "tracker.peer_timeout") {
		t.Errorf("announce_interval 90m against the running peer_timeout 60m: err %v, want one naming tracker.peer_timeout", err)
	}
}

// Reloads queued behind one another never crowd out a stop: SIGHUPs sent
// in a burst, then SIGTERM, and trackerd exits.
func TestTrackerd_StopAfterReloadBurst(t *testing.T) {
	p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n")
	for range 5 {
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.logs)
	}
}
