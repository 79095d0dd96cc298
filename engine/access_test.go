package engine

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/codec/ws"
	"github.com/trackerd/trackerd/swarm"
)

// The info hashes the test clients send for torrent n: UDP (udp_test.go),
// HTTP (announceTarget) and WebTorrent (id).
func udpHash(n byte) [20]byte  { return [20]byte{0: n} }
func httpHash(n byte) [20]byte { return [20]byte{0: n, 19: 0x2b} }
func wsHash(n byte) [20]byte {
	var h [20]byte
	for i, r := range []rune(id(n)) { // one byte per char, as in the JSON
		h[i] = byte(r)
	}
	return h
}

// writeList writes an access list of hashes, with comments, and returns
// its path.
func writeList(t *testing.T, path string, hashes ...[20]byte) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test list\n\n")
	for i, h := range hashes {
		fmt.Fprintf(&b, "%s  # torrent %d\n", strings.ToUpper(hex.EncodeToString(h[:])), i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// allowed are the torrents on the test list: 1 on every protocol; 2 is
// not on it.
func accessConfig(t *testing.T, mode string) (Config, string) {
	path := writeList(t, filepath.Join(t.TempDir(), "access.list"), udpHash(1), httpHash(1), wsHash(1))
	cfg := wsConfig()
	cfg.Access = AccessConfig{Mode: mode, File: path}
	return cfg, path
}

func TestAccess(t *testing.T) {
	cfg, _ := accessConfig(t, AccessAllow)
	e := startEngine(t, cfg)
	if e.AccessLen() != 3 {
		t.Fatalf("AccessLen = %d, want 3", e.AccessLen())
	}
	check := func(t *testing.T, on, off byte) {
		// on is served, off refused, on every protocol, announce and scrape.
		t.Run("udp", func(t *testing.T) {
			c := dial(t, e.UDPAddrs()[0])
			c.connect()
			before := e.Count(UDPAccessRefused)
			if r := c.announce(on, 6881, 10, udp.EventStarted); r.Action != udp.ActionAnnounce {
				t.Fatalf("served torrent: action %d %q", r.Action, r.Message)
			}
			if r := c.announce(off, 6881, 10, udp.EventStarted); r.Action != udp.ActionError || string(r.Message) != msgRefused {
				t.Fatalf("refused torrent: action %d %q", r.Action, r.Message)
			}
			if r := c.scrape(off); r.Action != udp.ActionError || string(r.Message) != msgRefused {
				t.Fatalf("scrape of a refused torrent: action %d %q", r.Action, r.Message)
			}
			r := c.scrape(off, on)
			if r.Action != udp.ActionScrape || r.NScrape() != 2 {
				t.Fatalf("mixed scrape: action %d %q", r.Action, r.Message)
			}
			if s, d, l := r.ScrapeEntry(0); s|d|l != 0 {
				t.Fatalf("refused entry %d %d %d, want zeros", s, d, l)
			}
			if _, _, l := r.ScrapeEntry(1); l != 1 {
				t.Fatalf("served entry: %d leechers, want 1", l)
			}
			waitCount(t, e, UDPAccessRefused, before+2)
		})
		t.Run("http", func(t *testing.T) {
			c := dialHTTP(t, e.HTTPAddrs()[0])
			before := e.Count(HTTPAccessRefused)
			if _, body := c.get(announceTarget(on, 7001, 10, "&event=started")); dict(t, body)["failure reason"] != nil {
				t.Fatalf("served torrent: %q", body)
			}
			if _, body := c.get(announceTarget(off, 7001, 10, "")); str(dict(t, body)["failure reason"]) != msgRefused {
				t.Fatalf("refused torrent: %q", body)
			}
			hOn, hOff := httpHash(on), httpHash(off)
			q := func(h [20]byte) string { return "info_hash=" + url.QueryEscape(string(h[:])) }
			if _, body := c.get("/scrape?" + q(hOff)); str(dict(t, body)["failure reason"]) != msgRefused {
				t.Fatalf("scrape of a refused torrent: %q", body)
			}
			_, body := c.get("/scrape?" + q(hOff) + "&" + q(hOn))
			files := dict(t, body)["files"].(map[string]any)
			fOn, _ := files[string(hOn[:])].(map[string]any)
			fOff, _ := files[string(hOff[:])].(map[string]any)
			if fOn["incomplete"] != int64(1) || fOff["incomplete"] != int64(0) || fOff["complete"] != int64(0) {
				t.Fatalf("mixed scrape: %q", body)
			}
			if got := e.Count(HTTPAccessRefused) - before; got != 2 {
				t.Fatalf("%s rose by %d, want 2", CounterNames[HTTPAccessRefused], got)
			}
		})
		t.Run("webtorrent", func(t *testing.T) {
			c := dialWS(t, e.HTTPAddrs()[0], "/announce")
			before := e.Count(WSAccessRefused)
			c.send(ws.OpText, true, announceMsg(on, 1, 0, ""))
			if v := c.json(); v["failure reason"] != nil || v["incomplete"] != float64(1) {
				t.Fatalf("served torrent: %v", v)
			}
			c.send(ws.OpText, true, announceMsg(off, 1, 0, ""))
			if v := c.json(); v["failure reason"] != msgRefused {
				t.Fatalf("refused torrent: %v", v)
			}
			c.send(ws.OpText, true, `{"action":"scrape","info_hash":`+jsonString(id(off))+`}`)
			if v := c.json(); v["failure reason"] != msgRefused {
				t.Fatalf("scrape of a refused torrent: %v", v)
			}
			c.send(ws.OpText, true, `{"action":"scrape","info_hash":[`+jsonString(id(off))+`,`+jsonString(id(on))+`]}`)
			files, _ := c.json()["files"].(map[string]any)
			fOn, _ := files[id(on)].(map[string]any)
			fOff, _ := files[id(off)].(map[string]any)
			if fOn["incomplete"] != float64(1) || fOff["incomplete"] != float64(0) {
				t.Fatalf("mixed scrape: %v", files)
			}
			if got := e.Count(WSAccessRefused) - before; got != 2 {
				t.Fatalf("%s rose by %d, want 2", CounterNames[WSAccessRefused], got)
			}
		})
	}
	t.Run("allow", func(t *testing.T) { check(t, 1, 2) })

	// The same file as a deny list turns the verdicts round, live.
	cfg.Access.Mode = AccessDeny
	if err := e.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	t.Run("deny", func(t *testing.T) { check(t, 2, 1) })
}

func TestAccess_ReloadKeepsOldListOnError(t *testing.T) {
	cfg, path := accessConfig(t, AccessAllow)
	e := startEngine(t, cfg)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(make([]byte, 20))+"\n\nnot-a-hash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := e.Reload(cfg)
	want := fmt.Sprintf("access.file %s:3: %q is not a 40-hex info hash", path, "not-a-hash")
	if err == nil || err.Error() != want {
		t.Fatalf("Reload error %v, want %s", err, want)
	}
	if e.AccessLen() != 3 {
		t.Fatalf("AccessLen = %d after a failed reload, want the old 3", e.AccessLen())
	}
	cfg.Access.File = filepath.Join(t.TempDir(), "missing.list")
	if err := e.Reload(cfg); err == nil || !strings.HasPrefix(err.Error(), "access.file: cannot read") {
		t.Fatalf("Reload of a missing file: %v", err)
	}
	cfg.Access = AccessConfig{Mode: "allowed"}
	if err := e.Reload(cfg); err == nil || !strings.Contains(err.Error(), "access.mode") {
		t.Fatalf("Reload with a bad mode: %v", err)
	}
	c := dial(t, e.UDPAddrs()[0])
	c.connect()
	if r := c.announce(2, 6881, 10, udp.EventStarted); r.Action != udp.ActionError {
		t.Fatalf("old list not in force: action %d", r.Action)
	}
}

func TestAccess_JanitorDropsRefused(t *testing.T) {
	cfg, path := accessConfig(t, AccessDeny)
	writeList(t, path) // nothing denied yet
	e := startEngine(t, cfg)
	c := dial(t, e.UDPAddrs()[0])
	c.connect()
	for ih := byte(1); ih <= 5; ih++ {
		c.announce(ih, 6881, 10, udp.EventStarted)
	}
	w := dialWS(t, e.HTTPAddrs()[0], "/")
	w.send(ws.OpText, true, announceMsg(1, 1, 0, ""))
	w.json()
	w.send(ws.OpText, true, announceMsg(2, 1, 0, ""))
	w.json()
	if n := e.table.Stats().Torrents; n != 5 {
		t.Fatalf("%d torrents, want 5", n)
	}
	writeList(t, path, udpHash(1), udpHash(2), wsHash(1))
	if err := e.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		ip, rtc := e.table.Stats().Torrents, e.rtc.Stats().Torrents
		if ip == 3 && rtc == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the reload: %d IP torrents (want 3), %d WebTorrent (want 1)", ip, rtc)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for ih, want := range map[byte]swarm.Counts{1: {}, 3: {Leechers: 1}} {
		h := swarm.InfoHash(udpHash(ih))
		if got := e.table.Scrape(&h, e.clock.Now()); got != want {
			t.Fatalf("torrent %d: %+v, want %+v", ih, got, want)
		}
	}
}

func TestAccessConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		c    AccessConfig
		want string
	}{
		{AccessConfig{Mode: AccessOff}, ""},
		{AccessConfig{}, ""},
		{AccessConfig{Mode: AccessAllow}, `access.file: required when access.mode is "allow"`},
		{AccessConfig{Mode: AccessDeny, File: "x"}, ""},
		{AccessConfig{Mode: "white"}, `access.mode: "white" is not "off", "allow" or "deny"`},
	} {
		errs := tc.c.validate()
		var got string
		if len(errs) > 0 {
			got = errs[0].Error()
		}
		if got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestReload_LiveSettings(t *testing.T) {
	cfg := wsConfig()
	e := startEngine(t, cfg)
	cfg.Tracker.AnnounceInterval = 10 * time.Minute
	cfg.Tracker.MinInterval = 5 * time.Minute
	cfg.Tracker.MaxScrape = 2
	cfg.WebTorrent.AnnounceInterval = 30 * time.Second
	cfg.UDP.Batch = 3 // needs a restart: ignored
	if err := e.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	c := dial(t, e.UDPAddrs()[0])
	c.connect()
	if r := c.announce(1, 6881, 10, udp.EventStarted); r.Interval > 600 || r.Interval < 570 {
		t.Fatalf("udp interval %d after reload, want 600 less jitter", r.Interval)
	}
	if r := c.scrape(1, 2, 3); r.Action != udp.ActionError || string(r.Message) != msgManyHashes {
		t.Fatalf("udp scrape of 3 with max_scrape 2: action %d %q", r.Action, r.Message)
	}
	h := dialHTTP(t, e.HTTPAddrs()[0])
	_, body := h.get(announceTarget(1, 7001, 10, ""))
	if d := dict(t, body); d["interval"].(int64) > 600 || d["min interval"] != int64(300) {
		t.Fatalf("http after reload: %q", body)
	}
	w := dialWS(t, e.HTTPAddrs()[0], "/")
	w.send(ws.OpText, true, announceMsg(1, 1, 0, ""))
	if v := w.json(); v["interval"] != float64(30) {
		t.Fatalf("webtorrent after reload: %v", v)
	}
	cfg.Tracker.MinInterval = time.Hour // longer than announce_interval: invalid
	if err := e.Reload(cfg); err == nil || !strings.Contains(err.Error(), "tracker.min_interval") {
		t.Fatalf("invalid reload: %v", err)
	}
	if r := c.announce(1, 6881, 10, udp.EventNone); r.Interval > 600 {
		t.Fatalf("a failed reload changed the interval to %d", r.Interval)
	}
}
