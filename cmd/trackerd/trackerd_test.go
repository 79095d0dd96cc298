package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// trackerdBinary builds trackerd once per test run.
func trackerdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "trackerd-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "trackerd")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("cannot build trackerd: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// process is a running trackerd.
type process struct {
	path string // its config file
	cmd  *exec.Cmd
	udp  []netip.AddrPort
	http []netip.AddrPort
	logs *logTail
	done chan error
}

// logTail keeps trackerd's stderr for failure reports.
type logTail struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logTail) add(s string) { l.mu.Lock(); l.b.WriteString(s + "\n"); l.mu.Unlock() }
func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testLogConfig is appended to every test config.
const testLogConfig = "\n[log]\nformat = \"json\"\nlevel = \"debug\"\n"

// startTrackerd runs the trackerd binary with the given TOML (JSON logs are
// forced) and waits for its start line, which names the bound addresses.
// Ports are chosen by the kernel: configure ":0" for every listener the
// test uses, and listen = [] for the others (the defaults are port 6969).
func startTrackerd(t *testing.T, toml string) *process {
	t.Helper()
	return startTrackerdWith(t, writeConfig(t, toml+testLogConfig))
}

// startTrackerdWith is startTrackerd for a config file written by the
// caller (ending in testLogConfig), with extra environment variables.
func startTrackerdWith(t *testing.T, path string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(trackerdBinary(t), "-config", path)
	// The race runtime sleeps 1 s at exit by default; stop times are ours.
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{path: path, cmd: cmd, logs: &logTail{}, done: make(chan error, 1)}
	started := make(chan [2][]netip.AddrPort, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.add(sc.Text())
			var line struct {
				Msg  string   `json:"msg"`
				UDP  []string `json:"udp"`
				HTTP []string `json:"http"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "trackerd started" {
				var addrs [2][]netip.AddrPort
				for i, list := range [][]string{line.UDP, line.HTTP} {
					for _, a := range list {
						addrs[i] = append(addrs[i], netip.MustParseAddrPort(a))
					}
				}
				started <- addrs
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("trackerd log:\n%s", p.logs)
		}
	})
	select {
	case addrs := <-started:
		p.udp, p.http = addrs[0], addrs[1]
	case err := <-p.done:
		p.done <- err
		t.Fatalf("trackerd exited before starting: %v\n%s", err, p.logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("trackerd did not start in 20s\n%s", p.logs)
	}
	return p
}

// stop sends sig and returns how long trackerd took to exit.
func (p *process) stop(t *testing.T, sig syscall.Signal) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return time.Since(start), err
	case <-time.After(10 * time.Second):
		t.Fatalf("trackerd did not exit 10s after %v", sig)
	}
	return 0, nil
}

func TestTrackerd_StopsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, backend := range []string{"mmsg", "gnet"} {
			t.Run(sig.String()+"/"+backend, func(t *testing.T) {
				p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\nbackend = \""+backend+"\"\n"+
					"[http]\nlisten = [\"127.0.0.1:0\", \"[::1]:0\"]\n[admin]\nlisten = \"127.0.0.1:0\"\n")
				if len(p.udp) != 2 || p.udp[0].Port() == 0 || len(p.http) != 2 || p.http[0].Port() == 0 {
					t.Fatalf("start line names udp %v, http %v", p.udp, p.http)
				}
				took, err := p.stop(t, sig)
				if err != nil {
					t.Fatalf("exit after %v: %v\n%s", sig, err, p.logs)
				}
				if took > time.Second {
					t.Fatalf("stopping took %v", took)
				}
				t.Logf("stopped in %v", took)
			})
		}
	}
}

func TestTrackerd_BadConfigExits2(t *testing.T) {
	cmd := exec.Command(trackerdBinary(t), "-config", writeConfig(t, "[udp]\nbogus = 1\n"))
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2; output %s", err, out)
	}
	if !strings.Contains(string(out), "udp.bogus") {
		t.Fatalf("error does not name the key: %s", out)
	}
}
