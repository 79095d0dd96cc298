package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"golang.org/x/sys/unix"
)

// proc is a process the runner started. It is stopped by its PID only,
// never by name. Owned by the runner goroutine.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, valid after done
	log  *os.File
}

// placement returns the command prefix that pins a process to cpu with
// taskset (cpu < 0: unpinned) and, with nice, raises its priority with
// nice -n -20. Both exec the command, so the PID stays the command's.
func placement(cpu int, nice bool) []string {
	var pre []string
	if cpu >= 0 {
		pre = append(pre, "taskset", "-c", strconv.Itoa(cpu))
	}
	if nice {
		pre = append(pre, "nice", "-n", "-20")
	}
	return pre
}

// startPinned starts prefix+argv (prefix from placement), its output
// appended to logPath.
func startPinned(name string, prefix []string, logPath string, env []string, argv ...string) (*proc, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	argv = append(slices.Clip(prefix), argv...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), env...)
	// Its own process group, so a Ctrl-C at the terminal reaches the
	// runner, which then stops everything it started in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("cannot start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: lf}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process (by PID), waits up to grace for it to
// exit, then sends SIGKILL.
func (p *proc) stop(grace time.Duration) {
	defer p.log.Close()
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(grace):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// freePort returns a port free for both UDP and TCP on 127.0.0.1, as the
// kernel chose it a moment ago.
func freePort() (int, error) {
	for range 20 {
		uc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := uc.LocalAddr().(*net.UDPAddr).Port
		tl, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
		uc.Close()
		if err == nil {
			tl.Close()
			return port, nil
		}
	}
	return 0, errors.New("bench: no free port on 127.0.0.1")
}

// errExited is returned when a server exits while the runner waits for it.
var errExited = errors.New("exited during start-up")

// waitReady waits until the server behind p answers: with udp, a BEP 15
// connect and then an announce of info hash ih (so a tracker still loading
// its whitelist is not ready yet); with tcp, an accepted connection.
func waitReady(ctx context.Context, p *proc, port int, udpProbe, tcpProbe bool, ih [20]byte) error {
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
	for {
		if p.exited() {
			return errExited
		}
		ok := true
		if udpProbe {
			ok = probeUDP(addr, ih) == nil
		}
		if ok && tcpProbe {
			c, err := net.DialTimeout("tcp4", addr.String(), 200*time.Millisecond)
			ok = err == nil
			if ok {
				c.Close()
			}
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// probeUDP sends a connect and an announce of ih from 127.2.0.1 and checks
// the announce reply. It adds one peer to the tracker.
func probeUDP(addr netip.AddrPort, ih [20]byte) error {
	c, err := dialUDP(loopbackSource(2, 0), addr, 1, 0)
	if err != nil {
		return err
	}
	defer c.close()
	pfds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}}
	if err := connectAll([]*udpConn{c}, pfds, 300*time.Millisecond); err != nil {
		return err
	}
	var req udp.Request
	tx := rand.Uint32()
	req.ConnID, req.Action, req.TxID = c.connID, udp.ActionAnnounce, tx
	req.Announce.InfoHash = ih
	req.Announce.PeerID = peerID(0)
	req.Announce.Port, req.Announce.Event, req.Announce.NumWant = 1, udp.EventStarted, 1
	c.txBuf[0] = udp.AppendRequest(c.txBuf[0][:0], &req)
	if _, err := c.send(1); err != nil {
		return err
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	var resp udp.Response
	for time.Now().Before(deadline) {
		waitReadable(pfds, 50)
		n, _ := c.recv()
		for i := range n {
			b := c.packet(i)
			if v, _ := checkUDPReply(&resp, b, kindAnnounce, 0, 1<<16); v == replyOK && resp.TxID == tx {
				return nil
			}
		}
	}
	return errors.New("bench: no valid announce reply")
}

// probeWS tries a WebSocket upgrade on /announce of 127.0.0.1:port.
func probeWS(port int) error {
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port))
	c, err := dialWS(addr, loopbackSource(2, 0), "/announce", 2*time.Second, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return err
	}
	c.close()
	return nil
}
