package engine

import (
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/engine/internal/pin"
	"golang.org/x/sys/unix"
)

func TestConfig_SteerNeedsPinnedMmsg(t *testing.T) {
	for _, tc := range []struct {
		backend string
		noPin   bool
		steer   string
		want    string // "" means valid
	}{
		{BackendMmsg, false, SteerIncomingCPU, ""},
		{BackendMmsg, true, SteerOff, ""},
		{BackendGnet, false, "", ""},
		{BackendGnet, false, SteerIncomingCPU, "udp.steer"},
		{BackendMmsg, true, SteerIncomingCPU, "udp.steer"},
		{BackendMmsg, false, "rss", "udp.steer"},
	} {
		cfg := testConfig(tc.backend, "127.0.0.1:0")
		cfg.NoPin, cfg.UDP.Steer = tc.noPin, tc.steer
		err := cfg.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("backend %s, nopin %v, steer %q: err %v, want %q", tc.backend, tc.noPin, tc.steer, err, tc.want)
		}
	}
}

// TestSteer_IncomingCPU sends datagrams from threads pinned to each CPU in
// turn: on loopback the receiving softirq runs on the sender's CPU, so with
// incoming-cpu steering every datagram must reach the worker pinned there.
// With steering off the flow hash spreads them; that split is only logged.
func TestSteer_IncomingCPU(t *testing.T) {
	if !kernelAtLeast(6, 1) {
		t.Skip("SO_INCOMING_CPU steers within an SO_REUSEPORT group from Linux 6.1")
	}
	allowed, err := pin.Allowed()
	if err != nil || len(allowed) < 2 {
		t.Skipf("needs 2 CPUs in the affinity mask, have %v (%v)", allowed, err)
	}
	cpus := allowed[:2]
	for _, steer := range []string{SteerIncomingCPU, SteerOff} {
		t.Run(steer, func(t *testing.T) {
			cfg := testConfig(BackendMmsg, "127.0.0.1:0")
			cfg.CPUs, cfg.UDP.Steer = cpus, steer
			e := startEngine(t, cfg)
			for _, from := range cpus {
				before := perCPU(e)
				const flows, perFlow = 32, 16
				sendPinned(t, e.UDPAddrs()[0].String(), from, flows, perFlow)
				got := waitDelta(t, e, before, flows*perFlow)
				t.Logf("steer %s: %d datagrams sent from cpu %d, received per worker cpu: %v", steer, flows*perFlow, from, got)
				if steer == SteerIncomingCPU && got[from] != flows*perFlow {
					t.Errorf("worker on cpu %d got %d of %d datagrams sent from cpu %d (per cpu: %v)", from, got[from], flows*perFlow, from, got)
				}
			}
		})
	}
}

// sendPinned sends perFlow connect requests on each of flows sockets (so
// flows differ in source port) from an OS thread pinned to cpu.
func sendPinned(t *testing.T, server string, cpu, flows, perFlow int) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // the thread exits with the goroutine, pinned
		var set unix.CPUSet
		set.Set(cpu)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			errc <- err
			return
		}
		req := udp.AppendRequest(nil, &udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect})
		for range flows {
			c, err := net.Dial("udp", server)
			if err != nil {
				errc <- err
				return
			}
			for range perFlow {
				if _, err := c.Write(req); err != nil {
					c.Close()
					errc <- err
					return
				}
			}
			c.Close()
			time.Sleep(time.Millisecond) // stay under the socket buffer of one worker
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// perCPU returns the datagrams read so far by the workers of each CPU.
func perCPU(e *Engine) map[int]int {
	m := map[int]int{}
	for _, w := range e.workers {
		m[w.cpu] += int(w.stats.Load(UDPPacketsIn))
	}
	return m
}

// waitDelta waits until n more datagrams than in before have been read and
// returns the increase per CPU.
func waitDelta(t *testing.T, e *Engine, before map[int]int, n int) map[int]int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		now, total := perCPU(e), 0
		for cpu := range now {
			now[cpu] -= before[cpu]
			total += now[cpu]
		}
		if total >= n || time.Now().After(deadline) {
			if total != n {
				t.Fatalf("%d datagrams read, %d sent", total, n)
			}
			return now
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func kernelAtLeast(major, minor int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	rel := unix.ByteSliceToString(u.Release[:])
	parts := strings.FieldsFunc(rel, func(r rune) bool { return r < '0' || r > '9' })
	if len(parts) < 2 {
		return false
	}
	v := []int{0, 0}
	for i := range v {
		v[i], _ = strconv.Atoi(parts[i])
	}
	return slices.Compare(v, []int{major, minor}) >= 0
}
