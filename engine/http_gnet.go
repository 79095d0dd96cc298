package engine

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/trackerd/trackerd/codec/proxy"
)

// gnetHTTP serves the HTTP listen addresses from gnet event loops, one per
// CPU, each locked to its OS thread and pinned on its first connection.
// Each loop owns an httpHandler; a connection's bytes are parsed, applied
// and answered on the loop that read them, and all responses of one
// OnTraffic leave in one Write (DESIGN.md §2: one Write per response cost
// 12x under pipelining).
//
// gnet gives a callback no loop index, so a loop's state is found by its
// gnet.EventLoop in a copy-on-write map: lock-free to read, written once
// per loop under mu.
type gnetHTTP struct {
	gnetServer
	e     *Engine
	addrs []string

	loops   atomic.Pointer[map[gnet.EventLoop]*httpLoop]
	byIndex atomic.Pointer[[]*httpLoop] // the same loops by wsLoop.index
	mu      sync.Mutex                  // serialises writers of loops and nextCPU
	nextCPU int
	open    atomic.Int64 // open connections, against MaxConnections

	eng     gnet.Engine
	booted  chan struct{}
	stopped chan error
}

// httpLoop is the state of one event loop. Owned by that loop: touched
// only from its callbacks and from runnables it executes.
type httpLoop struct {
	el    gnet.EventLoop
	h     *httpHandler
	stats *Counters
	out   []byte       // responses of one OnTraffic
	proxy proxy.Header // PROXY protocol parse target
	ws    wsLoop
	drain gnet.Runnable // drains ws.inbox; made once, handed to Execute
	flush gnet.Runnable // writes the relays queued for this loop's connections
	conns []*httpConn   // open connections, for the sweep
	free  []*httpConn   // closed connections' records, reused
}

// httpConn is one connection's state, kept in the gnet.Conn's context.
// Owned by the connection's loop.
type httpConn struct {
	c        gnet.Conn
	loop     *httpLoop
	remote   endpoint
	idx      int    // position in loop.conns
	proxied  bool   // a PROXY protocol header is still expected (http.proxy_protocol)
	buffered int    // input bytes kept for the next OnTraffic (a partial request)
	active   uint32 // when the last request completed, or the connection opened
	partial  uint32 // when the pending partial request began; 0 when none
	closing  bool
	upgraded bool    // the connection speaks WebSocket now
	ws       *wsConn // WebSocket state, kept across reuse of the record
}

func newGnetHTTP(e *Engine, addrs []netip.AddrPort) *gnetHTTP {
	g := &gnetHTTP{e: e}
	g.loops.Store(&map[gnet.EventLoop]*httpLoop{})
	g.byIndex.Store(&[]*httpLoop{})
	for _, a := range addrs {
		scheme := "tcp4://"
		if a.Addr().Is6() {
			scheme = "tcp6://"
		}
		g.addrs = append(g.addrs, scheme+a.String())
	}
	return g
}

func (g *gnetHTTP) start() error {
	return g.run(g, g.addrs,
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(len(g.e.cpus)),
		gnet.WithLockOSThread(true),
		gnet.WithReusePort(true),
		gnet.WithReuseAddr(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithTicker(true),
		gnet.WithLogger(gnetLogger{g.e.log}),
	)
}

// OnOpen implements gnet.EventHandler.
func (g *gnetHTTP) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	l := g.loop(c)
	if g.open.Add(1) > g.e.live.Load().maxConns {
		g.open.Add(-1)
		l.stats.add(HTTPConnsRefused, 1)
		return nil, gnet.Close
	}
	hc := l.acquire()
	hc.c = c
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		hc.remote = endpoint{addr: ap.Addr().As16(), port: ap.Port()}
	}
	hc.active = g.e.clock.Now()
	hc.proxied = g.e.cfg.HTTP.ProxyProtocol
	hc.idx = len(l.conns)
	l.conns = append(l.conns, hc)
	c.SetContext(hc)
	l.stats.add(HTTPConnsOpened, 1)
	return nil, gnet.None
}

// OnTraffic implements gnet.EventHandler: it answers every complete request
// buffered on c and keeps a partial one for later.
func (g *gnetHTTP) OnTraffic(c gnet.Conn) gnet.Action {
	hc, ok := c.Context().(*httpConn)
	if !ok {
		return gnet.Close
	}
	l := hc.loop
	l.stats.setFamily(&hc.remote)
	in, _ := c.Peek(-1)
	l.stats.add(HTTPBytesIn, uint64(len(in)-hc.buffered))
	now := g.e.clock.Now()
	if hc.upgraded {
		l.ws.reads++
		out, used, closeConn := g.trafficWS(l, hc, l.out[:0], in, now)
		if closeConn {
			g.writeQueued(l, hc) // what was queued goes before the close frame
		} else if len(out) > 0 {
			// The replies leave with the frames relayed to this
			// connection in the same batch, in one write.
			g.enqueue(l, hc, out)
			out = out[:0]
		}
		g.endHold(l)
		return g.finish(c, hc, out, used, len(in), closeConn, now)
	}
	skip := 0
	if hc.proxied {
		n, err := l.proxy.Parse(in)
		switch {
		case err == proxy.ErrNeedMore:
			hc.buffered = len(in)
			if hc.partial == 0 {
				hc.partial = now // the sweep closes a header that never completes
			}
			return gnet.None
		case err != nil:
			l.stats.add(HTTPBadRequests, 1)
			return gnet.Close // not from a proxy: no HTTP reply, the framing is unknown
		}
		if !l.proxy.Local {
			hc.remote = endpoint{addr: l.proxy.Src, port: l.proxy.SrcPort}
			l.stats.setFamily(&hc.remote)
		}
		hc.proxied, skip = false, n
	}
	out, used, next := l.h.serve(l.out[:0], in[skip:], &hc.remote, now)
	used += skip
	if next == connUpgrade {
		g.upgradeWS(l, hc)
		var n int
		var closeConn bool
		out, n, closeConn = g.trafficWS(l, hc, out, in[used:], now) // frames sent right after the handshake
		return g.finish(c, hc, out, used+n, len(in), closeConn, now)
	}
	return g.finish(c, hc, out, used, len(in), next == connClose, now)
}

// finish discards the used input, keeps track of a partial request, writes
// out in one Write and closes the connection when asked to or when the
// client does not read what it is sent.
func (g *gnetHTTP) finish(c gnet.Conn, hc *httpConn, out []byte, used, size int, closeConn bool, now uint32) gnet.Action {
	l := hc.loop
	l.out = out[:0]
	if used > 0 {
		// Discard(0) would drop everything: call it only with a count.
		_, _ = c.Discard(used)
		hc.active = now
	}
	switch hc.buffered = size - used; {
	case hc.buffered == 0:
		hc.partial = 0
	case used > 0 || hc.partial == 0:
		hc.partial = now
	}
	if len(out) > 0 {
		if _, err := c.Write(out); err != nil {
			return gnet.Close
		}
		l.stats.add(HTTPBytesOut, uint64(len(out)))
	}
	if closeConn {
		return gnet.Close
	}
	if c.OutboundBuffered() > g.e.live.Load().maxPending {
		l.stats.add(HTTPConnsOverflowed, 1)
		return gnet.Close
	}
	return gnet.None
}

// OnClose implements gnet.EventHandler.
func (g *gnetHTTP) OnClose(c gnet.Conn, _ error) gnet.Action {
	hc, ok := c.Context().(*httpConn)
	if !ok {
		return gnet.None // refused in OnOpen
	}
	c.SetContext(nil)
	g.open.Add(-1)
	l := hc.loop
	l.stats.add(HTTPConnsClosed, 1)
	if hc.upgraded {
		l.stats.add(WSClosed, 1)
		g.closeWS(l, hc)
	}
	last := l.conns[len(l.conns)-1]
	l.conns[hc.idx], last.idx = last, hc.idx
	l.conns = l.conns[:len(l.conns)-1]
	l.release(hc)
	return gnet.None
}

// OnTick implements gnet.EventHandler. It runs on gnet's ticker goroutine,
// so each loop's sweep is handed to that loop with Execute.
func (g *gnetHTTP) OnTick() (time.Duration, gnet.Action) {
	for _, l := range *g.loops.Load() {
		_ = l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			l.sweep(g.e.clock.Now(), g.e.live.Load())
			return nil
		}))
	}
	return time.Second, gnet.None
}

// sweep closes connections idle for http.idle_timeout and those whose
// request has been arriving for http.header_timeout (slowloris). A
// WebSocket connection is pinged when quiet for half of
// webtorrent.idle_timeout and closed after all of it. Runs on the loop.
func (l *httpLoop) sweep(now uint32, s *settings) {
	idle, slow, wsIdle := s.httpIdleSec, s.httpHeaderSec, s.wsIdleSec
	for _, hc := range l.conns {
		if hc.closing {
			continue
		}
		if hc.upgraded {
			quiet := now - hc.active
			if quiet >= wsIdle {
				hc.closing = true
				l.stats.add(HTTPConnsTimedOut, 1)
				_ = hc.c.Close()
			} else if quiet >= wsIdle/2 && !hc.ws.pinged {
				hc.ws.pinged = true
				_, _ = hc.c.Write(wsPing)
			}
			continue
		}
		if (hc.partial != 0 && now-hc.partial >= slow) || (hc.partial == 0 && now-hc.active >= idle) {
			hc.closing = true
			l.stats.add(HTTPConnsTimedOut, 1)
			_ = hc.c.Close() // asynchronous: OnClose runs after this sweep
		}
	}
}

func (l *httpLoop) acquire() *httpConn {
	if n := len(l.free); n > 0 {
		hc := l.free[n-1]
		l.free = l.free[:n-1]
		return hc
	}
	return &httpConn{loop: l}
}

func (l *httpLoop) release(hc *httpConn) {
	*hc = httpConn{loop: l, ws: hc.ws}
	l.free = append(l.free, hc)
}

// loop returns the state of c's event loop, creating it (and pinning the
// loop's thread) on the loop's first connection. It runs on that loop.
func (g *gnetHTTP) loop(c gnet.Conn) *httpLoop {
	el := c.EventLoop()
	if l, ok := (*g.loops.Load())[el]; ok {
		return l
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	old := *g.loops.Load()
	stats := g.e.newCounters()
	l := &httpLoop{el: el, h: newHTTPHandler(g.e, stats), stats: stats}
	l.ws.index = len(old)
	l.drain = gnet.RunnableFunc(func(context.Context) error {
		g.drainInbox(l)
		return nil
	})
	g.initFlush(l)
	g.e.pinLoop("http") // runs on the loop's locked OS thread
	next := make(map[gnet.EventLoop]*httpLoop, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[el] = l
	g.loops.Store(&next)
	idx := append(append([]*httpLoop(nil), *g.byIndex.Load()...), l)
	g.byIndex.Store(&idx)
	return l
}

// loopAt returns the loop with wsLoop.index i, or nil.
func (g *gnetHTTP) loopAt(i int) *httpLoop {
	if loops := *g.byIndex.Load(); i < len(loops) {
		return loops[i]
	}
	return nil
}
