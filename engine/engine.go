package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trackerd/trackerd/engine/internal/connid"
	"github.com/trackerd/trackerd/engine/internal/pin"
	"github.com/trackerd/trackerd/swarm"
	"golang.org/x/sys/unix"
)

// adminStopWait is how long Shutdown lets admin requests finish.
const adminStopWait = 500 * time.Millisecond

// The janitor sweeps a bounded number of torrents every cleanEvery, at
// least cleanMinBudget, and more on a big table (sweepBudget).
const (
	cleanMinBudget = 1000
	cleanEvery     = 100 * time.Millisecond
)

// Engine owns the listeners and workers of one trackerd process.
// Its methods are safe for concurrent use.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	table *swarm.Table
	rtc   *swarm.RTCTable // WebTorrent peers; nil when webtorrent is off
	cpus  []int
	ids   *connid.Signer
	clock clock

	udpAddrs  []netip.AddrPort
	httpAddrs []netip.AddrPort
	workers   []*mmsgWorker
	gnet      *gnetUDP
	http      *gnetHTTP
	admin     *http.Server
	adminLn   net.Listener
	startedAt time.Time
	cleanIP   cleanTimer // janitor's Table.Clean calls
	cleanRTC  cleanTimer // janitor's RTCTable.Clean calls
	rates     rateSampler

	mu       sync.Mutex
	counters []*Counters // one per worker or gnet loop
	nextCPU  int         // the CPU the next gnet loop is pinned to (pinLoop)

	done    chan struct{}
	bg      sync.WaitGroup
	stopped bool

	live      atomic.Pointer[settings] // what Reload may change; never nil
	reloadMu  sync.Mutex               // serialises Reload
	accessGen atomic.Uint64            // bumped by each access list Reload: the janitor re-sweeps
	started   atomic.Bool              // Start returned nil; orders workers before Healthy reads them
}

// New checks cfg and returns an Engine that serves table. Nothing is bound
// until Start.
func New(cfg Config, table *swarm.Table, log *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cpus := cfg.CPUs
	if len(cpus) == 0 {
		var err error
		if cpus, err = pin.Allowed(); err != nil {
			return nil, err
		}
	}
	acc, err := loadAccess(cfg.Access)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: log, table: table, cpus: cpus, ids: connid.New(), done: make(chan struct{})}
	e.live.Store(newSettings(&cfg, acc))
	if acc != nil {
		log.Info("access list loaded", "mode", cfg.Access.Mode, "file", cfg.Access.File, "hashes", acc.list.Len())
	}
	if w := cfg.WebTorrent; w.Enabled {
		e.rtc = swarm.NewRTC(swarm.RTCConfig{
			Shards:         table.Config().Shards,
			NumWantMax:     w.MaxOffers,
			PeerTimeoutSec: uint32(w.PeerTimeout / time.Second),
			OfferTTLSec:    uint32(w.OfferTTL / time.Second),
		})
	}
	e.clock.set(time.Now())
	return e, nil
}

// Start binds every listener and starts the workers. On error, whatever was
// started is stopped again.
func (e *Engine) Start() (err error) {
	defer func() {
		if err != nil {
			_ = e.Shutdown(context.Background())
		}
	}()
	e.startedAt = time.Now()
	e.bg.Add(2)
	go func() { defer e.bg.Done(); e.clock.run(e.done) }()
	go func() { defer e.bg.Done(); e.janitor() }()

	if e.udpAddrs, err = e.resolveAll(e.cfg.UDP.Listen, unix.SOCK_DGRAM); err != nil {
		return err
	}
	if e.httpAddrs, err = e.resolveAll(e.cfg.HTTP.Listen, unix.SOCK_STREAM); err != nil {
		return err
	}
	if len(e.udpAddrs) > 0 {
		if e.cfg.UDP.Backend == BackendGnet {
			e.gnet = newGnetUDP(e, e.udpAddrs)
			if err := e.gnet.start(); err != nil {
				e.gnet = nil
				return err
			}
		} else if err := e.startMmsg(); err != nil {
			return err
		}
	}
	if len(e.httpAddrs) > 0 {
		e.http = newGnetHTTP(e, e.httpAddrs)
		if err := e.http.start(); err != nil {
			e.http = nil
			return err
		}
	}
	if e.cfg.Admin.Listen != "" {
		if err := e.startAdmin(); err != nil {
			return err
		}
	}
	e.log.Info("trackerd started",
		"udp", e.udpAddrs, "backend", e.cfg.UDP.Backend, "steer", e.steer(), "http", e.httpAddrs,
		"cpus", pin.Format(e.cpus), "pinned", !e.cfg.NoPin, "admin", e.AdminAddr())
	e.started.Store(true)
	return nil
}

func (e *Engine) startMmsg() error {
	for _, cpu := range e.cpus {
		for _, a := range e.udpAddrs {
			fd, err := bindSocket(a, unix.SOCK_DGRAM, true, e.cfg.UDP.ReadBuffer)
			if err != nil {
				return err
			}
			if e.cfg.NoPin {
				cpu = -1
			} else if e.cfg.UDP.Steer == SteerIncomingCPU {
				if err := setIncomingCPU(fd, cpu); err != nil {
					unix.Close(fd)
					return fmt.Errorf("udp.steer: %s on %s: %w", SteerIncomingCPU, a, err)
				}
			}
			w := newMmsgWorker(fd, cpu, e.cfg.UDP.Batch, newUDPHandler(e, e.newCounters()), e.clock.Now)
			e.workers = append(e.workers, w)
			go func() {
				if err := w.run(); err != nil {
					e.log.Error("udp worker stopped", "addr", a, "cpu", cpu, "err", err)
				}
			}()
		}
	}
	return nil
}

func (e *Engine) newCounters() *Counters {
	c := new(Counters)
	e.mu.Lock()
	e.counters = append(e.counters, c)
	e.mu.Unlock()
	return c
}

// Count returns the sum of counter k over all workers.
func (e *Engine) Count(k Counter) uint64 {
	var n uint64
	for _, c := range e.workerCounters() {
		n += c.Load(k)
	}
	return n
}

// workerCounters returns the counters of every worker and loop so far. The
// result is a copy; the Counters are live.
func (e *Engine) workerCounters() []*Counters {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*Counters(nil), e.counters...)
}

// UDPAddrs returns the bound UDP addresses, with ports resolved.
func (e *Engine) UDPAddrs() []netip.AddrPort { return e.udpAddrs }

// HTTPAddrs returns the bound HTTP addresses, with ports resolved.
func (e *Engine) HTTPAddrs() []netip.AddrPort { return e.httpAddrs }

// AdminAddr returns the admin listener's address, or "" when it is off.
func (e *Engine) AdminAddr() string {
	if e.adminLn == nil {
		return ""
	}
	return e.adminLn.Addr().String()
}

// purgeBudget is the janitor's step while it sweeps the tables against an
// access list just loaded: a million torrents in about 10 s, in locked
// batches of 64 torrents as always.
const purgeBudget = 10_000

// janitor expires peers a bounded number of torrents at a time, resizing
// its step to the table once a second. It drops the torrents the access
// list refuses as it goes; after a list is loaded it sweeps each table
// once round with a bigger step, so that refused torrents go within
// seconds, not within a quarter of the peer timeout.
func (e *Engine) janitor() {
	tk := time.NewTicker(cleanEvery)
	defer tk.Stop()
	timeout := e.table.Config().PeerTimeoutSec
	budget := cleanMinBudget
	var (
		gen               = e.accessGen.Load() - 1 // a list at start is swept against too (state loaded from a snapshot)
		purge             bool
		dropped, wraps    int // during a purge round: IP table
		rtcDrop, rtcWraps int // and WebTorrent table
	)
	for step := 1; ; step++ {
		select {
		case <-e.done:
			return
		case <-tk.C:
		}
		if step%int(time.Second/cleanEvery) == 0 {
			budget = sweepBudget(e.table.Stats().Torrents, timeout)
		}
		// The generation first: Reload stores the list, then bumps it, so a
		// new generation always comes with (at least) its own list.
		g := e.accessGen.Load()
		var refused func(*swarm.InfoHash) bool
		if a := e.live.Load().access; a != nil {
			refused = a.drop
		}
		if g != gen {
			gen, purge = g, refused != nil
			dropped, wraps, rtcDrop, rtcWraps = 0, 0, 0, 0
		}
		b, rb := budget, cleanMinBudget
		if purge {
			b, rb = max(b, purgeBudget), purgeBudget
		}
		t0 := time.Now()
		st := e.table.CleanRefused(e.clock.Now(), b, refused)
		t1 := time.Now()
		e.cleanIP.observe(t1.Sub(t0), st.PeersRemoved)
		dropped += st.TorrentsRefused
		wraps += st.Wrapped
		rtcDone := true
		if e.rtc != nil {
			st := e.rtc.CleanRefused(e.clock.Now(), rb, refused)
			e.cleanRTC.observe(time.Since(t1), st.PeersRemoved)
			rtcDrop += st.TorrentsRefused
			rtcWraps += st.Wrapped
			rtcDone = rtcWraps > e.rtc.Config().Shards
		}
		// More wraps than shards: every shard was swept from its start
		// (the first wrap may end a sweep begun before the list changed).
		if purge && wraps > e.table.Config().Shards && rtcDone {
			purge = false
			e.log.Info("access list applied to the swarm tables", "torrents_dropped", dropped, "webtorrent_torrents_dropped", rtcDrop)
		}
	}
}

// sweepBudget returns how many torrents a step must sweep for one round over
// the table to take at most a quarter of the peer timeout: expired peers are
// never returned, but scrapes count them until they are swept.
func sweepBudget(torrents uint64, peerTimeoutSec uint32) int {
	steps := max(uint64(peerTimeoutSec)*uint64(time.Second/cleanEvery)/4, 1)
	return int(max(cleanMinBudget, torrents/steps+1))
}

// Shutdown stops every listener and worker. It returns once they have
// stopped, or when ctx ends.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return nil
	}
	e.stopped = true
	e.mu.Unlock()

	var errs []error
	var wg sync.WaitGroup
	if e.admin != nil {
		// Alongside the workers, and briefly: a scrape or a pprof profile
		// in progress is cut rather than waited for.
		wg.Go(func() {
			actx, cancel := context.WithTimeout(ctx, adminStopWait)
			defer cancel()
			if err := e.admin.Shutdown(actx); err != nil {
				_ = e.admin.Close()
			}
		})
	}
	for _, w := range e.workers {
		wg.Go(func() {
			if err := w.Close(); err != nil {
				e.log.Warn("cannot close udp worker", "err", err)
			}
		})
	}
	if e.gnet != nil {
		wg.Go(func() {
			if err := e.gnet.stop(ctx); err != nil {
				e.log.Warn("cannot stop gnet udp", "err", err)
			}
		})
	}
	if e.http != nil {
		wg.Go(func() {
			if err := e.http.stop(ctx); err != nil {
				e.log.Warn("cannot stop http", "err", err)
			}
		})
	}
	close(e.done)
	waited := make(chan struct{})
	go func() { wg.Wait(); e.bg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("cannot stop engine in time: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}
