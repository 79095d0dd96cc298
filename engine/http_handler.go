package engine

import (
	"bytes"
	"errors"
	"net/netip"
	"sync/atomic"
	"unsafe"

	"github.com/trackerd/trackerd/codec/bencode"
	"github.com/trackerd/trackerd/codec/httpq"
	"github.com/trackerd/trackerd/codec/ws"
	"github.com/trackerd/trackerd/swarm"
)

// Client-facing texts of the HTTP tracker.
const (
	contentTypeBencode = "text/plain"
	contentTypeText    = "text/plain; charset=utf-8"

	failBadPort     = "invalid port 0"
	failNoProxyAddr = "proxy did not send the client address (X-Forwarded-For or X-Real-IP)"
	failFullScrape  = "scrape needs at least one info_hash: full scrape is disabled"
	failManyHashes  = "too many info hashes in scrape"
	failPasskey     = "passkeys are for private trackers: announce to /announce"
	failBody        = "request bodies are not accepted"
)

// maxRequestBody bounds the body a GET may carry; trackers use none, and a
// larger one is refused so that framing never depends on unbounded input.
const maxRequestBody = 4 << 10

var (
	pathAnnounce       = []byte("/announce")
	pathAnnouncePrefix = []byte("/announce/")
	pathScrape         = []byte("/scrape")
	bodyNotFound       = []byte("not found\n")
)

// httpHandler turns the bytes a client sent into the bytes to send back: it
// frames HTTP/1.1 requests (pipelined or split anywhere), answers announces
// and scrapes from the swarm table, and appends the responses in order. It
// is the transport-independent half of the HTTP tracker: the gnet transport
// feeds it a connection's buffered input and writes what it returns, and a
// TLS transport can drive the same code.
//
// Owned by one event loop; never share. serve does not allocate once its
// buffers have grown to the largest response.
type httpHandler struct {
	table *swarm.Table
	stats *Counters
	cfg   *HTTPConfig
	wt    *WebTorrentConfig

	live *atomic.Pointer[settings] // the engine's; loaded once per request

	// Scratch, reused for every request.
	req    httpq.Request
	ann    httpq.Announce
	scr    httpq.Scrape
	args   swarm.AnnounceArgs
	peers4 []byte
	peers6 []byte
	body   []byte
	files  []bencode.ScrapeFile
	head   bool // the current request is HEAD: send headers only
}

func newHTTPHandler(e *Engine, stats *Counters) *httpHandler {
	numWantMax := e.table.Config().NumWantMax
	return &httpHandler{
		table:  e.table,
		stats:  stats,
		cfg:    &e.cfg.HTTP,
		wt:     &e.cfg.WebTorrent,
		live:   &e.live,
		peers4: make([]byte, 0, 6*numWantMax),
		peers6: make([]byte, 0, 18*numWantMax),
		body:   make([]byte, 0, 256+24*numWantMax),
		files:  make([]bencode.ScrapeFile, httpq.MaxScrapeHashes), // max_scrape can rise live
	}
}

// connNext says what becomes of a connection after serve.
type connNext uint8

const (
	connKeep    connNext = iota // read the next request
	connClose                   // close once the responses are written
	connUpgrade                 // the rest of the stream is WebSocket frames
)

// serve answers every complete request at the start of in, appending the
// responses to out in order. It returns out, how many bytes of in it used
// (the caller discards them; a partial request stays for the next call),
// and what becomes of the connection: closed once out is written (the
// client asked for it, or the framing is lost), or switched to WebSocket
// after a 101 (then in[used:] is the first frames).
func (h *httpHandler) serve(out, in []byte, remote *endpoint, now uint32) ([]byte, int, connNext) {
	used := 0
	for used < len(in) {
		n, err := h.req.Parse(in[used:])
		if err == httpq.ErrNeedMore {
			return out, used, connKeep
		}
		if err != nil {
			// Broken HTTP: answer with its status and close, since where the
			// next request starts is unknown.
			h.stats.add(HTTPBadRequests, 1)
			h.head = false
			h.body = append(append(h.body[:0], err.Error()...), '\n')
			return h.text(out, httpq.Status(err), h.body, false), len(in), connClose
		}
		h.stats.add(HTTPRequests, 1)
		body := 0
		if h.req.ContentLength > 0 {
			if h.req.ContentLength > maxRequestBody {
				h.stats.add(HTTPBadRequests, 1)
				h.head = false
				return h.text(out, 413, []byte(failBody+"\n"), false), len(in), connClose
			}
			body = int(h.req.ContentLength)
			if len(in)-used-n < body {
				return out, used, connKeep // wait for the whole body, then skip it
			}
		}
		if len(h.req.Upgrade) > 0 {
			var next connNext
			out, next = h.upgrade(out)
			return out, used + n + body, next
		}
		out = h.route(out, remote, now)
		used += n + body
		if !h.req.KeepAlive {
			return out, used, connClose
		}
	}
	return out, used, connKeep
}

// route answers the request in h.req.
func (h *httpHandler) route(out []byte, remote *endpoint, now uint32) []byte {
	h.head = h.req.Method == httpq.MethodHead
	keep := h.req.KeepAlive
	switch path := h.req.Path; {
	case bytes.Equal(path, pathAnnounce):
		return h.announce(out, remote, now, keep)
	case bytes.Equal(path, pathScrape):
		return h.scrape(out, remote, now, keep)
	case bytes.HasPrefix(path, pathAnnouncePrefix):
		// PROTOCOL.md: a passkey segment is reserved for private mode.
		return h.fail(out, failPasskey, keep)
	}
	h.stats.add(HTTPNotFound, 1)
	return h.text(out, 404, bodyNotFound, keep)
}

var (
	pathRoot     = []byte("/")
	methodGet    = []byte("GET")
	tokenUpgrade = []byte("upgrade")
)

// upgrade answers a request with an Upgrade header: a WebSocket handshake
// for WebTorrent on "/" and "/announce" (clients are given both forms of
// the URL, PROTOCOL.md), or a refusal that closes the connection.
func (h *httpHandler) upgrade(out []byte) ([]byte, connNext) {
	h.head = false
	path := h.req.Path
	if !h.wt.Enabled || !(bytes.Equal(path, pathRoot) || bytes.Equal(path, pathAnnounce)) {
		h.stats.add(WSRefused, 1)
		return h.text(out, 404, bodyNotFound, false), connClose
	}
	u := ws.Upgrade{
		Upgrade:    h.req.Upgrade,
		Key:        h.req.SecWebSocketKey,
		Version:    h.req.SecWebSocketVersion,
		Extensions: h.req.SecWebSocketExtensions,
	}
	if h.req.Method == httpq.MethodGet {
		u.Method = methodGet
	}
	if h.req.ConnectionUpgrade {
		u.Connection = tokenUpgrade
	}
	if err := u.Check(); err != nil {
		h.stats.add(WSRefused, 1)
		return ws.AppendRefusal(out, err), connClose
	}
	return ws.AppendAccept(out, h.req.SecWebSocketKey), connUpgrade
}

func (h *httpHandler) announce(out []byte, remote *endpoint, now uint32, keep bool) []byte {
	a := &h.ann
	if err := a.ParseQuery(h.req.Query); err != nil {
		return h.fail(out, err.Error(), keep)
	}
	if a.Port == 0 {
		return h.fail(out, failBadPort, keep)
	}
	live := h.live.Load()
	if live.access.refused(&a.InfoHash) {
		h.stats.add(HTTPAccessRefused, 1)
		return h.fail(out, msgRefused, keep)
	}
	from, ok := h.clientAddr(remote)
	if !ok {
		return h.fail(out, failNoProxyAddr, keep)
	}
	if h.cfg.AllowIPParam && a.HasIP {
		// Off by default: the parameter lets a client register any address.
		from.addr = a.IP
	}
	h.args = swarm.AnnounceArgs{
		InfoHash:     swarm.InfoHash(a.InfoHash),
		Peer:         swarm.Peer{Port: a.Port, Seeder: a.HasLeft && a.Left == 0},
		Event:        httpEvents[a.Event],
		NumWant:      int(a.NumWant),
		BothFamilies: true, // BEP 7: peers and peers6, the requester's family first
	}
	var ext []byte // BEP 24 external ip
	if from.is4() {
		copy(h.args.Peer.Addr[:4], from.addr[12:])
		ext = from.addr[12:]
	} else {
		h.args.Peer.Addr = from.addr
		h.args.Peer.V6 = true
		ext = from.addr[:]
	}
	p4, p6, c := h.table.Announce(h.peers4[:0], h.peers6[:0], &h.args, now)
	h.peers4, h.peers6 = p4[:0], p6[:0] // keep buffers that grew
	resp := bencode.Announce{
		Complete:    int64(c.Seeders),
		Downloaded:  int64(c.Downloaded),
		Incomplete:  int64(c.Leechers),
		Interval:    int64(jitter(live.intervalSec)),
		MinInterval: int64(live.minIntervalSec),
		ExternalIP:  ext,
		Compact:     a.Compact != 0, // compact unless the client asked for compact=0
		Peers4:      p4,
		Peers6:      p6,
	}
	h.body = bencode.AppendAnnounce(h.body[:0], &resp)
	h.stats.add(HTTPAnnounces, 1)
	h.stats.clients.count(&a.PeerID)
	return h.respond(out, 200, contentTypeBencode, h.body, keep)
}

// httpEvents maps query events to swarm events.
var httpEvents = [...]swarm.Event{
	httpq.EventNone:      swarm.EventNone,
	httpq.EventCompleted: swarm.EventCompleted,
	httpq.EventStarted:   swarm.EventStarted,
	httpq.EventStopped:   swarm.EventStopped,
}

func (h *httpHandler) scrape(out []byte, remote *endpoint, now uint32, keep bool) []byte {
	s := &h.scr
	if err := s.ParseQuery(h.req.Query); err != nil {
		return h.fail(out, err.Error(), keep)
	}
	if _, ok := h.clientAddr(remote); !ok {
		return h.fail(out, failNoProxyAddr, keep)
	}
	live := h.live.Load()
	switch {
	case s.NHashes == 0:
		return h.fail(out, failFullScrape, keep)
	case s.NHashes > live.maxScrape:
		return h.fail(out, failManyHashes, keep)
	case live.access.refusedAll(s.Hashes[:s.NHashes]):
		h.stats.add(HTTPAccessRefused, 1)
		return h.fail(out, msgRefused, keep)
	}
	files := h.files[:s.NHashes]
	for i := range files {
		var c swarm.Counts // a refused torrent among allowed ones: zeros
		if !live.access.refused(&s.Hashes[i]) {
			c = h.table.Scrape((*swarm.InfoHash)(&s.Hashes[i]), now)
		}
		files[i] = bencode.ScrapeFile{
			InfoHash:   s.Hashes[i],
			Complete:   int64(c.Seeders),
			Downloaded: int64(c.Downloaded),
			Incomplete: int64(c.Leechers),
		}
	}
	h.body = bencode.AppendScrape(h.body[:0], files)
	h.stats.add(HTTPScrapes, 1)
	return h.respond(out, 200, contentTypeBencode, h.body, keep)
}

// fail answers with a bencoded failure reason and HTTP 200, so that every
// client shows the reason (PROTOCOL.md).
func (h *httpHandler) fail(out []byte, reason string, keep bool) []byte {
	h.stats.add(HTTPFailures, 1)
	h.body = bencode.AppendFailure(h.body[:0], reason, 0)
	return h.respond(out, 200, contentTypeBencode, h.body, keep)
}

func (h *httpHandler) text(out []byte, status int, body []byte, keep bool) []byte {
	return h.respond(out, status, contentTypeText, body, keep)
}

func (h *httpHandler) respond(out []byte, status int, contentType string, body []byte, keep bool) []byte {
	// The request's own method adds "Connection: keep-alive" for HTTP/1.0
	// clients that asked for it, so they do reuse the connection.
	h.req.KeepAlive = h.req.KeepAlive && keep
	out = h.req.AppendResponseHead(out, status, contentType, len(body))
	if h.head {
		return out
	}
	return append(out, body...)
}

// clientAddr returns the address of the client behind the request. It is
// the connection's peer address unless that peer is a trusted proxy: then
// the rightmost X-Forwarded-For entry that is not itself a trusted proxy,
// or else X-Real-IP. ok is false when a trusted proxy sent neither.
// Trusting these headers from anyone else would let any client choose the
// address it is listed under.
func (h *httpHandler) clientAddr(remote *endpoint) (endpoint, bool) {
	if len(h.cfg.TrustedProxies) == 0 || !h.trusted(remote.addr) {
		return *remote, true
	}
	var ep endpoint
	for xff := h.req.XForwardedFor; len(xff) > 0; {
		var entry []byte
		if i := bytes.LastIndexByte(xff, ','); i >= 0 {
			xff, entry = xff[:i], xff[i+1:]
		} else {
			xff, entry = nil, xff
		}
		a, err := parseAddr(bytes.TrimSpace(entry))
		if err != nil {
			return ep, false // a malformed hop: the chain cannot be followed
		}
		ep.addr = a
		if !h.trusted(a) {
			return ep, true
		}
	}
	if h.req.NXForwardedFor > 1 {
		// Only the last X-Forwarded-For line is kept, and all of it was
		// trusted proxies: the client is in a line we did not keep. Refuse
		// rather than fall back to a header the client may have set.
		return ep, false
	}
	if ip := bytes.TrimSpace(h.req.XRealIP); len(ip) > 0 {
		a, err := parseAddr(ip)
		if err == nil {
			ep.addr = a
			return ep, true
		}
	}
	return ep, false
}

func (h *httpHandler) trusted(a [16]byte) bool {
	addr := netip.AddrFrom16(a).Unmap()
	for _, p := range h.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

var errEmptyAddr = errors.New("engine: empty address")

// parseAddr parses an IPv4 or IPv6 address into 16-byte form (IPv4 mapped).
func parseAddr(b []byte) ([16]byte, error) {
	if len(b) == 0 {
		return [16]byte{}, errEmptyAddr
	}
	// The string lives only for this call: ParseAddr keeps no reference to
	// it (a zone is copied), so no copy of b is needed.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil {
		return [16]byte{}, err
	}
	return a.Unmap().As16(), nil
}
