package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeSystemd is a NOTIFY_SOCKET listener.
type fakeSystemd struct {
	name string
	conn *net.UnixConn
	msgs chan string
}

// listenNotify listens on name: a path, or an abstract name with a
// leading '@'.
func listenNotify(t *testing.T, name string) *fakeSystemd {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	if name[0] == '/' {
		// A trackerd that drops privileges connects before the drop; the
		// socket is as open as systemd's own.
		if err := os.Chmod(name, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	sd := &fakeSystemd{name: name, conn: conn, msgs: make(chan string, 100)}
	go func() {
		var buf [4096]byte
		for {
			n, err := conn.Read(buf[:])
			if err != nil {
				close(sd.msgs)
				return
			}
			sd.msgs <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return sd
}

// expect waits for a message with the given line, skipping watchdog pings
// (and other messages) before it, and returns the message.
func (sd *fakeSystemd) expect(t *testing.T, line string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	var seen []string
	for {
		select {
		case m, ok := <-sd.msgs:
			if !ok {
				t.Fatalf("notify socket closed before %q; got %q", line, seen)
			}
			if hasLine(m, line) {
				return m
			}
			if !hasLine(m, "WATCHDOG=1") {
				seen = append(seen, m)
			}
		case <-timeout:
			t.Fatalf("no %q in 10s; got %q", line, seen)
		}
	}
}

func hasLine(msg, line string) bool { return strings.Contains("\n"+msg+"\n", "\n"+line+"\n") }

func itoa(i int) string { return strconv.Itoa(i) }

func TestNotify_ReloadingCarriesMonotonicTime(t *testing.T) {
	sd := listenNotify(t, "@trackerd-test-"+itoa(os.Getpid())+"-"+itoa(int(time.Now().UnixNano()%1e6)))
	t.Setenv("NOTIFY_SOCKET", sd.name)
	if err := openNotify(); err != nil {
		t.Fatal(err)
	}
	defer closeNotify()
	before := monotonicUsec()
	if err := notify("RELOADING=1"); err != nil {
		t.Fatal(err)
	}
	m := sd.expect(t, "RELOADING=1")
	_, usec, ok := strings.Cut(m, "\nMONOTONIC_USEC=")
	got, err := strconv.ParseInt(usec, 10, 64)
	if !ok || err != nil || got < before || got > monotonicUsec() {
		t.Fatalf("message %q: MONOTONIC_USEC not between %d and now", m, before)
	}
	if err := notify("READY=1"); err != nil {
		t.Fatal(err)
	}
	if m := sd.expect(t, "READY=1"); m != "READY=1" {
		t.Fatalf("message %q, want READY=1 alone", m)
	}
}

func TestNotify_WithoutSystemdDoesNothing(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "")
	if err := openNotify(); err != nil {
		t.Fatal(err)
	}
	if err := notify("READY=1"); err != nil {
		t.Fatal(err)
	}
	if d, err := watchdogInterval(); d != 0 || err != nil {
		t.Fatalf("watchdog interval %v, %v", d, err)
	}
}

func TestWatchdogInterval(t *testing.T) {
	pid := itoa(os.Getpid())
	for _, tc := range []struct {
		usec, pid string
		want      time.Duration
		wantErr   bool
	}{
		{"30000000", "", 15 * time.Second, false},
		{"30000000", pid, 15 * time.Second, false},
		{"30000000", "1", 0, false}, // meant for another process
		{"0", "", 0, true},
		{"soon", "", 0, true},
	} {
		t.Setenv("WATCHDOG_USEC", tc.usec)
		t.Setenv("WATCHDOG_PID", tc.pid)
		d, err := watchdogInterval()
		if d != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("WATCHDOG_USEC=%s WATCHDOG_PID=%s: %v, %v", tc.usec, tc.pid, d, err)
		}
	}
}

// TestTrackerd_NotifiesSystemd: the real binary sends READY=1 once serving,
// WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 on SIGTERM, to a
// socket path or an abstract socket.
func TestTrackerd_NotifiesSystemd(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		name := map[bool]string{false: "path", true: "abstract"}[abstract]
		t.Run(name, func(t *testing.T) {
			addr := t.TempDir() + "/notify"
			if abstract {
				addr = "@trackerd-test-" + itoa(os.Getpid()) + "-" + itoa(int(time.Now().UnixNano()%1e6))
			}
			sd := listenNotify(t, addr)
			p := startTrackerdWith(t, writeConfig(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n"+testLogConfig),
				"NOTIFY_SOCKET="+addr, "WATCHDOG_USEC=200000")
			if m := sd.expect(t, "READY=1"); !hasLine(m, "STATUS=serving") {
				t.Errorf("ready message %q has no status", m)
			}
			start := time.Now()
			for range 3 {
				sd.expect(t, "WATCHDOG=1")
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("3 watchdog pings took %v at 100ms intervals", took)
			}
			udpConnect(t, p.udp[0])
			if _, err := p.stop(t, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			sd.expect(t, "STOPPING=1")
		})
	}
}

// TestWatchdog_WithheldWhileUnhealthy: pings go out while healthy holds,
// stop while it fails, and resume when it holds again.
func TestWatchdog_WithheldWhileUnhealthy(t *testing.T) {
	sd := listenNotify(t, t.TempDir()+"/notify")
	t.Setenv("NOTIFY_SOCKET", sd.name)
	if err := openNotify(); err != nil {
		t.Fatal(err)
	}
	defer closeNotify()
	var healthy atomic.Bool
	healthy.Store(true)
	var warnings atomic.Int32
	done := make(chan struct{})
	defer close(done)
	go watchdog(10*time.Millisecond, healthy.Load, done, func(string, ...any) { warnings.Add(1) })
	sd.expect(t, "WATCHDOG=1")
	healthy.Store(false)
	time.Sleep(50 * time.Millisecond) // a ping in flight may still arrive
	for len(sd.msgs) > 0 {
		<-sd.msgs
	}
	select {
	case m := <-sd.msgs:
		t.Fatalf("sent %q while unhealthy", m)
	case <-time.After(200 * time.Millisecond):
	}
	if n := warnings.Load(); n != 1 {
		t.Fatalf("%d warnings while unhealthy for 20 ticks, want 1", n)
	}
	healthy.Store(true)
	sd.expect(t, "WATCHDOG=1")
}
