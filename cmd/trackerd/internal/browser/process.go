//go:build linux

package browser

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a process started by this package, with its stdout and stderr
// in files (unless the caller set cmd.Stdout).
type process struct {
	name string
	cmd  *exec.Cmd
	logs []string
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result; read only after done is closed
}

// start starts cmd as name with its output in files in dir. t.Cleanup
// stops it and, if t has failed, logs the tails of its log files.
func start(t testing.TB, dir, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = p.logFile(t, dir, name+".stdout.log")
	}
	cmd.Stderr = p.logFile(t, dir, name+".stderr.log")
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// The kernel kills the process when the test binary dies (a go test
	// timeout, ^C). Pdeathsig is bound to the starting OS thread, which the
	// Go runtime keeps alive unless a goroutine exits while locked to it;
	// this package never locks threads.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	err := cmd.Start()
	for _, f := range []any{cmd.Stdout, cmd.Stderr} {
		if f, ok := f.(*os.File); ok {
			f.Close() // the child has its copy
		}
	}
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Logf("started %s (pid %d): %s", name, cmd.Process.Pid, strings.Join(cmd.Args, " "))
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Log(p.logTail(40))
		}
	})
	return p
}

func (p *process) logFile(t testing.TB, dir, name string) *os.File {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	p.logs = append(p.logs, f.Name())
	return f
}

// exited returns a non-nil error once the process has exited.
func (p *process) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited: %v", p.name, p.err)
	default:
		return nil
	}
}

// stop sends SIGTERM and kills the process if it has not exited within
// 10 s. It is idempotent.
func (p *process) stop() {
	if p.exited() != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// logTail returns the last n lines of each of the process's log files.
func (p *process) logTail(n int) string {
	var b strings.Builder
	for _, name := range p.logs {
		fmt.Fprintf(&b, "--- %s: tail of %s ---\n", p.name, name)
		b.WriteString(tail(name, n))
	}
	return b.String()
}

// tail returns the last n non-empty lines of the file at path.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error() + "\n"
	}
	lines := strings.Split(string(bytes.TrimSpace(data)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return "(empty)\n"
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n") + "\n"
}
