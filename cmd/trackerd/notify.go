package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// systemd is the service manager's notification socket (sd_notify(3)),
// connected at start, before any chroot or user switch can put
// NOTIFY_SOCKET out of reach. conn is nil when trackerd does not run under
// systemd with Type=notify.
var systemd struct {
	mu   sync.Mutex
	conn *net.UnixConn
}

// openNotify connects to $NOTIFY_SOCKET, a datagram socket path or, with a
// leading '@', a name in the abstract namespace. Without the variable it
// does nothing.
func openNotify() error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] != '/' && name[0] != '@' {
		return fmt.Errorf("NOTIFY_SOCKET %q is neither a path nor an abstract socket name", name)
	}
	// Go maps a leading '@' to the abstract namespace's leading NUL.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("cannot connect to NOTIFY_SOCKET %s: %w", name, err)
	}
	systemd.mu.Lock()
	systemd.conn = conn
	systemd.mu.Unlock()
	return nil
}

// notify sends one state to systemd, e.g. "READY=1", "STOPPING=1" or
// "STATUS=...", several separated by newlines; "RELOADING=1" gets the
// MONOTONIC_USEC=... that Type=notify-reload requires. A reload sends
// notify("RELOADING=1") when it starts and notify("READY=1") when it has
// applied the new config (or kept the old one). Without systemd it does
// nothing. Safe for concurrent use.
func notify(state string) error {
	systemd.mu.Lock()
	defer systemd.mu.Unlock()
	if systemd.conn == nil {
		return nil
	}
	if strings.Contains("\n"+state+"\n", "\nRELOADING=1\n") {
		state += "\nMONOTONIC_USEC=" + strconv.FormatInt(monotonicUsec(), 10)
	}
	_, err := systemd.conn.Write([]byte(state))
	return err
}

// closeNotify closes the socket; later notify calls do nothing.
func closeNotify() {
	systemd.mu.Lock()
	defer systemd.mu.Unlock()
	if systemd.conn != nil {
		systemd.conn.Close()
		systemd.conn = nil
	}
}

// monotonicUsec reads CLOCK_MONOTONIC, the clock systemd compares
// MONOTONIC_USEC with. (Go's monotonic time has another origin.)
func monotonicUsec() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1 // CLOCK_MONOTONIC, <linux/time.h>
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return ts.Nano() / 1000
}

// watchdogInterval returns how often to send WATCHDOG=1: half of
// $WATCHDOG_USEC (set by systemd's WatchdogSec=), or 0 when there is no
// watchdog or $WATCHDOG_PID names another process.
func watchdogInterval() (time.Duration, error) {
	s := os.Getenv("WATCHDOG_USEC")
	if s == "" {
		return 0, nil
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, nil
	}
	usec, err := strconv.ParseUint(s, 10, 63)
	if err != nil || usec == 0 {
		return 0, errors.New("WATCHDOG_USEC " + strconv.Quote(s) + " is not a positive number of microseconds")
	}
	return time.Duration(usec) * time.Microsecond / 2, nil
}

// watchdog sends WATCHDOG=1 every interval while healthy holds, until done
// is closed. When healthy fails, pings stop and systemd, after
// WatchdogSec=, kills and restarts the service. Each kind of trouble is
// logged when it starts, not at every tick.
func watchdog(interval time.Duration, healthy func() bool, done <-chan struct{}, warn func(msg string, args ...any)) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	wasHealthy, sendFailed := true, false
	for {
		select {
		case <-done:
			return
		case <-tk.C:
		}
		ok := healthy()
		if !ok && wasHealthy {
			warn("engine unhealthy: systemd watchdog pings withheld")
		}
		wasHealthy = ok
		if !ok {
			continue
		}
		err := notify("WATCHDOG=1")
		if err != nil && !sendFailed {
			warn("cannot ping systemd watchdog", "err", err)
		}
		sendFailed = err != nil
	}
}
