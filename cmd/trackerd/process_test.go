package main

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
)

func TestProcessConfig_Rewrite(t *testing.T) {
	tests := []struct {
		chroot, path string
		want         string // "" with wantErr
		wantErr      bool
	}{
		{chroot: "", path: "", want: ""},
		{chroot: "", path: "/etc/trackerd/a.list", want: "/etc/trackerd/a.list"},
		{chroot: "", path: "lists/a.list", want: filepath.Join(startDir, "lists/a.list")},
		{chroot: "", path: "/var/lib/../lib/trackerd/x", want: "/var/lib/trackerd/x"},
		{chroot: "/srv/t", path: "/srv/t/a.list", want: "/a.list"},
		{chroot: "/srv/t/", path: "/srv/t/etc/a.list", want: "/etc/a.list"},
		{chroot: "/srv/t", path: "/srv/t", want: "/"},
		{chroot: "/srv/t", path: "/srv/t/../t/x", want: "/x"},
		{chroot: "/srv/t", path: "/srv/tx/a.list", wantErr: true}, // a prefix of the name is not inside
		{chroot: "/srv/t", path: "/srv/t/../u/a.list", wantErr: true},
		{chroot: "/srv/t", path: "/etc/passwd", wantErr: true},
		{chroot: "/", path: "/etc/a.list", want: "/etc/a.list"},
		{chroot: "jail", path: "jail/a.list", want: "/a.list"},
		{chroot: "jail", path: filepath.Join(startDir, "jail/b"), want: "/b"},
	}
	for _, tc := range tests {
		p := processConfig{User: "nobody", Chroot: tc.chroot}
		path := tc.path
		err := p.rewritePaths(filePath{key: "access.file", path: &path})
		switch {
		case tc.wantErr && err == nil:
			t.Errorf("chroot %q, path %q: rewritten to %q, want an error", tc.chroot, tc.path, path)
		case tc.wantErr && !strings.Contains(err.Error(), "access.file:"):
			t.Errorf("chroot %q, path %q: error does not name the key: %v", tc.chroot, tc.path, err)
		case tc.wantErr && path != tc.path:
			t.Errorf("chroot %q, path %q: changed to %q on error", tc.chroot, tc.path, path)
		case !tc.wantErr && err != nil:
			t.Errorf("chroot %q, path %q: %v", tc.chroot, tc.path, err)
		case !tc.wantErr && path != tc.want:
			t.Errorf("chroot %q, path %q: rewritten to %q, want %q", tc.chroot, tc.path, path, tc.want)
		}
	}
}

// TestProcessConfig_RewriteAllOrNothing: one bad path leaves every path as
// it was, so a failed reload changes nothing.
func TestProcessConfig_RewriteAllOrNothing(t *testing.T) {
	p := processConfig{User: "nobody", Chroot: "/srv/t"}
	a, b := "/srv/t/a", "/elsewhere/b"
	err := p.rewritePaths(filePath{key: "access.file", path: &a}, filePath{key: "state.file", path: &b})
	if err == nil || !strings.Contains(err.Error(), "state.file") || strings.Contains(err.Error(), "access.file") {
		t.Fatalf("err %v, want one naming state.file only", err)
	}
	if a != "/srv/t/a" || b != "/elsewhere/b" {
		t.Fatalf("paths changed to %q, %q", a, b)
	}
}

func TestProcessConfig_Lookup(t *testing.T) {
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	nogroup, err := user.LookupGroup("nogroup")
	if err != nil {
		t.Skip("no group nogroup:", err)
	}
	c, err := (&processConfig{User: "nobody"}).lookup()
	if err != nil || itoa(c.uid) != nobody.Uid || itoa(c.gid) != nobody.Gid || len(c.groups) == 0 || c.groups[0] != c.gid {
		t.Fatalf("nobody: %+v, %v", c, err)
	}
	c, err = (&processConfig{User: nobody.Uid, Group: "nogroup"}).lookup()
	if err != nil || itoa(c.uid) != nobody.Uid || itoa(c.gid) != nogroup.Gid || !slices.Equal(c.groups, []int{c.gid}) {
		t.Fatalf("nobody:nogroup: %+v, %v", c, err)
	}
}

func TestCheckConfig_Process(t *testing.T) {
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody:", err)
	}
	jail := t.TempDir()
	inJail := filepath.Join(jail, "tracker.toml")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		text    string
		path    string // config file location; "" is a temp dir outside jail
		wantErr []string
	}{
		{name: "nobody", text: "[process]\nuser = \"nobody\"\n"},
		{name: "nobody by id", text: "[process]\nuser = \"65534\"\ngroup = \"65534\"\n"},
		{name: "nobody chrooted", text: "[process]\nuser = \"nobody\"\nchroot = \"" + jail + "\"\n", path: inJail},
		{name: "unknown user", text: "[process]\nuser = \"no-such-user-x\"\n", wantErr: []string{"process.user", "no-such-user-x"}},
		{name: "root", text: "[process]\nuser = \"root\"\n", wantErr: []string{"process.user", "is root"}},
		{name: "unknown group", text: "[process]\nuser = \"nobody\"\ngroup = \"no-such-group-x\"\n", wantErr: []string{"process.group"}},
		{name: "group alone", text: "[process]\ngroup = \"nogroup\"\n", wantErr: []string{"process.group"}},
		{name: "chroot alone", text: "[process]\nchroot = \"" + jail + "\"\n", wantErr: []string{"process.chroot"}},
		{name: "chroot missing", text: "[process]\nuser = \"nobody\"\nchroot = \"" + jail + "/none\"\n", wantErr: []string{"process.chroot"}},
		{name: "chroot a file", text: "[process]\nuser = \"nobody\"\nchroot = \"" + file + "\"\n", wantErr: []string{"process.chroot", "not a directory"}},
		{name: "config outside chroot", text: "[process]\nuser = \"nobody\"\nchroot = \"" + jail + "\"\n", wantErr: []string{"-config:", "outside process.chroot"}},
		{name: "unknown key", text: "[process]\nuid = 1\n", wantErr: []string{"process.uid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = writeConfig(t, tc.text)
			} else if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"-check-config", "-config", path}, &stdout, &stderr)
			if len(tc.wantErr) == 0 {
				if code != exitOK {
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				return
			}
			if code != exitConfig {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitConfig, stderr.String())
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr does not name %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}

// TestTrackerd_DropsPrivileges starts the real binary as root with
// process.user = "nobody" and checks, once it has told systemd it is
// ready, that every thread (the pinned UDP workers and the gnet loops are
// locked OS threads) runs as nobody, that the chroot took, and that UDP
// is still served.
func TestTrackerd_DropsPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	for _, chroot := range []bool{false, true} {
		name := "user"
		if chroot {
			name = "chroot"
		}
		t.Run(name, func(t *testing.T) {
			// After the drop, nobody re-reads the config and the access
			// list on SIGHUP: both readable, in a directory it can enter.
			dir := t.TempDir()
			for _, d := range []string{dir, filepath.Dir(dir)} { // TempDir's parent too
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			list := filepath.Join(dir, "deny.list")
			if err := os.WriteFile(list, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			// The snapshot is written as nobody, in a directory of its own.
			stateDir := filepath.Join(dir, "state")
			if err := os.Mkdir(stateDir, 0o700); err != nil {
				t.Fatal(err)
			}
			uid, _ := strconv.Atoi(nobody.Uid)
			gid, _ := strconv.Atoi(nobody.Gid)
			if err := os.Chown(stateDir, uid, gid); err != nil {
				t.Fatal(err)
			}
			snap := filepath.Join(stateDir, "swarms.snap")
			toml := "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = [\"127.0.0.1:0\"]\n[admin]\nlisten = \"127.0.0.1:0\"\n" +
				"[access]\nmode = \"deny\"\nfile = \"" + list + "\"\n[state]\nfile = \"" + snap + "\"\n" +
				"[process]\nuser = \"nobody\"\n"
			if chroot {
				toml += "chroot = \"" + dir + "\"\n"
			}
			path := filepath.Join(dir, "tracker.toml")
			if err := os.WriteFile(path, []byte(toml+testLogConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			sd := listenNotify(t, filepath.Join(t.TempDir(), "notify"))
			p := startTrackerdWith(t, path, "NOTIFY_SOCKET="+sd.name)
			sd.expect(t, "READY=1")
			pid := p.cmd.Process.Pid

			tasks, err := filepath.Glob(filepath.Join("/proc", itoa(pid), "task", "*", "status"))
			if err != nil || len(tasks) < 3 {
				t.Fatalf("threads %v (%v)", tasks, err)
			}
			want := nobody.Uid + "\t" + nobody.Uid + "\t" + nobody.Uid + "\t" + nobody.Uid
			for _, f := range tasks {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				uid := statusField(string(b), "Uid:")
				if uid != want {
					t.Errorf("%s: Uid %q, want %q", f, uid, want)
				}
				if gid := statusField(string(b), "Gid:"); strings.Contains("\t"+gid+"\t", "\t0\t") {
					t.Errorf("%s: Gid %q", f, gid)
				}
				if groups := statusField(string(b), "Groups:"); slices.Contains(strings.Fields(groups), "0") {
					t.Errorf("%s: Groups %q", f, groups)
				}
			}
			t.Logf("%d threads, all with Uid %s", len(tasks), want)
			root, err := os.Readlink(filepath.Join("/proc", itoa(pid), "root"))
			if err != nil {
				t.Fatal(err)
			}
			if wantRoot := map[bool]string{false: "/", true: dir}[chroot]; root != wantRoot {
				t.Errorf("root directory %q, want %q", root, wantRoot)
			}
			udpConnect(t, p.udp[0])

			// A reload, as the unprivileged user and through the chroot.
			if err := os.WriteFile(list, []byte(strings.Repeat("ab", 20)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			sd.expect(t, "RELOADING=1")
			sd.expect(t, "READY=1")
			// The log is read from stderr on its own goroutine: wait for it.
			waitLog(t, p, 1, "access list loaded", `"hashes":1`)
			waitLog(t, p, 1, "config reloaded")
			if strings.Contains(p.logs.String(), "reload failed") {
				t.Fatalf("reload after the drop failed:\n%s", p.logs)
			}

			if _, err := p.stop(t, syscall.SIGTERM); err != nil {
				t.Fatalf("exit: %v\n%s", err, p.logs)
			}
			sd.expect(t, "STOPPING=1")
			if fi, err := os.Stat(snap); err != nil || fi.Sys().(*syscall.Stat_t).Uid != uint32(uid) {
				t.Fatalf("snapshot not written by nobody: %v", err)
			}
		})
	}
}

func TestTrackerd_RootWithoutUserWarns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n")
	if _, err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(p.logs.String(), "set process.user"); n != 1 {
		t.Fatalf("%d warnings about running as root, want 1:\n%s", n, p.logs)
	}
}

// udpConnect checks that a BEP 15 connect to server is answered.
func udpConnect(t *testing.T, server netip.AddrPort) {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(server))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(udp.AppendRequest(nil, &udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect, TxID: 9})); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf [64]byte
	n, err := c.Read(buf[:])
	if err != nil {
		t.Fatalf("no reply to connect: %v", err)
	}
	var r udp.Response
	if err := r.Parse(buf[:n], udp.PeerSizeV4); err != nil || r.Action != udp.ActionConnect || r.TxID != 9 {
		t.Fatalf("connect reply %x: %v", buf[:n], err)
	}
}

// statusField returns the value of a /proc/*/status line.
func statusField(status, name string) string {
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, name); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// FuzzProcessConfig_Rewrite: a rewritten path is absolute and clean, and
// joined back onto the chroot it is the original path; a refused one lies
// outside the chroot.
func FuzzProcessConfig_Rewrite(f *testing.F) {
	f.Add("/srv/t", "/srv/t/a.list")
	f.Add("/srv/t", "/srv/tx/a")
	f.Add("jail", "../x")
	f.Add("", "a//b/../c")
	f.Fuzz(func(t *testing.T, root, path string) {
		p := processConfig{User: "nobody", Chroot: root}
		got := path
		err := p.rewritePaths(filePath{key: "k", path: &got})
		if path == "" {
			if got != "" || err != nil {
				t.Fatalf("empty path: %q, %v", got, err)
			}
			return
		}
		abs := path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(startDir, abs)
		}
		abs = filepath.Clean(abs)
		if err != nil {
			if got != path {
				t.Fatalf("changed to %q on error", got)
			}
			if root == "" {
				t.Fatalf("no chroot, path %q: %v", path, err)
			}
			return
		}
		if !filepath.IsAbs(got) || filepath.Clean(got) != got {
			t.Fatalf("path %q rewritten to %q: not absolute and clean", path, got)
		}
		r := root
		if r != "" && !filepath.IsAbs(r) {
			r = filepath.Join(startDir, r)
		}
		if back := filepath.Join("/", r, got); back != abs {
			t.Fatalf("chroot %q, path %q: rewritten to %q, which is %q from outside", root, path, got, back)
		}
	})
}

// TestTrackerd_StartedUnprivileged runs trackerd as nobody, as systemd's
// User= would: process.user = "nobody" goes on as it is; another user, or
// a chroot, cannot be had without root and is a failure to start.
func TestTrackerd_StartedUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start trackerd as another user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody:", err)
	}
	if _, err := user.Lookup("daemon"); err != nil {
		t.Skip("no user daemon:", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	// Readable by nobody: the test's temp dirs are root's, mode 0700.
	dir, err := os.MkdirTemp("", "trackerd-unpriv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "trackerd")
	b, err := os.ReadFile(trackerdBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, process string
		want          string // in the log
		wantExit      int    // -1: still running, stopped by the test
	}{
		{"same user", "user = \"nobody\"\n", "already running as process.user", -1},
		{"other user", "user = \"daemon\"\n", "process.user: cannot switch to daemon", exitFail},
		{"chroot", "user = \"nobody\"\nchroot = \"" + dir + "\"\n", "process.chroot: only root can chroot", exitFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".toml")
			text := "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n[process]\n" + tc.process
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "-config", path)
			cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
			var logs lockedBuffer
			cmd.Stderr = &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.After(20 * time.Second)
			for !strings.Contains(logs.String(), tc.want) {
				select {
				case err := <-done:
					if !strings.Contains(logs.String(), tc.want) {
						t.Fatalf("exit %v without %q:\n%s", err, tc.want, logs.String())
					}
					done <- err
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("no %q in 20s:\n%s", tc.want, logs.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			if tc.wantExit == -1 {
				cmd.Process.Signal(syscall.SIGTERM)
			}
			err := <-done
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if want := max(tc.wantExit, 0); code != want {
				t.Fatalf("exit %d, want %d:\n%s", code, want, logs.String())
			}
		})
	}
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A snapshot directory the dropped user cannot write in is reported at
// start, not first found at stop, when the swarms are lost.
func TestTrackerd_StateDirNotWritable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody:", err)
	}
	dir := t.TempDir() // root's, 0700 under a 0700 parent: nobody cannot write
	p := startTrackerd(t, "[udp]\nlisten = [\"127.0.0.1:0\"]\n[http]\nlisten = []\n[admin]\nlisten = \"\"\n"+
		"[state]\nfile = \""+filepath.Join(dir, "swarms.snap")+"\"\n[process]\nuser = \"nobody\"\n")
	waitLog(t, p, 1, "WARN", "the swarm snapshot cannot be written")
	if _, err := p.stop(t, syscall.SIGTERM); err == nil {
		t.Fatalf("exit 0 although the snapshot could not be written:\n%s", p.logs)
	}
}
