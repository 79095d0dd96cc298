package engine

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/trackerd/trackerd/codec/ws"
	"github.com/trackerd/trackerd/swarm"
)

func TestInbox(t *testing.T) {
	var in inbox
	wake, ok := in.push(swarm.MakeConn(1, 2, 3), []byte("first"))
	if !wake || !ok {
		t.Fatalf("first push: wake %v ok %v", wake, ok)
	}
	if wake, _ := in.push(swarm.MakeConn(1, 5, 0), []byte("second")); wake {
		t.Fatal("second push asked for another wake-up")
	}
	var got []string
	for b := in.take(nil); ; {
		h, f, rest, ok := nextFrame(b)
		if !ok {
			break
		}
		got = append(got, string(f))
		if h.Loop() != 1 {
			t.Fatalf("handle loop %d", h.Loop())
		}
		b = rest
	}
	if len(got) != 2 || got[0] != "first" || got[1] != "second" {
		t.Fatalf("frames %q", got)
	}
	if wake, _ := in.push(swarm.MakeConn(1, 2, 3), []byte("x")); !wake {
		t.Fatal("push after take did not ask to wake the owner")
	}
	if _, ok := in.push(1, make([]byte, maxInbox)); ok {
		t.Fatal("inbox accepted more than maxInbox")
	}
}

func TestInbox_Concurrent(t *testing.T) {
	var in inbox
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				in.push(swarm.MakeConn(uint16(w), uint32(i), 0), bytes.Repeat([]byte{byte(w)}, i%50))
			}
		})
	}
	n := 0
	for done := false; !done; {
		wg.Wait()
		done = true
		for b := in.take(nil); ; {
			h, f, rest, ok := nextFrame(b)
			if !ok {
				break
			}
			if len(f) != int(h.Slot())%50 || (len(f) > 0 && f[0] != byte(h.Loop())) {
				t.Fatalf("frame %x for handle %x", f, h)
			}
			n++
			b = rest
		}
	}
	if n != 4000 {
		t.Fatalf("%d frames, want 4000", n)
	}
}

func TestWSSlots(t *testing.T) {
	var s wsSlots
	a, b := &httpConn{}, &httpConn{}
	ha := s.add(7, a)
	hb := s.add(7, b)
	if s.lookup(ha) != a || s.lookup(hb) != b || ha.Loop() != 7 {
		t.Fatal("lookup of live handles")
	}
	s.remove(ha)
	if s.lookup(ha) != nil {
		t.Fatal("removed handle still resolves")
	}
	c := &httpConn{}
	hc := s.add(7, c)
	if hc.Slot() != ha.Slot() || s.lookup(ha) != nil || s.lookup(hc) != c {
		t.Fatal("a reused slot resolves the old handle")
	}
	s.remove(ha) // stale: must not free c's slot
	if s.lookup(hc) != c {
		t.Fatal("removing a stale handle freed a live slot")
	}
}

// fakeConn is the part of gnet.Conn a relay touches: Write and the backlog.
type fakeConn struct {
	gnet.Conn
	out    []byte // what the last Write wrote
	writes int
}

func (f *fakeConn) Write(b []byte) (int, error) {
	f.out = append(f.out[:0], b...)
	f.writes++
	return len(b), nil
}
func (f *fakeConn) OutboundBuffered() int { return 0 }

func textMsg(b []byte) ws.Message { return ws.Message{Op: ws.OpText, Payload: b} }

// relayLoop is one HTTP loop of an engine with cfg, driven by the test
// rather than by gnet, with n upgraded connections whose writes go to
// fakes. el is the loop's gnet.EventLoop: nil, and the test flushes.
func relayLoop(t *testing.T, cfg Config, el gnet.EventLoop, n int) (*gnetHTTP, *httpLoop, []*httpConn, []*fakeConn) {
	t.Helper()
	e, err := New(cfg, swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	g := newGnetHTTP(e, nil)
	stats := new(Counters)
	l := &httpLoop{el: el, h: newHTTPHandler(e, stats), stats: stats}
	if el != nil {
		g.initFlush(l)
	}
	conns, fakes := make([]*httpConn, n), make([]*fakeConn, n)
	for i := range conns {
		fakes[i] = &fakeConn{}
		conns[i] = &httpConn{loop: l, c: fakes[i]}
		g.upgradeWS(l, conns[i])
	}
	return g, l, conns, fakes
}

// TestFlushRelays: frames relayed to one connection from several others
// leave in one Write; frames for a connection that closes before the
// flush are counted as dropped and written nowhere.
func TestFlushRelays(t *testing.T) {
	g, l, conns, fakes := relayLoop(t, wsConfig(), nil, 4)
	stats := l.stats
	now := uint32(time.Now().Unix())
	msg := func(c int, m string) { g.message(l, conns[c], nil, textMsg([]byte(m)), now) }
	// Peer 1 is alone on torrents 1 and 2, peer 3 alone on torrent 3.
	msg(1, announceMsg(1, 1, 0, ""))
	msg(1, announceMsg(2, 1, 0, ""))
	msg(3, announceMsg(3, 3, 0, ""))
	// Peers 0 and 2 offer to peer 1, peer 0 also to peer 3.
	msg(0, announceMsg(1, 0, 1, ""))
	msg(2, announceMsg(2, 2, 1, ""))
	msg(0, announceMsg(3, 0, 1, ""))
	// Connection 3 closes before the flush.
	g.closeWS(l, conns[3])
	*conns[3] = httpConn{loop: l, ws: conns[3].ws} // as release leaves it
	g.flushRelays(l)

	if fakes[1].writes != 1 || bytes.Count(fakes[1].out, []byte(`"offer_id"`)) != 2 {
		t.Errorf("connection 1: %d writes, last %q; want one write of two offers", fakes[1].writes, fakes[1].out)
	}
	if fakes[3].writes != 0 {
		t.Errorf("the closed connection was written to")
	}
	if got := stats.Load(WSRelayDropped); got != 1 {
		t.Errorf("relays dropped = %d, want 1", got)
	}
	if got := stats.Load(WSOffersRelayed); got != 3 {
		t.Errorf("offers relayed = %d, want 3", got)
	}
	if len(l.ws.dirty) != 0 || len(conns[1].ws.relayed) != 0 {
		t.Error("flushRelays left frames queued")
	}

	// A connection's own replies are queued with its relays; when it
	// closes before the flush, writeQueued sends them ahead of the close.
	g.enqueue(l, conns[0], []byte("reply"))
	msg(2, announceMsg(1, 2, 1, "")) // an offer to peer 0 or peer 1
	g.writeQueued(l, conns[0])
	if !bytes.HasPrefix(fakes[0].out, []byte("reply")) || len(conns[0].ws.relayed) != 0 {
		t.Errorf("writeQueued wrote %q", fakes[0].out)
	}
	w0 := fakes[0].writes
	g.flushRelays(l)
	if fakes[0].writes != w0 {
		t.Error("frames written twice")
	}

	// A connection that closes with only its own replies queued: the
	// record is released, and the flush must skip it.
	g.enqueue(l, conns[2], []byte("reply"))
	g.closeWS(l, conns[2])
	*conns[2] = httpConn{loop: l, ws: conns[2].ws} // as release leaves it: no gnet.Conn
	g.flushRelays(l)
	if len(conns[2].ws.relayed) != 0 {
		t.Error("a closed connection kept its queued frames")
	}
}

// fakeLoop is a gnet.EventLoop whose tasks run when the test says so.
type fakeLoop struct {
	gnet.EventLoop
	mu    sync.Mutex
	tasks []gnet.Runnable
}

func (f *fakeLoop) Execute(_ context.Context, r gnet.Runnable) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks = append(f.tasks, r)
	return nil
}

// run runs the tasks queued so far, as the loop does after a batch, and
// says how many there were.
func (f *fakeLoop) run() int {
	f.mu.Lock()
	tasks := f.tasks
	f.tasks = nil
	f.mu.Unlock()
	for _, r := range tasks {
		_ = r.Run(context.Background())
	}
	return len(tasks)
}

// TestWriteDelay: frames queued on a quiet loop are written once the batch
// is handled; on a busy one (a read came in before the flush ran) they are
// held up to webtorrent.write_delay, ended by a read after that time or,
// when none comes, by the timer; a hold never grows past maxHeldBytes, and
// write_delay 0 turns it off.
func TestWriteDelay(t *testing.T) {
	const delay = 10 * time.Millisecond
	cfg := wsConfig()
	cfg.WebTorrent.WriteDelay = delay
	loop := &fakeLoop{}
	g, l, conns, fakes := relayLoop(t, cfg, loop, 1)
	hc, fc := conns[0], fakes[0]
	expect := func(writes int, last string) {
		t.Helper()
		if fc.writes != writes || (last != "" && string(fc.out) != last) {
			t.Fatalf("%d writes, the last %q; want %d, the last %q", fc.writes, fc.out, writes, last)
		}
	}

	g.enqueue(l, hc, []byte("a"))
	expect(0, "")
	loop.run()
	expect(1, "a")

	// Busy: held, and a read before write_delay does not end the hold.
	// (The timer is stopped so that only a read can end it.)
	g.enqueue(l, hc, []byte("b"))
	l.ws.reads++
	loop.run()
	l.ws.timer.Stop()
	g.enqueue(l, hc, []byte("c"))
	g.endHold(l)
	if n := loop.run(); n != 0 || fc.writes != 1 {
		t.Fatalf("a young hold was ended: %d tasks, %d writes", n, fc.writes)
	}
	time.Sleep(delay)
	g.endHold(l)
	loop.run()
	expect(2, "bc")

	// No read comes: the timer ends the hold.
	g.enqueue(l, hc, []byte("d"))
	l.ws.reads++
	loop.run()
	expect(2, "")
	for deadline := time.Now().Add(5 * time.Second); fc.writes == 2; {
		if time.Now().After(deadline) {
			t.Fatal("the timer did not end the hold")
		}
		time.Sleep(time.Millisecond)
		loop.run()
	}
	expect(3, "d")

	// Too much to hold.
	big := make([]byte, maxHeldBytes)
	g.enqueue(l, hc, big)
	l.ws.reads++
	loop.run()
	expect(4, "")

	// write_delay 0.
	cfg.WebTorrent.WriteDelay = 0
	g.e.live.Store(newSettings(&cfg, nil))
	g.enqueue(l, hc, []byte("e"))
	l.ws.reads++
	loop.run()
	expect(5, "e")
}
