package bench

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The WebSocket load runs every simulated browser of one CPU on one epoll
// loop, as a browser's own event loop does: read what a readable
// connection has, handle every message in it, and write what that queued
// in one write. A goroutine per connection cost the generator more than
// the tracker spent on the same messages (parking, waking, deadlines and a
// read that finds nothing after each message), which capped the
// WebSocket rows of make bench at the generator's speed.

// Read buffer sizes: active peers receive bursts of offers and answers,
// the crowd a message now and then; both grow up to maxWSMessage for a
// larger frame.
const (
	wsActiveReadBuf = 64 << 10
	wsQuietReadBuf  = 2 << 10
)

// rawWS is the client end of one WebSocket connection served by a wsLoop:
// a non-blocking socket the loop owns.
type rawWS struct {
	fd  int
	rng *rand.Rand
	in  []byte // bytes read and not yet handled
	msg []byte // a fragmented message being reassembled
	out []byte // frames queued, not yet written
}

// takeWS turns a connection whose upgrade dialWS completed into a rawWS:
// the socket is duplicated out of the net.Conn (Go's sockets are already
// non-blocking), which is then closed, and bytes bufio read past the
// handshake are kept.
func takeWS(w *wsConn, readBuf int) (*rawWS, error) {
	defer w.close()
	tc, ok := w.c.(*net.TCPConn)
	if !ok {
		return nil, errors.New("bench: not a TCP connection")
	}
	sc, err := tc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, derr := -1, error(nil)
	if err := sc.Control(func(f uintptr) {
		fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	r := &rawWS{fd: fd, rng: w.rng, in: make([]byte, 0, max(readBuf, w.br.Buffered()))}
	r.in = r.in[:w.br.Buffered()]
	_, _ = w.br.Read(r.in)
	return r, nil
}

// writeMessage queues payload as one masked frame.
func (r *rawWS) writeMessage(opcode byte, payload []byte) {
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], r.rng.Uint32())
	r.out = appendFrame(r.out, opcode, payload, key)
}

// flush writes what is queued; what the socket does not take stays queued.
func (r *rawWS) flush() error {
	for len(r.out) > 0 {
		n, err := unix.Write(r.fd, r.out)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return nil
		case err != nil:
			return err
		}
		r.out = r.out[:copy(r.out, r.out[n:])]
	}
	return nil
}

// fill reads once into the free end of in, growing it when a frame needs
// more room. It reports false with a nil error when nothing was there.
func (r *rawWS) fill() (bool, error) {
	if len(r.in) == cap(r.in) {
		if cap(r.in) >= maxWSMessage+14 {
			return false, errWSFrame
		}
		r.in = append(r.in, make([]byte, cap(r.in))...)[:len(r.in)]
	}
	n, err := unix.Read(r.fd, r.in[len(r.in):cap(r.in)])
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return false, nil
	case err != nil:
		return false, err
	case n == 0:
		return false, errWSClosed
	}
	r.in = r.in[:len(r.in)+n]
	return true, nil
}

// parseServerFrame splits the first whole frame off b: FIN, opcode and
// payload, and the bytes it takes; size 0 means b holds no whole frame
// yet. Server frames must not be masked (RFC 6455 §5.1).
func parseServerFrame(b []byte) (fin bool, op byte, payload []byte, size int, err error) {
	if len(b) < 2 {
		return false, 0, nil, 0, nil
	}
	fin, op = b[0]&0x80 != 0, b[0]&0x0f
	if b[0]&0x70 != 0 || b[1]&0x80 != 0 {
		return false, 0, nil, 0, errWSFrame
	}
	n, h := uint64(b[1]&0x7f), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return false, 0, nil, 0, nil
		}
		n, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return false, 0, nil, 0, nil
		}
		n, h = binary.BigEndian.Uint64(b[2:]), 10
	}
	if n > maxWSMessage || (op >= wsClose && (n > 125 || !fin)) {
		return false, 0, nil, 0, errWSFrame
	}
	if uint64(len(b)-h) < n {
		return false, 0, nil, 0, nil
	}
	return fin, op, b[h : h+int(n)], h + int(n), nil
}

// wsHandler is what rawWS.messages hands messages to: a wsPeer.
type wsHandler interface {
	handle(msg []byte)             // a text or binary message; valid only during the call
	send(opcode byte, data []byte) // queue a frame
}

// messages hands p every whole message in in, answering pings, and keeps
// a partial frame for the next read.
func (r *rawWS) messages(p wsHandler) error {
	off := 0
	defer func() { r.in = r.in[:copy(r.in, r.in[off:])] }()
	for {
		fin, op, payload, size, err := parseServerFrame(r.in[off:])
		if err != nil || size == 0 {
			return err
		}
		off += size
		switch op {
		case wsPing:
			p.send(wsPong, payload)
			continue
		case wsPong:
			continue
		case wsClose:
			return errWSClosed
		case wsText, wsBinary:
			if len(r.msg) > 0 {
				return errWSFrame
			}
			if fin {
				p.handle(payload)
				continue
			}
			r.msg = append(r.msg, payload...)
		case wsContinuation:
			if len(r.msg) == 0 {
				return errWSFrame
			}
			if len(r.msg)+len(payload) > maxWSMessage {
				return errWSFrame
			}
			r.msg = append(r.msg, payload...)
			if fin {
				p.handle(r.msg)
				r.msg = r.msg[:0]
			}
		default:
			return errWSFrame
		}
	}
}

func (r *rawWS) close() { _ = unix.Close(r.fd) }

// wsLoop serves the peers given to it on one OS thread until end.
type wsLoop struct {
	epfd   int
	peers  []*wsPeer // by the index stored in their epoll event
	active []*wsPeer // the peers that announce on their own, for timeouts
	events []unix.EpollEvent
	dirty  []*wsPeer // peers with frames queued
	down   []*wsPeer // peers whose connection broke, to dial again

	// The crowd joins joinWindow browsers at a time, so that the offers
	// and answers of its announces are relayed while it joins rather than
	// piling up behind the clock's start.
	toJoin  []*wsPeer // quiet peers yet to announce
	joining []*wsPeer // quiet peers whose announce awaits its reply
}

// joinWindow is how many of the crowd's announces one loop has in flight.
const joinWindow = 64

func newWSLoop() (*wsLoop, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &wsLoop{epfd: fd, events: make([]unix.EpollEvent, 256)}, nil
}

// add registers p, whose connection is open.
func (lp *wsLoop) add(p *wsPeer) error {
	p.loop, p.loopIndex = lp, len(lp.peers)
	lp.peers = append(lp.peers, p)
	if p.quiet {
		lp.toJoin = append(lp.toJoin, p)
	} else {
		lp.active = append(lp.active, p)
	}
	return lp.watch(p)
}

func (lp *wsLoop) watch(p *wsPeer) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(p.loopIndex)}
	return unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_ADD, p.c.fd, &ev)
}

// run serves the loop's peers: the quiet ones announce first, joinWindow
// at a time, the active ones once goActive is true; every peer stops at
// end (Unix ns).
func (lp *wsLoop) run(goActive *atomic.Bool, endNs *atomic.Int64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer func() {
		for _, p := range lp.peers {
			p.stop()
		}
		_ = unix.Close(lp.epfd)
	}()
	started := false
	for {
		now := time.Now()
		if now.UnixNano() >= endNs.Load() {
			return
		}
		if !started && goActive.Load() {
			started = true
			for _, p := range lp.active {
				p.announce()
			}
		}
		if started {
			for _, p := range lp.active {
				p.checkTimeout(now)
			}
		}
		lp.join(now)
		if len(lp.down) > 0 {
			down := lp.down
			lp.down = nil
			for i, p := range down {
				if time.Now().UnixNano() >= endNs.Load() { // each dial may take cfg.Timeout
					lp.down = append(lp.down, down[i:]...)
					break
				}
				p.redial(started)
			}
		}
		wait := 20 // ms: how often the end, the start and timeouts are looked at
		if lp.flush() {
			wait = 1 // the tracker is not reading all: try again soon
		}
		n, err := unix.EpollWait(lp.epfd, lp.events, wait)
		if err != nil && err != unix.EINTR {
			lp.peers[0].rec.error("epoll_wait: " + err.Error())
			return
		}
		for i := range n {
			lp.peers[lp.events[i].Fd].readable()
		}
	}
}

// join drops the crowd's answered announces from joining, announces again
// those that timed out, and starts more up to joinWindow.
func (lp *wsLoop) join(now time.Time) {
	if len(lp.joining) == 0 && len(lp.toJoin) == 0 {
		return
	}
	in := lp.joining[:0]
	for _, p := range lp.joining {
		if p.pending && p.c != nil {
			p.checkTimeout(now)
			in = append(in, p)
		}
	}
	lp.joining = in
	for len(lp.joining) < joinWindow && len(lp.toJoin) > 0 {
		p := lp.toJoin[0]
		lp.toJoin = lp.toJoin[1:]
		if p.c != nil {
			p.announce()
			lp.joining = append(lp.joining, p)
		}
	}
}

// flush writes the frames queued outside a read (announces the loop
// starts, and what a connection did not take before), each connection's in
// one write(2). It reports whether some connection still holds frames.
func (lp *wsLoop) flush() (left bool) {
	dirty := lp.dirty
	lp.dirty = lp.dirty[:0]
	for _, p := range dirty {
		if p.c == nil {
			continue
		}
		if err := p.c.flush(); err != nil {
			p.broken("ws write: " + err.Error())
			continue
		}
		if len(p.c.out) > 0 {
			lp.dirty = append(lp.dirty, p)
			left = true
		}
	}
	return left
}
