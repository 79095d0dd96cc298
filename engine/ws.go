package engine

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/panjf2000/gnet/v2"
	"github.com/trackerd/trackerd/codec/ws"
	"github.com/trackerd/trackerd/codec/wt"
	"github.com/trackerd/trackerd/swarm"
)

// WebTorrent signalling: after the upgrade (httpHandler.upgrade) a
// connection carries WebSocket frames (codec/ws) holding JSON messages
// (codec/wt). Announces go to the RTC swarm table; their offers, and the
// answers to them, are relayed to other peers' connections: written
// directly when the peer is on this loop, through the owner's inbox
// otherwise (ws_relay.go). The tracker never learns or hands out addresses.

// maxWSPeers bounds the torrents one connection may announce on; each is
// removed from its swarm when the connection closes.
const maxWSPeers = 64

const (
	failTooManyTorrents = "too many torrents on one connection"
	failSecondPeerID    = "this connection already announced another peer_id for this torrent"
)

// wsConn is the WebSocket state of a connection. Owned by its loop; kept
// with the httpConn record and reused with it.
type wsConn struct {
	handle swarm.Conn
	dec    ws.Decoder
	peers  [maxWSPeers]wsPeer // what this connection announced
	npeers int
	pinged bool // a ping is out since the last frame from the client

	// Frames other peers relayed to this connection and not yet written;
	// flushRelays writes them as one.
	relayed  []byte
	nrelayed int
}

type wsPeer struct {
	ih     swarm.InfoHash
	peerID [20]byte
}

// wsLoop is the WebTorrent state of one event loop. Owned by the loop,
// except inbox, which other loops push to.
type wsLoop struct {
	index   int // this loop's number in swarm.Conn handles
	slots   wsSlots
	inbox   inbox
	spare   []byte // the drained inbox buffer, swapped back in next time
	req     wt.Request
	args    swarm.RTCAnnounce
	offers  [wt.MaxOffers][20]byte
	targets []swarm.RTCPeer
	frame   []byte      // one relayed frame
	head    []byte      // the start of an announce's offers (wt.AppendOfferHeadJSON)
	dirty   []*httpConn // connections with relayed frames to write

	// A flush is pending from the first frame queued until flushRelays
	// writes it: queued with Execute, it runs once the loop has handled
	// its batch of ready connections, and is then held until
	// webtorrent.write_delay after queuedAt, so that the reads that
	// follow add to the same writes (flushTask).
	flushQueued bool
	held        bool        // the flush waits for endHold or the timer
	queuedAt    int64       // monotonic ns of the first frame queued
	queuedBytes int         // bytes queued since the last flush
	timer       *time.Timer // ends a held flush when no read comes to
	reads       uint64      // reads on the loop's WebSocket connections
	readsAt     uint64      // reads when the flush was queued
}

// upgradeWS turns hc into a WebSocket connection. The 101 response has
// already been appended by the handler.
func (g *gnetHTTP) upgradeWS(l *httpLoop, hc *httpConn) {
	if hc.ws == nil {
		hc.ws = new(wsConn)
	}
	w := hc.ws
	w.dec.Reset()
	w.dec.MaxMessage = g.e.cfg.WebTorrent.MaxMessage
	w.dec.TextUnchecked = true // see message
	w.npeers, w.pinged = 0, false
	w.handle = l.ws.slots.add(l.ws.index, hc)
	hc.upgraded = true
	l.stats.add(WSUpgrades, 1)
}

// trafficWS decodes every whole frame in in and answers it, appending the
// connection's own replies to out. It returns out, the bytes used, and
// whether to close after writing out.
func (g *gnetHTTP) trafficWS(l *httpLoop, hc *httpConn, out, in []byte, now uint32) ([]byte, int, bool) {
	w := hc.ws
	used := 0
	for {
		n, m, err := w.dec.Decode(in[used:])
		used += n
		if err != nil {
			l.stats.add(WSProtocolErrors, 1)
			return ws.AppendClose(out, ws.CloseCode(err), ""), len(in), true
		}
		if m.Op == ws.OpContinuation {
			return out, used, false // nothing whole yet
		}
		hc.active, w.pinged = now, false
		switch m.Op {
		case ws.OpText, ws.OpBinary:
			l.stats.add(WSMessages, 1)
			var ok bool
			if out, ok = g.message(l, hc, out, m, now); !ok {
				l.stats.add(WSProtocolErrors, 1)
				return ws.AppendClose(out, ws.CloseCode(ws.ErrInvalidUTF8), ""), len(in), true
			}
		case ws.OpPing:
			out = ws.AppendFrame(out, ws.OpPong, m.Payload)
		case ws.OpClose:
			return ws.AppendClose(out, ws.CloseNormalClosure, ""), len(in), true
		}
	}
}

// message answers one WebTorrent message; m aliases the connection's input
// and is dead after this call. It reports false when m is text that is not
// UTF-8: the decoder leaves that check to Parse (ws.Decoder.TextUnchecked),
// which accepts only UTF-8, and the connection must then be failed (RFC
// 6455 §8.1).
func (g *gnetHTTP) message(l *httpLoop, hc *httpConn, out []byte, m ws.Message, now uint32) ([]byte, bool) {
	r := &l.ws.req
	if err := r.Parse(m.Payload); err != nil {
		if m.Op == ws.OpText && !utf8.Valid(m.Payload) {
			return out, false
		}
		return g.wsFail(l, out, wt.FailureReason(err), r.Action, r.FailureInfoHash()), true
	}
	switch r.Action {
	case wt.ActionScrape:
		return g.wsScrape(l, out, r, now), true
	case wt.ActionAnnounce:
		return g.wsAnnounce(l, hc, out, r, now), true
	}
	panic("BUG: wt.Request.Parse accepted an action message does not know")
}

func (g *gnetHTTP) wsFail(l *httpLoop, out []byte, reason string, action wt.Action, ih *[20]byte) []byte {
	l.stats.add(WSFailures, 1)
	out, start := ws.BeginFrame(out)
	out = wt.AppendFailure(out, reason, action, ih)
	return ws.EndFrame(out, start, ws.OpText)
}

var wtEvents = [...]swarm.Event{
	wt.EventNone:      swarm.EventNone,
	wt.EventCompleted: swarm.EventCompleted,
	wt.EventStarted:   swarm.EventStarted,
	wt.EventStopped:   swarm.EventStopped,
}

func (g *gnetHTTP) wsAnnounce(l *httpLoop, hc *httpConn, out []byte, r *wt.Request, now uint32) []byte {
	w, lw := hc.ws, &l.ws
	ih := (*swarm.InfoHash)(&r.InfoHash)
	live := g.e.live.Load()
	if live.access.refused(&r.InfoHash) {
		l.stats.add(WSAccessRefused, 1)
		return g.wsFail(l, out, msgRefused, r.Action, &r.InfoHash)
	}
	if r.HasAnswer {
		// An answer is routed only to the peer that made that offer, only
		// while it is fresh, and only from the peer it was sent to
		// (swarm.RTCTable.TakeOffer). It is not an announce: it carries no
		// "left", and counting it would turn a seeder into a leecher. The
		// reference sends no reply to it (server.js _onWebSocketRequest).
		self := &swarm.RTCPeer{PeerID: r.PeerID, Conn: w.handle}
		to, err := g.e.rtc.TakeOffer(ih, &r.OfferID, self, &r.ToPeerID, now)
		if err != nil {
			l.stats.add(WSAnswersDropped, 1)
			return out
		}
		lw.frame, _ = ws.BeginFrame(lw.frame[:0])
		lw.frame = wt.AppendAnswerJSON(lw.frame, r.InfoHashJSON, r.PeerIDJSON, r.OfferIDJSON, r.Answer)
		lw.frame = ws.EndFrame(lw.frame, 0, ws.OpText)
		if g.relay(l, to, lw.frame) {
			l.stats.add(WSAnswersRelayed, 1)
		}
		return out
	}
	known := w.find(ih, &r.PeerID) >= 0
	if !known && r.Event != wt.EventStopped {
		if w.onTorrent(ih) {
			// One connection is one browser: a second identity on the same
			// torrent could only be used to flood the swarm with offers.
			return g.wsFail(l, out, failSecondPeerID, r.Action, &r.InfoHash)
		}
		if w.npeers == maxWSPeers {
			return g.wsFail(l, out, failTooManyTorrents, r.Action, &r.InfoHash)
		}
	}
	for i := range r.NOffers {
		lw.offers[i] = r.Offers[i].ID
	}
	lw.args = swarm.RTCAnnounce{
		InfoHash: *ih,
		PeerID:   r.PeerID,
		Conn:     w.handle,
		Seeder:   r.HasLeft && r.Left == 0,
		Event:    wtEvents[r.Event],
		NumWant:  r.NOffers,
		OfferIDs: lw.offers[:r.NOffers], // registered for the targets, in order
	}
	targets, c, err := g.e.rtc.Announce(lw.targets[:0], &lw.args, now)
	lw.targets = targets[:0]
	if err != nil {
		return g.wsFail(l, out, err.Error(), r.Action, &r.InfoHash)
	}
	switch {
	case r.Event == wt.EventStopped:
		w.forget(ih, &r.PeerID)
	case !known:
		w.peers[w.npeers] = wsPeer{ih: *ih, peerID: r.PeerID}
		w.npeers++
	}
	var start int
	out, start = ws.BeginFrame(out)
	out = wt.AppendAnnounceReply(out, &r.InfoHash, int(c.Seeders), int(c.Leechers),
		live.wtIntervalSec)
	out = ws.EndFrame(out, start, ws.OpText)
	l.stats.add(WSAnnounces, 1)
	l.stats.clients.count(&r.PeerID)
	// Offer i goes to target i, never back to the offerer.
	if len(targets) > 0 {
		lw.head = wt.AppendOfferHeadJSON(lw.head[:0], r.InfoHashJSON, r.PeerIDJSON)
	}
	for i, t := range targets {
		lw.frame, _ = ws.BeginFrame(lw.frame[:0])
		lw.frame = append(lw.frame, lw.head...)
		lw.frame = wt.AppendOfferTailJSON(lw.frame, r.Offers[i].IDJSON, r.Offers[i].SDP)
		lw.frame = ws.EndFrame(lw.frame, 0, ws.OpText)
		if g.relay(l, t.Conn, lw.frame) {
			l.stats.add(WSOffersRelayed, 1)
		}
	}
	return out
}

func (g *gnetHTTP) wsScrape(l *httpLoop, out []byte, r *wt.Request, now uint32) []byte {
	if r.NHashes == 0 {
		return g.wsFail(l, out, failFullScrape, r.Action, nil)
	}
	live := g.e.live.Load()
	if r.NHashes > live.maxScrape {
		return g.wsFail(l, out, failManyHashes, r.Action, nil)
	}
	if live.access.refusedAll(r.Hashes[:r.NHashes]) {
		l.stats.add(WSAccessRefused, 1)
		return g.wsFail(l, out, msgRefused, r.Action, nil)
	}
	out, start := ws.BeginFrame(out)
	out = wt.AppendScrapeHeader(out)
	for i := range r.NHashes {
		var c swarm.Counts // a refused torrent among allowed ones: zeros
		if !live.access.refused(&r.Hashes[i]) {
			c = g.e.rtc.Scrape((*swarm.InfoHash)(&r.Hashes[i]), now)
		}
		out = wt.AppendScrapeEntry(out, &r.Hashes[i], int(c.Seeders), int(c.Leechers), int(c.Downloaded))
	}
	out = wt.AppendScrapeFooter(out)
	l.stats.add(WSScrapes, 1)
	return ws.EndFrame(out, start, ws.OpText)
}

// relay sends frame to the connection to: queued for flushRelays when it is
// on this loop (deliver), in its loop's inbox otherwise. It reports whether
// the frame was queued; a frame for a closed connection is dropped and
// counted.
func (g *gnetHTTP) relay(l *httpLoop, to swarm.Conn, frame []byte) bool {
	if int(to.Loop()) == l.ws.index {
		return g.deliver(l, to, frame)
	}
	other := g.loopAt(int(to.Loop()))
	if other == nil {
		l.stats.add(WSRelayDropped, 1)
		return false
	}
	wake, ok := other.ws.inbox.push(to, frame)
	if !ok {
		l.stats.add(WSRelayDropped, 1)
		return false
	}
	if wake {
		_ = other.el.Execute(context.Background(), other.drain)
	}
	return true
}

// deliver queues frame for the live connection to of loop l. Runs on l.
//
// Frames are written by flushRelays once the loop has handled the batch
// of connections epoll reported ready (gnet runs the tasks Execute queues
// after a batch), so every frame relayed to one connection in that time
// leaves in one write(2), whichever connections they came from. On
// loopback each write costs the receiver's TCP work too: with 16 browsers
// this cut the tracker's writes 6-fold and its CPU per message by 30%
// (bench/results/2026-11-24-xeon-2vcpu-ws-batching.md). gnet's Execute
// allocates its task's closure: one small allocation per batch, none per
// message.
func (g *gnetHTTP) deliver(l *httpLoop, to swarm.Conn, frame []byte) bool {
	hc := l.ws.slots.lookup(to)
	if hc == nil || hc.closing {
		l.stats.add(WSRelayDropped, 1)
		return false
	}
	g.enqueue(l, hc, frame)
	hc.ws.nrelayed++
	return true
}

// enqueue queues frames for hc, relayed ones or its own replies, and lists
// hc for flushRelays.
func (g *gnetHTTP) enqueue(l *httpLoop, hc *httpConn, frames []byte) {
	if len(hc.ws.relayed) == 0 {
		l.ws.dirty = append(l.ws.dirty, hc)
		g.queueFlush(l)
	}
	hc.ws.relayed = append(hc.ws.relayed, frames...)
	l.ws.queuedBytes += len(frames)
}

// writeQueued writes the frames queued for hc at once: for a connection
// about to close, which flushRelays would skip.
func (g *gnetHTTP) writeQueued(l *httpLoop, hc *httpConn) {
	w := hc.ws
	if len(w.relayed) == 0 {
		return
	}
	b := w.relayed
	w.relayed, w.nrelayed = b[:0], 0
	if _, err := hc.c.Write(b); err == nil {
		l.stats.add(HTTPBytesOut, uint64(len(b)))
	}
}

// initFlush makes l's flush task, and the timer that ends a held flush
// when no read does.
func (g *gnetHTTP) initFlush(l *httpLoop) {
	l.flush = gnet.RunnableFunc(func(context.Context) error {
		g.flushTask(l)
		return nil
	})
	l.ws.timer = time.AfterFunc(time.Hour, func() { _ = l.el.Execute(context.Background(), l.flush) })
	l.ws.timer.Stop()
}

// queueFlush has flushTask run after the loop's current batch, once.
func (g *gnetHTTP) queueFlush(l *httpLoop) {
	if l.ws.flushQueued || l.el == nil { // l.el is nil only in tests, which flush themselves
		return
	}
	l.ws.flushQueued, l.ws.queuedAt, l.ws.readsAt = true, monotime(), l.ws.reads
	g.executeFlush(l)
}

// executeFlush has flushTask run after the loop's current batch; when the
// engine is stopping, the frames are written at once instead.
func (g *gnetHTTP) executeFlush(l *httpLoop) {
	if l.el.Execute(context.Background(), l.flush) != nil {
		l.ws.flushQueued = false
		g.flushRelays(l)
	}
}

// maxHeldBytes is the most a loop holds for webtorrent.write_delay; more
// is written at once.
const maxHeldBytes = 64 << 10

// flushTask writes the pending frames, or holds them when they are
// younger than webtorrent.write_delay: a busy loop then reads more before
// writing, and more frames share each write(2). On loopback a write costs
// the sender the receiver's TCP work too, so fewer writes matter: with the
// 16 browsers of make bench's ws row, 200µs cut the tracker's writes by
// more than half and its CPU per message by about 16%, the rate then
// limited by the load generator
// (bench/results/2026-11-24-xeon-2vcpu-write-delay.md). A lone browser
// waits for nothing: no other read comes in before its reply is written.
// A read on any WebSocket connection of the loop ends a hold that has run
// its time (endHold); the timer ends it when no read comes (Go timers
// wake after about a millisecond at the soonest here). Runs on l.
func (g *gnetHTTP) flushTask(l *httpLoop) {
	if !l.ws.flushQueued {
		return // written already: a timer that fired late
	}
	busy := l.ws.held || l.ws.reads != l.ws.readsAt // more came in since the first frame
	if left := g.holdLeft(l); busy && left > 0 {
		if !l.ws.held {
			l.ws.held = true
			l.ws.timer.Reset(left)
		}
		return
	}
	l.ws.held, l.ws.flushQueued = false, false
	g.flushRelays(l)
}

// endHold has a held flush written after the loop's current batch once it
// is webtorrent.write_delay old, or big. Called after reads; runs on l.
func (g *gnetHTTP) endHold(l *httpLoop) {
	if !l.ws.held {
		return
	}
	if g.holdLeft(l) > 0 {
		return
	}
	l.ws.held = false
	g.executeFlush(l)
}

// holdLeft is how much longer the pending frames may wait: the rest of
// webtorrent.write_delay since the first was queued, or 0 once that has
// passed or maxHeldBytes are queued.
func (g *gnetHTTP) holdLeft(l *httpLoop) time.Duration {
	left := g.e.live.Load().wsWriteDelay - (monotime() - l.ws.queuedAt)
	if left <= 0 || l.ws.queuedBytes >= maxHeldBytes {
		return 0
	}
	return time.Duration(left)
}

// monotime is a monotonic clock in nanoseconds.
func monotime() int64 { return int64(time.Since(monoStart)) }

var monoStart = time.Now()

// maxIdleRelayBuf is the largest relay queue a connection keeps between
// flushes; a larger one, grown by a burst, is given back. A browser busy
// enough to be sent a dozen offers and answers a batch needs about 8 KiB
// (the 16 browsers of make bench's ws row): at 4 KiB their queues were
// allocated afresh every batch, 96 MB/s.
const maxIdleRelayBuf = 16 << 10

// flushRelays writes every connection's queued relays, one Write per
// connection. A connection whose backlog overflows is closed. Runs on l.
func (g *gnetHTTP) flushRelays(l *httpLoop) {
	maxPending := g.e.live.Load().maxPending
	for i, hc := range l.ws.dirty {
		l.ws.dirty[i] = nil
		w := hc.ws
		b, n := w.relayed, w.nrelayed
		if len(b) == 0 {
			continue // closed since (closeWS counted the frames), or listed twice after reuse
		}
		w.relayed, w.nrelayed = b[:0], 0
		if cap(b) > maxIdleRelayBuf {
			w.relayed = nil
		}
		if hc.closing {
			l.stats.add(WSRelayDropped, uint64(n))
			continue
		}
		if _, err := hc.c.Write(b); err != nil {
			l.stats.add(WSRelayDropped, uint64(n))
			continue
		}
		l.stats.add(HTTPBytesOut, uint64(len(b)))
		if hc.c.OutboundBuffered() > maxPending {
			// A peer that cannot keep up is closed, visibly, rather than
			// having its offers dropped silently (PROTOCOL.md).
			hc.closing = true
			l.stats.add(WSBacklogClosed, 1)
			_ = hc.c.Close()
		}
	}
	l.ws.dirty = l.ws.dirty[:0]
	l.ws.queuedBytes = 0
}

// drainInbox writes the frames other loops queued for this loop's
// connections. It runs on the loop, woken by Execute.
func (g *gnetHTTP) drainInbox(l *httpLoop) {
	b := l.ws.inbox.take(l.ws.spare)
	for rest := b; ; {
		h, frame, next, ok := nextFrame(rest)
		if !ok {
			break
		}
		g.deliver(l, h, frame)
		rest = next
	}
	l.ws.spare = b[:0]
	g.endHold(l)
}

// closeWS removes the peers the connection announced, at once, and frees
// its handle.
func (g *gnetHTTP) closeWS(l *httpLoop, hc *httpConn) {
	w := hc.ws
	for i := range w.npeers {
		g.e.rtc.Remove(&w.peers[i].ih, &w.peers[i].peerID, w.handle)
	}
	w.npeers = 0
	l.ws.slots.remove(w.handle)
	// Frames still queued (relays, and the connection's own replies) go
	// nowhere now; the record may be reused before flushRelays comes by.
	l.stats.add(WSRelayDropped, uint64(w.nrelayed))
	w.relayed, w.nrelayed = w.relayed[:0], 0
}

func (w *wsConn) find(ih *swarm.InfoHash, peerID *[20]byte) int {
	for i := range w.npeers {
		if w.peers[i].ih == *ih && w.peers[i].peerID == *peerID {
			return i
		}
	}
	return -1
}

func (w *wsConn) onTorrent(ih *swarm.InfoHash) bool {
	for i := range w.npeers {
		if w.peers[i].ih == *ih {
			return true
		}
	}
	return false
}

func (w *wsConn) forget(ih *swarm.InfoHash, peerID *[20]byte) {
	if i := w.find(ih, peerID); i >= 0 {
		w.npeers--
		w.peers[i] = w.peers[w.npeers]
	}
}

// wsPing is the ping frame the sweep sends to quiet connections.
var wsPing = ws.AppendFrame(nil, ws.OpPing, nil)
