package engine

import (
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/engine/internal/connid"
	"github.com/trackerd/trackerd/swarm"
)

const maxScrapeHashes = udp.MaxScrapeHashes

// Client-facing BEP 15 error texts that are not codec errors.
const (
	msgBadConnID   = "invalid or expired connection id"
	msgBadPort     = "invalid port 0"
	msgManyHashes  = "too many info hashes in scrape"
	headerSize     = 16 // connection_id u64 | action u32 | transaction_id u32
	announceHeader = 20 // action | txid | interval | leechers | seeders
)

// udpHandler parses one BEP 15 datagram, applies it to the swarm and
// writes the reply. It is the part both UDP backends share.
//
// Owned by one worker (or one gnet loop); never share. handle does not
// allocate once its destination buffers have grown to the largest reply.
type udpHandler struct {
	table *swarm.Table
	ids   *connid.Signer
	stats *Counters
	live  *atomic.Pointer[settings] // the engine's; loaded once per request

	req  udp.Request        // parse target, reused for every datagram
	args swarm.AnnounceArgs // swarm input, reused
}

func newUDPHandler(e *Engine, stats *Counters) *udpHandler {
	return &udpHandler{
		table: e.table,
		ids:   e.ids.Clone(),
		stats: stats,
		live:  &e.live,
	}
}

// handle appends the reply to pkt onto dst and returns it, or returns nil
// when the datagram is to be dropped without an answer. dst needs a
// capacity of at least 20 bytes. The result aliases dst.
func (h *udpHandler) handle(dst, pkt []byte, from *endpoint, now uint32) []byte {
	h.stats.setFamily(from)
	h.stats.add(UDPPacketsIn, 1)
	h.stats.add(UDPBytesIn, uint64(len(pkt)))
	if len(pkt) < headerSize {
		h.stats.add(UDPDroppedShort, 1) // no transaction id to answer to
		return nil
	}
	// The fixed header is read here, before Parse, so that the connection
	// id is checked before any reply larger than the request (BEP 15).
	connID := binary.BigEndian.Uint64(pkt[0:8])
	action := udp.Action(binary.BigEndian.Uint32(pkt[8:12]))
	txID := binary.BigEndian.Uint32(pkt[12:16])

	if action == udp.ActionConnect {
		if err := h.req.Parse(pkt); err != nil {
			// A wrong protocol id is not BEP 15 traffic: answering it would
			// make us a reflector for whatever protocol it was.
			h.stats.add(UDPDroppedProtoID, 1)
			return nil
		}
		h.stats.add(UDPConnects, 1)
		return udp.AppendConnect(dst, txID, h.ids.Make(&from.addr, now))
	}
	if !h.ids.Check(connID, &from.addr, now) {
		h.stats.add(UDPBadConnID, 1)
		return h.fail(dst, txID, msgBadConnID, len(pkt))
	}
	if err := h.req.Parse(pkt); err != nil {
		h.stats.add(UDPBadRequest, 1)
		return h.fail(dst, txID, udp.ErrorMessage(err), 0)
	}
	switch h.req.Action {
	case udp.ActionAnnounce:
		return h.announce(dst, from, now)
	case udp.ActionScrape:
		return h.scrape(dst, now)
	}
	panic("BUG: udp.Request.Parse accepted an action handle does not know")
}

// fail appends an action-3 error. With limit > 0 the reply is cut to limit
// bytes: before the connection id is verified, no reply may be larger than
// the request, or a spoofed source could be flooded with our bytes.
func (h *udpHandler) fail(dst []byte, txID uint32, msg string, limit int) []byte {
	h.stats.add(UDPErrorReplies, 1)
	if limit > 0 && 8+len(msg) > limit {
		msg = msg[:limit-8]
	}
	return udp.AppendError(dst, txID, msg)
}

// events maps BEP 15 event numbers (validated by Parse) to swarm events.
var events = [...]swarm.Event{
	udp.EventNone:      swarm.EventNone,
	udp.EventCompleted: swarm.EventCompleted,
	udp.EventStarted:   swarm.EventStarted,
	udp.EventStopped:   swarm.EventStopped,
}

func (h *udpHandler) announce(dst []byte, from *endpoint, now uint32) []byte {
	a := &h.req.Announce
	if a.Port == 0 {
		h.stats.add(UDPBadRequest, 1)
		return h.fail(dst, h.req.TxID, msgBadPort, 0)
	}
	live := h.live.Load()
	if live.access.refused(&a.InfoHash) {
		h.stats.add(UDPAccessRefused, 1)
		return h.fail(dst, h.req.TxID, msgRefused, 0)
	}
	// The packet's source address is the peer's address; the announce's ip
	// field is ignored (PROTOCOL.md: honouring it lets anyone point a swarm
	// at a victim).
	h.args = swarm.AnnounceArgs{
		InfoHash: swarm.InfoHash(a.InfoHash),
		Peer:     swarm.Peer{Port: a.Port, Seeder: a.Left == 0},
		Event:    events[a.Event],
		NumWant:  int(a.NumWant),
	}
	// Peers are appended straight after a reserved header, which is then
	// written in place once the counts are known: no copy of the peer list.
	out := dst[:announceHeader]
	var c swarm.Counts
	if from.is4() {
		copy(h.args.Peer.Addr[:4], from.addr[12:])
		out, _, c = h.table.Announce(out, nil, &h.args, now)
	} else {
		h.args.Peer.Addr = from.addr
		h.args.Peer.V6 = true
		_, out, c = h.table.Announce(nil, out, &h.args, now)
	}
	udp.AppendAnnounce(out[:0], h.req.TxID, jitter(live.intervalSec), c.Leechers, c.Seeders, nil)
	h.stats.add(UDPAnnounces, 1)
	h.stats.clients.count(&a.PeerID)
	return out
}

// jitter returns the announce interval less up to 5%, so that clients that
// started together drift apart, and never later than configured.
func jitter(intervalSec uint32) uint32 {
	return intervalSec - rand.Uint32N(intervalSec/20+1)
}

func (h *udpHandler) scrape(dst []byte, now uint32) []byte {
	live := h.live.Load()
	if h.req.NHashes > live.maxScrape {
		h.stats.add(UDPBadRequest, 1)
		return h.fail(dst, h.req.TxID, msgManyHashes, 0)
	}
	if live.access.refusedAll(h.req.Hashes[:h.req.NHashes]) {
		h.stats.add(UDPAccessRefused, 1)
		return h.fail(dst, h.req.TxID, msgRefused, 0)
	}
	out := udp.AppendScrapeHeader(dst, h.req.TxID)
	for i := range h.req.NHashes {
		var c swarm.Counts // a refused torrent among allowed ones: zeros
		if !live.access.refused(&h.req.Hashes[i]) {
			c = h.table.Scrape((*swarm.InfoHash)(&h.req.Hashes[i]), now)
		}
		out = udp.AppendScrapeEntry(out, c.Seeders, c.Downloaded, c.Leechers)
	}
	h.stats.add(UDPScrapes, 1)
	return out
}
