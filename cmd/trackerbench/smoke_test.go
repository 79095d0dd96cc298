package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/bench"
)

// TestLoad_AgainstTrackerd runs every load generator briefly against a real
// trackerd: each must get valid replies, and none may count a failure. It
// is what keeps the generators of make bench honest between bench runs.
func TestLoad_AgainstTrackerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts trackerd")
	}
	target, pid := startTrackerd(t)
	cases := []struct {
		name string
		args []string
		want func(c bench.Counts) bool
	}{
		{"udp", []string{"-mode", "udp"}, func(c bench.Counts) bool { return c.Connect > 0 && c.Announce > 0 }},
		{"http", []string{"-mode", "http", "-conns", "8"}, func(c bench.Counts) bool { return c.Announce > 0 }},
		{"http-close", []string{"-mode", "http-close", "-conns", "4"}, func(c bench.Counts) bool { return c.Announce > 0 }},
		{"ws", []string{"-mode", "ws"}, func(c bench.Counts) bool { return c.Announce > 0 && c.Offer > 0 && c.Answer > 0 }},
		// A crowd: the offers of the 16 active peers reach quiet ones, who answer.
		{"ws-crowd", []string{"-mode", "ws", "-ws-crowd", "300", "-ws-conns", "4"}, func(c bench.Counts) bool { return c.Announce > 0 && c.Answer > 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"load", "-target", target, "-warmup", "300ms", "-duration", "1s",
				"-torrents", "1000", "-peers", "5000", "-server-pid", pid}, tc.args...)
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != exitOK {
				t.Fatalf("trackerbench %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
			}
			var res bench.Result
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("result: %v\n%s", err, stdout.String())
			}
			if f := res.Totals.Failures(); f != 0 {
				t.Errorf("%d failures: first error %q, first invalid %q\n%s", f, res.FirstError, res.FirstInvalid, stderr.String())
			}
			if !tc.want(res.Totals) {
				t.Errorf("replies missing: %+v\n%s", res.Totals, stderr.String())
			}
		})
	}
}

// startTrackerd builds and starts trackerd on loopback ports of the
// kernel's choosing, UDP and HTTP on one port number each, and returns the
// address the generators take (UDP and HTTP share it) and its PID.
func startTrackerd(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "trackerd")
	if out, err := exec.Command("go", "build", "-o", bin, "../trackerd").CombinedOutput(); err != nil {
		t.Fatalf("cannot build trackerd: %v\n%s", err, out)
	}
	// One port for both protocols, as the generators expect: take a free
	// TCP port and try it for UDP too; retry on the rare clash.
	for attempt := 0; attempt < 5; attempt++ {
		port := freeTCPPort(t)
		conf := filepath.Join(dir, "tracker.toml")
		text := "[udp]\nlisten = [\"127.0.0.1:" + port + "\"]\n[http]\nlisten = [\"127.0.0.1:" + port +
			"\"]\n[admin]\nlisten = \"\"\n[log]\nformat = \"json\"\n"
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-config", conf)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		started := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			ok := false
			for sc.Scan() {
				if !ok && strings.Contains(sc.Text(), `"msg":"trackerd started"`) {
					ok = true
					started <- true
				}
			}
			if !ok {
				started <- false
			}
		}()
		select {
		case ok := <-started:
			if !ok { // the port was taken for UDP: try another
				_ = cmd.Wait()
				continue
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("trackerd did not start in 10 s")
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		})
		return "127.0.0.1:" + port, strconv.Itoa(cmd.Process.Pid)
	}
	t.Fatal("no port free for both UDP and TCP after 5 tries")
	return "", ""
}

func freeTCPPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
