package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartFunc starts a BitTorrent client on torrentPath with its data in
// dataDir (a seeder finds the complete file there, a leecher saves into it),
// binding and announcing from bindIP ("127.0.0.2", "::1"). It fails t if the
// client cannot start and stops the client in t.Cleanup.
type StartFunc func(t testing.TB, torrentPath, dataDir, bindIP string) *Client

// stopTimeout bounds a client's graceful shutdown before it is killed.
const stopTimeout = 10 * time.Second

// Client is a client process started by this package. Its methods are safe
// for concurrent use; its fields are read-only.
type Client struct {
	// Name identifies the client in logs ("transmission", "qbittorrent").
	Name string
	// Logs are the client's log files, whose tails cleanup prints when the
	// test has failed.
	Logs []string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result; read only after done is closed

	// trackerErrors, if set by the StartFunc, implements TrackerErrors.
	trackerErrors func() ([]string, error)
}

// TrackerErrors returns the tracker failures and warnings the client has
// reported so far: failure reasons and warning messages from the tracker,
// replies it could not parse, a tracker it could not reach. Transmission
// and aria2c are read from their logs (also after they exited), qBittorrent
// from its Web API (only while it runs). A client with no way to tell
// returns nil, nil.
func (c *Client) TrackerErrors() ([]string, error) {
	if c.trackerErrors == nil {
		return nil, nil
	}
	return c.trackerErrors()
}

// Wait waits up to timeout for the process to exit by itself and returns
// its exit error (nil for status 0).
func (c *Client) Wait(timeout time.Duration) error {
	select {
	case <-c.done:
		return c.err
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %v", c.Name, timeout)
	}
}

// grepLog returns the lines of the file at path that match re, with
// carriage returns read as line ends and repeated lines folded.
func grepLog(path string, re *regexp.Regexp) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if re.MatchString(l) && (len(lines) == 0 || lines[len(lines)-1] != l) {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// startClient runs args in dir with HOME=dir, stdout and stderr in files in
// dir. Stop and, if t failed, the tails of those files and of extraLogs are
// registered in t.Cleanup.
func startClient(t testing.TB, name, dir string, extraLogs []string, args ...string) *Client {
	t.Helper()
	stdout, err := os.Create(filepath.Join(dir, name+".stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(dir, name+".stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CACHE_HOME="+dir)
	cmd.Stdout, cmd.Stderr = stdout, stderr // stdin is /dev/null
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	c := &Client{Name: name, Logs: append([]string{stdout.Name(), stderr.Name()}, extraLogs...), cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	t.Logf("started %s (pid %d): %s", name, cmd.Process.Pid, strings.Join(args, " "))
	t.Cleanup(func() {
		start := time.Now()
		c.Stop()
		t.Logf("stopped %s (pid %d) in %v", name, cmd.Process.Pid, time.Since(start).Round(time.Millisecond))
		if t.Failed() {
			t.Log(c.LogTail(30))
		}
	})
	return c
}

// Exited returns a non-nil error once the process has exited.
func (c *Client) Exited() error {
	select {
	case <-c.done:
		if c.err == nil {
			return fmt.Errorf("%s exited", c.Name)
		}
		return fmt.Errorf("%s exited: %w", c.Name, c.err)
	default:
		return nil
	}
}

// Stop sends SIGTERM to the process and kills it if it has not exited
// within 10 s. It is idempotent.
func (c *Client) Stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(stopTimeout):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// LogTail returns the last n lines of each of the client's log files,
// treating carriage returns as line ends and folding repeated lines (status
// lines of transmission-cli).
func (c *Client) LogTail(n int) string {
	var b strings.Builder
	for _, p := range c.Logs {
		fmt.Fprintf(&b, "--- %s: tail of %s ---\n", c.Name, p)
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(&b, "%v\n", err)
			continue
		}
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimRight(l, " ")
			if l != "" && (len(lines) == 0 || lines[len(lines)-1] != l) {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			b.WriteString("(empty)\n")
		}
		for _, l := range lines[max(0, len(lines)-n):] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FreePort returns a port that is free for both TCP and UDP on every one of
// ips at the time of the call.
func FreePort(t testing.TB, ips ...string) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", net.JoinHostPort(ips[0], "0"))
		if err != nil {
			t.Fatalf("free port on %s: %v", ips[0], err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		ok := probePort(ips, port)
		l.Close()
		if ok {
			return port
		}
	}
	t.Fatalf("no free port on %v", ips)
	return 0
}

// probePort reports whether port is free for UDP on all ips and for TCP on
// all but the first (which the caller holds).
func probePort(ips []string, port int) bool {
	for i, ip := range ips {
		addr := net.JoinHostPort(ip, strconv.Itoa(port))
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		defer u.Close()
		if i > 0 {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return false
			}
			defer l.Close()
		}
	}
	return true
}

// parseLoopback returns ip if it is a loopback address, for the clients'
// bind addresses.
func parseLoopback(ip string) (netip.Addr, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return a, err
	}
	if !a.IsLoopback() {
		return a, errors.New("not a loopback address: " + ip)
	}
	return a, nil
}

// Require skips t unless every named binary is on PATH; .ci/install-deps
// installs them. When env CI is set or TRACKERD_E2E=1 (make e2e), a missing
// binary fails t instead, so a broken install never passes as a skip.
func Require(t testing.TB, binaries ...string) {
	t.Helper()
	must := os.Getenv("CI") != "" || os.Getenv("TRACKERD_E2E") == "1"
	for _, b := range binaries {
		if _, err := exec.LookPath(b); err != nil {
			if must {
				t.Fatalf("%s not installed (run .ci/install-deps): %v", b, err)
			}
			t.Skipf("%s not installed (run .ci/install-deps): %v", b, err)
		}
	}
}
