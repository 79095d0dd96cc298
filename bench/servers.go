package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Protocols a load run can use. "http" keeps connections alive,
// "http-close" opens one per request.
const (
	ProtoUDP       = "udp"
	ProtoHTTP      = "http"
	ProtoHTTPClose = "http-close"
	ProtoWS        = "ws"
	ProtoWSCrowd   = "ws-crowd"
)

// wsCrowd is the ws-crowd rows' crowd: browsers that join the ws rows'
// ten torrents before the clock starts and then only answer offers, so
// that each swarm holds about a thousand peers, as a popular video's does.
const wsCrowd = 10_000

// isWS reports whether proto is one of the WebSocket rows.
func isWS(proto string) bool { return proto == ProtoWS || proto == ProtoWSCrowd }

// server is one thing the runner can start and load: a tracker or a
// ceiling. Owned by the runner.
type server struct {
	key  string // for -servers and file names: "trackerd-mmsg"
	name string // for tables: "trackerd (mmsg)"
	role string
	// notServed holds, for each protocol the server has a row for but
	// cannot be loaded with, the reason shown in the table. A protocol
	// missing from both notServed and serves gets no row.
	serves    map[string]bool
	notServed map[string]string
	memory    bool // it has a memory row
	// start launches the server on port for proto; the runner pins it.
	start func(r *runner, port int, proto string, logPath string) (*proc, error)
}

// hasUDP reports whether the process started for proto also serves BEP 15,
// so the runner can probe it that way.
func (s *server) hasUDP(proto string) bool {
	return s.serves[ProtoUDP] && (s.role != RoleCeiling || proto == ProtoUDP)
}

// trackerdServer is trackerd with one UDP backend. httpOK says whether this
// build serves HTTP (its -print-config has an [http] table).
func trackerdServer(backend string, httpOK bool, primary bool) *server {
	s := &server{
		key: "trackerd-" + backend, name: "trackerd (" + backend + ")", role: RoleTrackerd,
		serves: map[string]bool{ProtoUDP: true}, notServed: map[string]string{},
		memory: primary,
	}
	if primary { // the HTTP and WebSocket rows belong to the default backend
		if httpOK {
			s.serves[ProtoHTTP], s.serves[ProtoHTTPClose] = true, true
			s.serves[ProtoWS] = true // checked with an upgrade once running
			s.serves[ProtoWSCrowd] = true
		} else {
			const why = "trackerd does not serve HTTP yet (no [http] in -print-config)"
			s.notServed[ProtoHTTP], s.notServed[ProtoHTTPClose] = why, why
			s.notServed[ProtoWS] = "trackerd does not serve WebSocket yet"
			s.notServed[ProtoWSCrowd] = s.notServed[ProtoWS]
		}
	}
	s.start = func(r *runner, port int, _ string, logPath string) (*proc, error) {
		conf := filepath.Join(r.out, fmt.Sprintf("%s-%d.toml", s.key, port))
		if err := os.WriteFile(conf, trackerdConfig(backend, r.cfg.TrackerCPU, port, httpOK), 0o644); err != nil {
			return nil, err
		}
		return startPinned(s.name, r.serverPlacement(), logPath, nil, r.cfg.Trackerd, "-config", conf)
	}
	return s
}

// trackerdConfig returns the TOML for one run: one CPU, loopback only, no
// admin listener, warnings only.
func trackerdConfig(backend string, cpu, port int, httpOK bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# written by trackerbench run\n")
	if cpu >= 0 {
		fmt.Fprintf(&b, "cpus = %q\n", strconv.Itoa(cpu))
	}
	fmt.Fprintf(&b, "\n[udp]\nlisten = [\"127.0.0.1:%d\"]\nbackend = %q\n", port, backend)
	if httpOK {
		fmt.Fprintf(&b, "\n[http]\nlisten = [\"127.0.0.1:%d\"]\n", port)
	}
	fmt.Fprintf(&b, "\n[admin]\nlisten = \"\"\n\n[log]\nlevel = \"warn\"\n")
	return b.Bytes()
}

// trackerdServesHTTP reports whether the trackerd binary has an [http]
// table in its default config.
func trackerdServesHTTP(bin string) (bool, error) {
	out, err := exec.Command(bin, "-print-config").Output()
	if err != nil {
		return false, fmt.Errorf("cannot run %s -print-config: %w", bin, err)
	}
	for line := range strings.Lines(string(out)) {
		if strings.TrimSpace(line) == "[http]" {
			return true, nil
		}
	}
	return false, nil
}

// opentrackerServer is the Debian package's opentracker: UDP and HTTP on
// one port, IPv4 only, with a whitelist of every workload info hash.
func opentrackerServer() *server {
	s := &server{
		key: "opentracker", name: "opentracker", role: RolePeer,
		serves: map[string]bool{ProtoUDP: true, ProtoHTTPClose: true},
		notServed: map[string]string{
			ProtoHTTP:    "closes the connection after every reply: see http-close",
			ProtoWS:      "no WebTorrent",
			ProtoWSCrowd: "no WebTorrent",
		},
		memory: true,
	}
	s.start = func(r *runner, port int, _ string, logPath string) (*proc, error) {
		conf := filepath.Join(r.out, fmt.Sprintf("opentracker-%d.conf", port))
		// Started as root it chroots into tracker.rootdir and drops to
		// tracker.user; the whitelist path is then relative to the root.
		text := fmt.Sprintf("listen.tcp_udp 127.0.0.1:%d\ntracker.rootdir %s\ntracker.user nobody\naccess.whitelist /whitelist.txt\n",
			port, r.otRoot)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			return nil, err
		}
		return startPinned(s.name, r.serverPlacement(), logPath, nil, r.cfg.Opentracker, "-f", conf)
	}
	return s
}

// bittorrentTrackerServer is the npm package bittorrent-tracker, started
// by bench/bittorrent-tracker/server.js: UDP, HTTP and WebSocket.
func bittorrentTrackerServer() *server {
	s := &server{
		key: "bittorrent-tracker", name: "bittorrent-tracker", role: RolePeer,
		serves:    map[string]bool{ProtoUDP: true, ProtoHTTP: true, ProtoHTTPClose: true, ProtoWS: true, ProtoWSCrowd: true},
		notServed: map[string]string{},
		memory:    true,
	}
	s.start = func(r *runner, port int, _ string, logPath string) (*proc, error) {
		return startPinned(s.name, r.serverPlacement(), logPath, nil, "node",
			filepath.Join(r.cfg.NodeDir, "server.js"), strconv.Itoa(port))
	}
	return s
}

// ceilingServer is trackerbench's own do-nothing servers: ceiling-udp for
// UDP, ceiling-http for HTTP.
func ceilingServer() *server {
	s := &server{
		key: "ceiling", name: "ceiling", role: RoleCeiling,
		serves:    map[string]bool{ProtoUDP: true, ProtoHTTP: true, ProtoHTTPClose: true},
		notServed: map[string]string{ProtoWS: "no WebSocket ceiling", ProtoWSCrowd: "no WebSocket ceiling"},
	}
	s.start = func(r *runner, port int, proto string, logPath string) (*proc, error) {
		cmd := "ceiling-http"
		if proto == ProtoUDP {
			cmd = "ceiling-udp"
		}
		return startPinned(s.name, r.serverPlacement(), logPath, nil, r.self, cmd, "-listen", "127.0.0.1:"+strconv.Itoa(port))
	}
	return s
}
