package engine

import (
	"context"
	"testing"
	"time"

	"github.com/trackerd/trackerd/swarm"
	"golang.org/x/sys/unix"
)

func TestHealthy(t *testing.T) {
	e, err := New(testConfig(BackendMmsg, "127.0.0.1:0"), swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if e.Healthy() {
		t.Fatal("healthy before Start")
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	if !e.Healthy() {
		t.Fatal("not healthy after Start")
	}
	e.clock.set(time.Now().Add(-5 * time.Second)) // as if the clock goroutine had stalled
	if e.Healthy() {
		t.Fatal("healthy with a stale clock")
	}
	e.clock.set(time.Now())
	// A worker whose socket fails exits; the engine is then only partly serving.
	w := e.workers[0]
	w.stop.Store(true)
	_ = unix.Shutdown(w.fd, unix.SHUT_RDWR)
	<-w.done
	if e.Healthy() {
		t.Fatal("healthy with a worker gone")
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.Healthy() {
		t.Fatal("healthy after Shutdown")
	}
}
