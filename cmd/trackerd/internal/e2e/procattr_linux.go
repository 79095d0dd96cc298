package e2e

import "syscall"

// sysProcAttr has the kernel kill a client when the test process dies (a
// go test timeout, ^C), so no client outlives its test. Pdeathsig is bound to
// the starting OS thread, which the Go runtime keeps alive unless a goroutine
// exits while locked to it; this package never locks threads.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
