package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strconv"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"golang.org/x/sys/unix"
)

// FillConfig configures Fill. Zero fields get the defaults of
// DefaultFillConfig.
type FillConfig struct {
	Target   netip.AddrPort
	Peers    int // distinct peers to announce
	Torrents int // torrents they are spread over, uniformly at random; 0: Peers/10, at most the workload's
	// PortsPerSource is how many announced ports each source address uses:
	// a tracker tells peers apart by (address, port), so Peers needs
	// Peers/PortsPerSource source addresses (127.1.0.1, 127.1.0.2, ...).
	PortsPerSource int
	Window         int           // announces in flight
	Batch          int           // datagrams per sendmmsg/recvmmsg
	Timeout        time.Duration // an announce unanswered this long is sent again
	Limit          time.Duration // stop after this long, filled or not
}

// DefaultFillConfig returns the defaults: 1M peers, 50,000 ports per source
// address, 128 in flight, 1 s timeout, at most 5 minutes.
func DefaultFillConfig() FillConfig {
	return FillConfig{
		Peers: 1_000_000, PortsPerSource: 50_000, Window: 128, Batch: 32,
		Timeout: time.Second, Limit: 5 * time.Minute,
	}
}

// maxFillTries is how often one peer's announce is sent before it is given
// up on (and counted as lost).
const maxFillTries = 5

// FillResult is the outcome of Fill, printed as one JSON line.
type FillResult struct {
	Target    string  `json:"target"`
	Peers     int     `json:"peers"`     // asked for
	Torrents  int     `json:"torrents"`  // spread over
	Sources   int     `json:"sources"`   // source addresses used
	Announced int     `json:"announced"` // peers whose announce got a valid reply
	Lost      int     `json:"lost"`      // peers given up on after 5 tries
	Unsent    int     `json:"unsent"`    // peers not sent, or not answered yet, at the limit
	Retries   uint64  `json:"retries"`   // announces sent again after a timeout or error
	Errors    uint64  `json:"errors"`    // tracker error replies
	Invalid   uint64  `json:"invalid"`   // invalid replies
	Seconds   float64 `json:"seconds"`
	PerSec    float64 `json:"announces_per_s"`
	Complete  bool    `json:"complete"` // every peer announced within the limit

	FirstError   string `json:"first_error,omitempty"`
	FirstInvalid string `json:"first_invalid,omitempty"`
}

// WriteJSON writes r as one line of JSON.
func (r *FillResult) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteSummary writes a short human summary of r.
func (r *FillResult) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "fill %s: %d of %d peers over %d torrents from %d source addresses in %.1fs (%.0f announces/s)\n",
		r.Target, r.Announced, r.Peers, r.Torrents, r.Sources, r.Seconds, r.PerSec)
	fmt.Fprintf(w, "  lost %d, not sent before the limit %d, retries %d, errors %d, invalid %d\n", r.Lost, r.Unsent, r.Retries, r.Errors, r.Invalid)
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error: %s\n", r.FirstError)
	}
	if r.FirstInvalid != "" {
		fmt.Fprintf(w, "  first invalid: %s\n", r.FirstInvalid)
	}
}

// Connection id states of a fill socket.
const (
	connNone    = iota // no connection id yet, or it must be renewed
	connPending        // a connect is in flight
	connReady
)

// connRenew is how old a connection id may get before it is renewed;
// trackers keep them valid for two minutes at least (BEP 15).
const connRenew = 60 * time.Second

// Fill announces cfg.Peers distinct peers to cfg.Target over BEP 15 and
// returns when every one has had a valid announce reply, or cfg.Limit has
// passed. Peer j announces from source address j/PortsPerSource with port
// 1 + j%PortsPerSource, on a torrent of w's first Torrents drawn
// pseudo-randomly from j (so that a whitelist of w's info hashes admits it,
// and torrents hold Poisson-distributed numbers of peers), as a seeder
// three times out of four. An announce that times out or gets an error is
// sent again, up to 5 times. Fill uses one goroutine and one socket per
// source address.
func Fill(w *Workload, cfg FillConfig) (*FillResult, error) {
	d := DefaultFillConfig()
	if cfg.Peers <= 0 {
		cfg.Peers = d.Peers
	}
	if cfg.PortsPerSource <= 0 || cfg.PortsPerSource > 65535 {
		cfg.PortsPerSource = d.PortsPerSource
	}
	if cfg.Window <= 0 {
		cfg.Window = d.Window
	}
	if cfg.Batch <= 0 {
		cfg.Batch = d.Batch
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.Limit <= 0 {
		cfg.Limit = d.Limit
	}
	if cfg.Torrents <= 0 {
		cfg.Torrents = max(1, cfg.Peers/10)
	}
	cfg.Torrents = min(cfg.Torrents, len(w.Hashes))
	nsrc := (cfg.Peers + cfg.PortsPerSource - 1) / cfg.PortsPerSource
	if nsrc > 254*250 || nsrc > 1<<16 {
		return nil, errors.New("bench: fill needs too many source addresses; raise -ports")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	f := &filler{cfg: cfg, w: w, fl: newInflight(cfg.Window), tries: make([]uint8, cfg.Peers),
		res: FillResult{Target: cfg.Target.String(), Peers: cfg.Peers, Torrents: cfg.Torrents, Sources: nsrc}}
	defer f.close()
	for k := range nsrc {
		c, err := dialUDP(loopbackSource(1, k), cfg.Target, cfg.Batch, 1<<20)
		if err != nil {
			return nil, err
		}
		f.conns = append(f.conns, c)
	}
	f.state = make([]uint8, nsrc)
	f.since = make([]time.Time, nsrc)
	f.busy = make([]int, nsrc)
	f.start = time.Now()
	f.loop()
	r := &f.res
	r.Seconds = time.Since(f.start).Seconds()
	r.PerSec = float64(r.Announced) / r.Seconds
	r.Unsent = cfg.Peers - f.next + len(f.retry) + f.inFlight()
	r.Lost = cfg.Peers - r.Announced - r.Unsent
	r.Complete = r.Announced == cfg.Peers
	return r, nil
}

// filler is the state of one Fill, owned by its goroutine.
type filler struct {
	cfg   FillConfig
	w     *Workload
	fl    *inflight
	conns []*udpConn
	state []uint8     // per socket: connNone, connPending, connReady
	since []time.Time // per socket: when its connection id was given
	busy  []int       // per socket: requests in flight
	tries []uint8     // per peer: announces sent
	next  int         // the next peer never sent
	retry []uint32    // peers to send again
	req   udp.Request
	resp  udp.Response
	pfds  []unix.PollFd
	start time.Time
	res   FillResult
}

func (f *filler) loop() {
	limit := f.start.Add(f.cfg.Limit)
	timeout := f.cfg.Timeout.Nanoseconds()
	var lastExpire int64
	for {
		now := time.Now()
		if now.After(limit) {
			return
		}
		if f.next == f.cfg.Peers && len(f.retry) == 0 && f.fl.available() == len(f.fl.slots) {
			return // everything sent has been answered or given up on
		}
		nowNs := now.Sub(f.start).Nanoseconds()
		f.send(now, nowNs)
		got := 0
		for k, c := range f.conns {
			if f.busy[k] > 0 {
				got += f.receive(k, c, now)
			}
		}
		if nowNs-lastExpire > 10*int64(time.Millisecond) {
			f.fl.expire(nowNs-timeout, f.expired)
			lastExpire = nowNs
		}
		if got == 0 {
			f.pfds = f.pfds[:0]
			for k, c := range f.conns {
				if f.busy[k] > 0 {
					f.pfds = append(f.pfds, unix.PollFd{Fd: int32(c.fd), Events: unix.POLLIN})
				}
			}
			if len(f.pfds) > 0 {
				waitReadable(f.pfds, 1)
			}
		}
	}
}

// expired handles a request that timed out: an announce is queued again, a
// connect leaves its socket without a connection id.
func (f *filler) expired(_ int, s *slot) {
	f.busy[s.conn]--
	if s.kind == kindConnect {
		f.state[s.conn] = connNone
		return
	}
	f.again(s.peer)
}

// again queues peer j to be sent again, unless it has had its tries.
func (f *filler) again(j uint32) {
	if f.tries[j] < maxFillTries {
		f.retry = append(f.retry, j)
		f.res.Retries++
	}
}

// peerAt returns the source socket, port and torrent of peer j. The
// torrent is a fixed pseudo-random function of j, so that torrents fill in
// no particular order, as on a real tracker: filled in turn (j % Torrents),
// every torrent would grow through the same sizes at the same time, the
// worst case for an allocator with size classes.
func (f *filler) peerAt(j int) (k int, port uint16, torrent int) {
	return j / f.cfg.PortsPerSource, uint16(1 + j%f.cfg.PortsPerSource), int(splitmix64(uint64(j)) % uint64(f.cfg.Torrents))
}

// splitmix64 is a fixed bijective mix of x (Steele, Lea and Flood, 2014).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// send fills the window, one batch per socket: retries first, then new
// peers in order. A socket without a fresh connection id gets a connect
// first and waits for its reply.
func (f *filler) send(now time.Time, nowNs int64) {
	for f.fl.available() > 0 {
		var j int
		switch {
		case len(f.retry) > 0:
			j = int(f.retry[len(f.retry)-1])
		case f.next < f.cfg.Peers:
			j = f.next
		default:
			return
		}
		k, _, _ := f.peerAt(j)
		if f.state[k] == connReady && now.Sub(f.since[k]) > connRenew {
			f.state[k] = connNone
		}
		switch f.state[k] {
		case connNone:
			f.sendConnect(k, nowNs)
			return
		case connPending:
			return
		}
		c := f.conns[k]
		n := 0
		for n < f.cfg.Batch && f.fl.available() > 0 {
			switch {
			case len(f.retry) > 0:
				j = int(f.retry[len(f.retry)-1])
			case f.next < f.cfg.Peers:
				j = f.next
			default:
				j = -1
			}
			if j < 0 {
				break
			}
			kj, port, t := f.peerAt(j)
			if kj != k {
				break
			}
			if len(f.retry) > 0 {
				f.retry = f.retry[:len(f.retry)-1]
			} else {
				f.next++
			}
			si, tx := f.fl.acquire(nowNs)
			s := &f.fl.slots[si]
			s.kind, s.conn, s.peer = kindAnnounce, uint16(k), uint32(j)
			f.tries[j]++
			r := &f.req
			r.ConnID, r.Action, r.TxID = c.connID, udp.ActionAnnounce, tx
			a := &r.Announce
			a.InfoHash = f.w.Hashes[t]
			a.PeerID = peerID(j)
			a.Downloaded, a.Uploaded, a.Left, a.Event = 0, 0, 0, udp.EventCompleted
			if j%4 == 0 {
				a.Left, a.Event = 50, udp.EventStarted
			}
			a.NumWant, a.Port = 1, port
			c.txBuf[n] = udp.AppendRequest(c.txBuf[n][:0], r)
			n++
		}
		f.busy[k] += n
		if sent, _ := c.send(n); sent < n {
			// The kernel refused the rest: they time out and go again.
			_ = sent
		}
	}
}

// sendConnect asks for a connection id on socket k.
func (f *filler) sendConnect(k int, nowNs int64) {
	c := f.conns[k]
	si, tx := f.fl.acquire(nowNs)
	s := &f.fl.slots[si]
	s.kind, s.conn = kindConnect, uint16(k)
	f.req.ConnID, f.req.Action, f.req.TxID = udp.ProtocolID, udp.ActionConnect, tx
	c.txBuf[0] = udp.AppendRequest(c.txBuf[0][:0], &f.req)
	f.busy[k]++
	f.state[k] = connPending
	_, _ = c.send(1)
}

// receive reads and handles the replies queued on socket k.
func (f *filler) receive(k int, c *udpConn, now time.Time) int {
	total := 0
	for {
		n, err := c.recv()
		if err != nil || n == 0 {
			return total
		}
		for i := range n {
			f.handle(k, c.packet(i), now)
		}
		total += n
		if n < len(c.rx) {
			return total
		}
	}
}

func (f *filler) handle(k int, b []byte, now time.Time) {
	if len(b) < 8 {
		f.invalid("udp reply of " + strconv.Itoa(len(b)) + " bytes")
		return
	}
	si := f.fl.lookup(uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7]))
	if si < 0 {
		return // late: its request was sent again
	}
	s := &f.fl.slots[si]
	f.busy[s.conn]--
	defer f.fl.release(si)
	v, why := checkUDPReply(&f.resp, b, s.kind, 0, 1)
	switch {
	case v == replyError:
		f.res.Errors++
		if f.res.FirstError == "" {
			f.res.FirstError = "udp error reply: " + strconv.Quote(string(f.resp.Message))
		}
		// Most likely an expired connection id: renew it, send again.
		f.state[s.conn] = connNone
		if s.kind == kindAnnounce {
			f.again(s.peer)
		}
	case v == replyInvalid:
		f.invalid(why)
		if s.kind == kindConnect {
			f.state[s.conn] = connNone
		}
	case s.kind == kindConnect:
		f.conns[s.conn].connID = f.resp.ConnID
		f.state[s.conn] = connReady
		f.since[s.conn] = now
	default:
		f.res.Announced++
	}
}

// inFlight counts the announces still awaiting a reply.
func (f *filler) inFlight() int {
	n := 0
	for i := range f.fl.slots {
		if s := &f.fl.slots[i]; s.used && s.kind == kindAnnounce {
			n++
		}
	}
	return n
}

func (f *filler) invalid(why string) {
	f.res.Invalid++
	if f.res.FirstInvalid == "" {
		f.res.FirstInvalid = why
	}
}

func (f *filler) close() {
	for _, c := range f.conns {
		c.close()
	}
}
