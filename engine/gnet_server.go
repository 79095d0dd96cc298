package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/panjf2000/gnet/v2"
	"github.com/trackerd/trackerd/engine/internal/pin"
)

// gnetServer runs one gnet engine on its own goroutine: run returns once
// the engine has booted (or failed to), stop returns once it has exited.
// The gnet listeners embed it for their OnBoot.
type gnetServer struct {
	gnet.BuiltinEventEngine
	eng     gnet.Engine
	booted  chan struct{}
	stopped chan error
}

func (s *gnetServer) run(h gnet.EventHandler, addrs []string, opts ...gnet.Option) error {
	s.booted, s.stopped = make(chan struct{}), make(chan error, 1)
	go func() { s.stopped <- gnet.Rotate(h, addrs, opts...) }()
	select {
	case <-s.booted:
		return nil
	case err := <-s.stopped:
		return fmt.Errorf("cannot start gnet on %v: %w", addrs, err)
	}
}

func (s *gnetServer) stop(ctx context.Context) error {
	if err := s.eng.Stop(ctx); err != nil {
		return err
	}
	return <-s.stopped
}

// OnBoot implements gnet.EventHandler.
func (s *gnetServer) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	close(s.booted)
	return gnet.None
}

// pinLoop pins the calling gnet loop's thread to the next CPU of the set,
// round robin. gnet exposes no loop index, so a loop calls this from its
// first callback (WithLockOSThread keeps the loop on that thread).
func (e *Engine) pinLoop(what string) {
	if e.cfg.NoPin {
		return
	}
	e.mu.Lock()
	cpu := e.cpus[e.nextCPU%len(e.cpus)]
	e.nextCPU++
	e.mu.Unlock()
	if err := pin.Thread(cpu); err != nil {
		e.log.Warn("cannot pin gnet loop", "loop", what, "cpu", cpu, "err", err)
	}
}

// gnetLogger adapts slog to gnet's logging.Logger.
type gnetLogger struct{ l *slog.Logger }

func (g gnetLogger) Debugf(f string, a ...any) { g.l.Debug(fmt.Sprintf(f, a...), "from", "gnet") }
func (g gnetLogger) Infof(f string, a ...any)  { g.l.Debug(fmt.Sprintf(f, a...), "from", "gnet") }
func (g gnetLogger) Warnf(f string, a ...any)  { g.l.Warn(fmt.Sprintf(f, a...), "from", "gnet") }
func (g gnetLogger) Errorf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...), "from", "gnet") }
func (g gnetLogger) Fatalf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...), "from", "gnet") }
