package bench

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"
)

// HTTPConfig configures LoadHTTP. Zero fields get the defaults of
// DefaultHTTPConfig.
type HTTPConfig struct {
	Target    netip.AddrPort
	Conns     int  // concurrent connections, each with one request in flight
	KeepAlive bool // false: one connection per request ("Connection: close")
	// WeightScrape is the weight of scrapes against announces' 5
	// (aquatic_http_load_test: 0, announces only).
	WeightScrape int
	SeederRatio  float64 // announces with left=0 and event=completed
	NumWant      int
	Timeout      time.Duration // per request, connecting included
	Warmup       time.Duration
	Duration     time.Duration
	ServerPID    int
	Seed         uint64
}

// DefaultHTTPConfig returns aquatic_http_load_test's defaults: 128
// keep-alive connections, announces only, 25% seeders; plus numwant 30 and
// a 1 s timeout.
func DefaultHTTPConfig() HTTPConfig {
	return HTTPConfig{
		Conns: 128, KeepAlive: true, SeederRatio: 0.25, NumWant: 30,
		Timeout: time.Second, Warmup: 3 * time.Second, Duration: 15 * time.Second,
		Seed: DefaultSeed,
	}
}

// httpSources is how many loopback source addresses the connections are
// spread over, so that one connection per request does not run out of
// ephemeral ports.
const httpSources = 16

// httpWeightAnnounce is the announce weight WeightScrape is set against.
const httpWeightAnnounce = 5

// LoadHTTP runs the HTTP announce (and scrape) load of cfg against
// cfg.Target and returns its Result. Every reply is validated: status 200
// and a bencoded dictionary of the right shape; a "failure reason" counts
// as an error. In keep-alive mode a connection the server closes is
// reopened and counted in Reconnects.
func LoadHTTP(w *Workload, cfg HTTPConfig) (*Result, error) {
	d := DefaultHTTPConfig()
	if cfg.Conns <= 0 {
		cfg.Conns = d.Conns
	}
	if cfg.NumWant <= 0 {
		cfg.NumWant = d.NumWant
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.Duration <= 0 {
		cfg.Duration = d.Duration
	}
	if !cfg.Target.Addr().Is4() {
		return nil, errors.New("bench: the HTTP target must be an IPv4 address")
	}
	// Fail early, and clearly, when nothing listens.
	c, err := net.DialTimeout("tcp", cfg.Target.String(), 2*time.Second)
	if err != nil {
		return nil, err
	}
	c.Close()

	mode := "http"
	if !cfg.KeepAlive {
		mode = "http-close"
	}
	res := &Result{Mode: mode, Target: cfg.Target.String(), Settings: map[string]string{
		"connections": strconv.Itoa(cfg.Conns), "keep_alive": strconv.FormatBool(cfg.KeepAlive),
		"mix":     "announce " + strconv.Itoa(httpWeightAnnounce) + " : scrape " + strconv.Itoa(cfg.WeightScrape),
		"seeders": strconv.FormatFloat(cfg.SeederRatio, 'f', 2, 64), "numwant": strconv.Itoa(cfg.NumWant),
		"timeout": cfg.Timeout.String(), "torrents": strconv.Itoa(len(w.Hashes)), "peers": strconv.Itoa(w.NumPeers()),
	}}
	rec := &recorder{}
	start := time.Now()
	end := start.Add(cfg.Warmup + cfg.Duration)
	var wg sync.WaitGroup
	for i := range cfg.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &httpClient{cfg: &cfg, w: w, rec: rec, id: i, next: i % w.NumPeers(),
				rng: rand.New(rand.NewPCG(cfg.Seed, uint64(100+i))),
				src: loopbackSource(0, i%httpSources)}
			h.run(end)
		}()
	}
	rec.measure(res, start, cfg.Warmup, cfg.Duration, cfg.ServerPID)
	wg.Wait()
	return res, nil
}

// httpClient is one connection's worth of load, owned by its goroutine.
type httpClient struct {
	cfg  *HTTPConfig
	w    *Workload
	rec  *recorder
	rng  *rand.Rand
	id   int
	next int // the next simulated peer: id, id+Conns, ...
	src  netip.Addr

	conn   *net.TCPConn
	br     *bufio.Reader
	reused bool // conn has answered a request before
	req    []byte
	body   []byte
	hashes [][20]byte
}

func (h *httpClient) run(end time.Time) {
	defer h.closeConn()
	host := h.cfg.Target.String()
	for {
		now := time.Now()
		if !now.Before(end) {
			return
		}
		deadline := now.Add(h.cfg.Timeout)
		if h.conn == nil && !h.dial(deadline) {
			continue
		}
		p := h.w.Peer(h.next)
		peer := h.next
		h.next = (h.next + h.cfg.Conns) % h.w.NumPeers()
		scrape := h.cfg.WeightScrape > 0 && h.rng.IntN(httpWeightAnnounce+h.cfg.WeightScrape) >= httpWeightAnnounce
		if scrape {
			h.hashes = h.hashes[:0]
			for _, t := range p.Scrape {
				h.hashes = append(h.hashes, h.w.Hashes[t])
			}
			h.req = appendScrapeRequest(h.req[:0], host, h.hashes, h.cfg.KeepAlive)
		} else {
			left, event := uint64(50), "started"
			if h.rng.Float64() < h.cfg.SeederRatio {
				left, event = 0, "completed"
			}
			id := peerID(peer)
			h.req = appendAnnounceRequest(h.req[:0], host, &h.w.Hashes[p.Torrent], &id, p.Port, left, event, h.cfg.NumWant, h.cfg.KeepAlive)
		}
		_ = h.conn.SetDeadline(deadline)
		if _, err := h.conn.Write(h.req); err != nil {
			h.failed(err, false)
			continue
		}
		h.rec.add(cRequests, 1)
		reply, err := readReply(h.br, h.body)
		if err != nil {
			h.failed(err, true)
			continue
		}
		h.body = reply.body[:0]
		h.check(&reply, scrape, len(p.Scrape))
		h.reused = true
		if reply.close || !h.cfg.KeepAlive {
			h.closeConn()
		}
	}
}

// check validates one reply and counts it.
func (h *httpClient) check(r *httpReply, scrape bool, nHashes int) {
	if r.status != 200 {
		if h.rec.wantInvalid() {
			h.rec.invalid("HTTP status " + strconv.Itoa(r.status) + ": " + strconv.Quote(string(r.body[:min(len(r.body), 200)])))
		} else {
			h.rec.add(cInvalid, 1)
		}
		return
	}
	var v verdict
	var why string
	var npeers int
	if scrape {
		v, why = checkScrapeBody(r.body, nHashes)
	} else {
		v, why, npeers = checkAnnounceBody(r.body, h.cfg.NumWant)
	}
	switch v {
	case replyOK:
		if scrape {
			h.rec.add(cScrape, 1)
		} else {
			h.rec.add(cAnnounce, 1)
			h.rec.add(cPeers, uint64(npeers))
		}
	case replyError:
		h.rec.error("failure reason: " + strconv.Quote(why))
	default:
		if h.rec.wantInvalid() {
			h.rec.invalid(why + ": " + strconv.Quote(string(r.body[:min(len(r.body), 200)])))
		} else {
			h.rec.add(cInvalid, 1)
		}
	}
}

// failed handles an I/O error on the connection: a timeout is counted as
// such; a keep-alive connection the server closed before answering is
// reopened (a reconnect, not an error); anything else is an invalid reply.
// The connection is closed in every case.
func (h *httpClient) failed(err error, sent bool) {
	reused := h.reused
	h.closeConn()
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		h.rec.add(cTimeouts, 1)
	case reused && (err == io.EOF || isConnReset(err)):
		h.rec.add(cReconnects, 1)
	case !sent:
		h.rec.add(cSendFail, 1)
		if h.rec.wantError() {
			h.rec.firstErr.CompareAndSwap(nil, ptr("send: "+err.Error()))
		}
	default:
		h.rec.invalid("reading the reply: " + err.Error())
	}
}

func isConnReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// dial opens the connection from h.src; on failure it counts a send failure
// and waits a little, so a dead server does not turn into a busy loop.
func (h *httpClient) dial(deadline time.Time) bool {
	d := net.Dialer{Deadline: deadline, LocalAddr: &net.TCPAddr{IP: h.src.AsSlice()}}
	c, err := d.Dial("tcp", h.cfg.Target.String())
	if err != nil {
		h.rec.add(cSendFail, 1)
		if h.rec.wantError() {
			h.rec.firstErr.CompareAndSwap(nil, ptr("connect: "+err.Error()))
		}
		time.Sleep(10 * time.Millisecond)
		return false
	}
	h.conn = c.(*net.TCPConn)
	if !h.cfg.KeepAlive {
		// Reset instead of TIME_WAIT: a connection per request would
		// otherwise leave tens of thousands of sockets behind.
		_ = h.conn.SetLinger(0)
	}
	if h.br == nil {
		h.br = bufio.NewReaderSize(h.conn, 4096)
	} else {
		h.br.Reset(h.conn)
	}
	h.reused = false
	return true
}

func (h *httpClient) closeConn() {
	if h.conn != nil {
		h.conn.Close()
		h.conn = nil
	}
}
