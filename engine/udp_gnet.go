package engine

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/panjf2000/gnet/v2"
)

// gnetUDP serves the UDP listen addresses from gnet event loops, one per
// CPU. It exists to be compared with the mmsg backend (DESIGN.md §2: gnet
// reads one datagram per wake-up and allocates per datagram).
//
// gnet gives each loop its own SO_REUSEPORT socket per address and no loop
// index, so per-loop state is found by the socket's fd: slots[fd] is written
// and read only by the loop that owns fd. The first datagram on a loop pins
// its thread (WithLockOSThread keeps the loop on it).
type gnetUDP struct {
	gnetServer
	e     *Engine
	addrs []string

	mu    sync.Mutex                   // guards loops; taken once per socket, not per packet
	loops map[gnet.EventLoop]*gnetLoop // per-loop state by loop
	slots []atomic.Pointer[gnetLoop]   // by listener fd; see type comment
}

// gnetLoop is the state of one gnet event loop. Owned by that loop.
type gnetLoop struct {
	h    *udpHandler
	out  []byte
	from endpoint
}

const maxGnetFD = 1 << 16

func newGnetUDP(e *Engine, addrs []netip.AddrPort) *gnetUDP {
	g := &gnetUDP{
		e:     e,
		loops: make(map[gnet.EventLoop]*gnetLoop),
		slots: make([]atomic.Pointer[gnetLoop], maxGnetFD),
	}
	for _, a := range addrs {
		scheme := "udp4://"
		if a.Addr().Is6() {
			scheme = "udp6://"
		}
		g.addrs = append(g.addrs, scheme+a.String())
	}
	return g
}

func (g *gnetUDP) start() error {
	return g.run(g, g.addrs,
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(len(g.e.cpus)),
		gnet.WithLockOSThread(true),
		gnet.WithReusePort(true),
		gnet.WithSocketRecvBuffer(g.e.cfg.UDP.ReadBuffer),
		gnet.WithLogger(gnetLogger{g.e.log}),
	)
}

// OnTraffic implements gnet.EventHandler: one datagram per call.
func (g *gnetUDP) OnTraffic(c gnet.Conn) gnet.Action {
	l := g.loop(c)
	pkt, _ := c.Peek(-1)
	ua, ok := c.RemoteAddr().(*net.UDPAddr)
	if !ok {
		return gnet.None
	}
	ap := ua.AddrPort()
	l.from.addr = ap.Addr().As16()
	l.from.port = ap.Port()
	reply := l.h.handle(l.out[:0], pkt, &l.from, g.e.clock.Now())
	if reply == nil {
		return gnet.None
	}
	l.out = reply[:0]
	if _, err := c.Write(reply); err != nil {
		l.h.stats.add(UDPSendErrors, 1)
		return gnet.None
	}
	l.h.stats.add(UDPPacketsOut, 1)
	l.h.stats.add(UDPBytesOut, uint64(len(reply)))
	return gnet.None
}

// loop returns the state of the loop that owns c's socket, creating it on
// the loop's first datagram.
func (g *gnetUDP) loop(c gnet.Conn) *gnetLoop {
	fd := c.Fd()
	if fd >= 0 && fd < maxGnetFD {
		if l := g.slots[fd].Load(); l != nil {
			return l
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.loops[c.EventLoop()]
	if !ok {
		stats := g.e.newCounters()
		l = &gnetLoop{h: newUDPHandler(g.e, stats), out: make([]byte, 0, txCap)}
		g.loops[c.EventLoop()] = l
		g.e.pinLoop("udp") // runs on the loop's locked OS thread
	}
	if fd >= 0 && fd < maxGnetFD {
		g.slots[fd].Store(l)
	}
	return l
}
