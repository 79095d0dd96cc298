//go:build !linux

package e2e

import "syscall"

// sysProcAttr: no parent-death signal outside Linux; t.Cleanup still stops
// the clients.
func sysProcAttr() *syscall.SysProcAttr { return nil }
