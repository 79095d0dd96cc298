//go:build linux

package browser

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A namespace is a private user and network namespace whose only interface
// is lo, held open by the relay process (see relay/main.go).
type namespace struct {
	relay *process
	addrs []string // the relay's listening addresses inside, in argument order
}

// newNamespace starts the relay in a new namespace, listening inside on
// each key of bridges and forwarding to the Unix socket named by its value,
// and waits (at most 10 s) until it is listening.
func newNamespace(t testing.TB, dir string, bridges [][2]string) *namespace {
	t.Helper()
	var args []string
	for _, b := range bridges {
		args = append(args, b[0]+"="+b[1])
	}
	// Built for each namespace, into the test's temp dir: with the build
	// cache, that takes about 0.6 s.
	relay := filepath.Join(dir, "relay")
	build := exec.Command("go", "build", "-o", relay, "./relay")
	build.Dir = sourceDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the relay: %v\n%s", err, out)
	}
	cmd := exec.Command(relay, args...)
	// As `unshare --map-root-user --net`: we are root inside (owning the
	// network namespace, so the relay may bring lo up) without being root
	// outside. Go writes "deny" to setgroups, which an unprivileged
	// gid_map needs.
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.Stdout = w
	ns := &namespace{relay: start(t, dir, "relay", cmd)}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		ns.addrs = strings.Fields(s)
	case <-time.After(10 * time.Second):
	}
	if len(ns.addrs) != len(bridges) {
		t.Fatalf("relay did not start listening within 10 s: %v", ns.relay.exited())
	}
	return ns
}

// command returns a command that runs args inside the namespace. nsenter
// execs args[0] in place, so the command's PID is that program's PID.
// --preserve-credentials: our uid is root inside already, and without it
// nsenter calls setgroups, which the namespace denies to non-root users.
func (ns *namespace) command(args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--target", strconv.Itoa(ns.relay.cmd.Process.Pid),
		"--user", "--net", "--preserve-credentials", "--"}, args...)...)
}

// forward accepts connections on the Unix socket at sock and forwards each
// to TCP address addr: the outside half of a bridge. Cleanup closes the
// listener; the connections end with the relay.
func forward(t testing.TB, sock, addr string) {
	t.Helper()
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					return // the browser sees the connection close
				}
				defer s.Close()
				pipe(c, s)
			}()
		}
	}()
}

// pipe copies a to b and b to a until both directions reach EOF, passing
// each EOF on as a half-close.
func pipe(a, b net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(a, b)
		_ = a.(interface{ CloseWrite() error }).CloseWrite()
		close(done)
	}()
	_, _ = io.Copy(b, a)
	_ = b.(interface{ CloseWrite() error }).CloseWrite()
	<-done
}
