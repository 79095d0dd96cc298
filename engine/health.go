package engine

import "time"

// clockStale is how far the engine clock (written every 100 ms) may lag the
// wall clock before the engine counts as stalled.
const clockStale = 2 * time.Second

// Healthy reports whether the engine is serving: started and not stopped,
// its clock goroutine advancing, and every UDP worker still running (a
// worker whose socket failed has exited and logged why). A service
// watchdog pings only while it holds. Safe for concurrent use; cheap.
func (e *Engine) Healthy() bool {
	e.mu.Lock()
	stopped := e.stopped
	e.mu.Unlock()
	if stopped || !e.started.Load() {
		return false
	}
	lag := time.Since(time.Unix(int64(e.clock.Now()), 0))
	if lag > clockStale || lag < -clockStale {
		return false
	}
	for _, w := range e.workers {
		select {
		case <-w.done:
			return false
		default:
		}
	}
	return true
}

// steer names the UDP steering in effect, for the start line.
func (e *Engine) steer() string {
	if e.cfg.UDP.Steer == "" || len(e.udpAddrs) == 0 || e.cfg.UDP.Backend == BackendGnet {
		return SteerOff
	}
	return e.cfg.UDP.Steer
}
