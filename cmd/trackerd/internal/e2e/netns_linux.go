package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netnsEnv names the test that a child process started by InNetns runs.
const netnsEnv = "TRACKERD_E2E_NETNS"

// netnsTimeout bounds a child test process started by InNetns.
const netnsTimeout = 4 * time.Minute

// NetnsOptions configures the private network namespace of InNetns.
type NetnsOptions struct {
	// GlobalIPv6, if set (e.g. "2001:db8::1/128", a documentation
	// address), is added to the namespace's lo with a route to 2000::/3
	// through lo, so that a client that looks for a global IPv6 address
	// before it opens IPv6 sockets (Transmission 3.00) finds one. Nothing
	// leaves the namespace: lo is its only interface.
	GlobalIPv6 string
	// Hosts, if set, is /etc/hosts inside the namespace (a bind mount in a
	// private mount namespace; the host's file is untouched), e.g. to give
	// ::1 a name for clients that cannot parse [::1] in a URL.
	Hosts string
}

// InNetns runs the calling test again in a child process (this test binary,
// -test.run matching only t.Name()) inside new network and mount namespaces
// (unshare(1); with --map-root-user when not root). The namespace has only
// its own loopback interface, up, plus what opts adds, so clients inside may
// bind 0.0.0.0 or [::] and still reach nothing but loopback. Everything the
// test starts (trackerd, clients) runs inside. env is added to the child's
// environment, e.g. the path of a binary the parent has built already.
//
// In the parent InNetns returns false once the child has exited, after
// logging the child's output and failing t if the child failed; the test
// must then return. In the child it returns true and the test goes on.
// Requires unshare (util-linux), ip (iproute2) and, with Hosts, mount.
func InNetns(t *testing.T, opts NetnsOptions, env ...string) bool {
	t.Helper()
	if os.Getenv(netnsEnv) == t.Name() {
		t.Logf("e2e: in a private network namespace (%s)", opts)
		return true
	}
	Require(t, "unshare", "ip")
	script := "set -e\nip link set lo up\n"
	if opts.GlobalIPv6 != "" {
		script += "ip -6 addr add \"$E2E_IPV6\" dev lo\nip -6 route add 2000::/3 dev lo\n"
		env = append(env, "E2E_IPV6="+opts.GlobalIPv6)
	}
	if opts.Hosts != "" {
		Require(t, "mount")
		hosts := filepath.Join(t.TempDir(), "hosts")
		if err := os.WriteFile(hosts, []byte(opts.Hosts), 0o644); err != nil {
			t.Fatal(err)
		}
		script += "mount --bind \"$E2E_HOSTS\" /etc/hosts\n"
		env = append(env, "E2E_HOSTS="+hosts)
	}
	script += "exec \"$@\"\n"
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A private mount namespace (propagation private) keeps the bind
	// mount from reaching the host's mount table.
	args := []string{"--net", "--mount", "--propagation", "private"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	child := []string{exe, "-test.run=" + runPattern(t.Name()), "-test.count=1", "-test.v",
		"-test.timeout=" + (netnsTimeout - 30*time.Second).String()}
	t.Logf("e2e: running %s again in a private network namespace: unshare %s -- sh -c <script> sh %s\nscript:\n%s",
		t.Name(), strings.Join(args, " "), strings.Join(child, " "), script)
	args = append(append(args, "--", "sh", "-c", script, "sh"), child...)
	ctx, cancel := context.WithTimeout(context.Background(), netnsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", args...)
	cmd.Env = append(append(os.Environ(), netnsEnv+"="+t.Name()), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group: on timeout the group is killed, which takes
	// trackerd and the clients with the child test (they are all its
	// descendants and stay in the group).
	cmd.SysProcAttr = sysProcAttr()
	cmd.SysProcAttr.Setpgid = true
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = stopTimeout
	err = cmd.Run()
	t.Logf("e2e: output of the test in the namespace:\n%s", out.Bytes())
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = errors.Join(err, ctx.Err())
		}
		t.Errorf("e2e: test in a private network namespace failed: %v", err)
	}
	return false
}

// String describes o for logs.
func (o NetnsOptions) String() string {
	s := "lo"
	if o.GlobalIPv6 != "" {
		s += ", " + o.GlobalIPv6 + " on lo, 2000::/3 via lo"
	}
	if o.Hosts != "" {
		s += ", own /etc/hosts"
	}
	return s
}

// runPattern returns a -test.run pattern that matches the test named name
// (t.Name(): slash-separated subtest levels) and nothing else.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
