package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strconv"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"golang.org/x/sys/unix"
)

// UDPConfig configures LoadUDP. Zero fields get the defaults of
// DefaultUDPConfig.
type UDPConfig struct {
	Target   netip.AddrPort // the tracker, IPv4
	Sockets  int            // sockets, each on its own source address 127.0.0.1, .2, ...
	Window   int            // requests in flight over all sockets
	Batch    int            // datagrams per sendmmsg/recvmmsg
	RcvBuf   int            // SO_RCVBUF of each socket, bytes
	Timeout  time.Duration  // a request unanswered this long is given up on and counted
	Warmup   time.Duration  // not measured
	Duration time.Duration  // measured, after the warm-up

	// Request mix, as weights: aquatic_udp_load_test's connect 50 :
	// announce 50 : scrape 1.
	WeightConnect, WeightAnnounce, WeightScrape int
	SeederRatio                                 float64 // announces with left=0 and event completed
	NumWant                                     int

	ServerPID int // when > 0, the server's CPU use is measured too
	Seed      uint64
}

// DefaultUDPConfig returns the defaults: 4 sockets, 128 requests in flight,
// batches of 32, 1 s timeout, 3 s warm-up, 15 s measured, the aquatic mix.
//
// The window is set by the tracker's socket, not ours: the default
// SO_RCVBUF (net.core.rmem_default, 208 KiB) holds about 270 small
// datagrams on loopback, so a window of 256 already let the kernel drop a
// few requests at the tracker (counted as timeouts), while 64 and 128 gave
// the same rate without a loss.
func DefaultUDPConfig() UDPConfig {
	return UDPConfig{
		Sockets: 4, Window: 128, Batch: 32, RcvBuf: 4 << 20,
		Timeout: time.Second, Warmup: 3 * time.Second, Duration: 15 * time.Second,
		WeightConnect: 50, WeightAnnounce: 50, WeightScrape: 1,
		SeederRatio: 0.75, NumWant: 30, Seed: DefaultSeed,
	}
}

func (c *UDPConfig) applyDefaults() {
	d := DefaultUDPConfig()
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&c.Sockets, d.Sockets)
	set(&c.Window, d.Window)
	set(&c.Batch, d.Batch)
	set(&c.NumWant, d.NumWant)
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.Duration <= 0 {
		c.Duration = d.Duration
	}
	if c.WeightConnect+c.WeightAnnounce+c.WeightScrape <= 0 {
		c.WeightConnect, c.WeightAnnounce, c.WeightScrape = d.WeightConnect, d.WeightAnnounce, d.WeightScrape
	}
	c.Sockets = min(c.Sockets, 250)
	c.Window = min(c.Window, maxWindow)
}

// udpLoad is the state of one LoadUDP run, owned by its goroutine.
type udpLoad struct {
	cfg     UDPConfig
	w       *Workload
	rec     *recorder
	rng     *rand.Rand
	conns   []*udpConn
	pfds    []unix.PollFd
	fl      *inflight
	next    []int // per socket: the next simulated peer (socket i sends peers i, i+S, ...)
	slotBuf []int // slots of the batch being sent
	req     udp.Request
	resp    udp.Response
	start   time.Time
	timeNs  int64
}

// LoadUDP runs the BEP 15 load of cfg against cfg.Target and returns its
// Result. It fails only if it cannot set up: no socket, or no reply to the
// first connect of every socket within a few seconds. The whole run takes
// cfg.Warmup + cfg.Duration, plus the set-up.
func LoadUDP(w *Workload, cfg UDPConfig) (*Result, error) {
	cfg.applyDefaults()
	if !cfg.Target.Addr().Is4() {
		return nil, errors.New("bench: the UDP target must be an IPv4 address")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	l := &udpLoad{cfg: cfg, w: w, rec: &recorder{}, rng: rand.New(rand.NewPCG(cfg.Seed, 3)), fl: newInflight(cfg.Window)}
	defer l.close()
	for i := range cfg.Sockets {
		c, err := dialUDP(loopbackSource(0, i), cfg.Target, cfg.Batch, cfg.RcvBuf)
		if err != nil {
			return nil, err
		}
		l.conns = append(l.conns, c)
		l.pfds = append(l.pfds, unix.PollFd{Fd: int32(c.fd), Events: unix.POLLIN})
		l.next = append(l.next, i%w.NumPeers())
	}
	if err := connectAll(l.conns, l.pfds, 5*time.Second); err != nil {
		return nil, err
	}

	res := &Result{Mode: "udp", Target: cfg.Target.String(), Settings: map[string]string{
		"sockets": strconv.Itoa(cfg.Sockets), "window": strconv.Itoa(cfg.Window),
		"batch": strconv.Itoa(cfg.Batch), "timeout": cfg.Timeout.String(),
		"mix":     fmt.Sprintf("connect %d : announce %d : scrape %d", cfg.WeightConnect, cfg.WeightAnnounce, cfg.WeightScrape),
		"seeders": strconv.FormatFloat(cfg.SeederRatio, 'f', 2, 64), "numwant": strconv.Itoa(cfg.NumWant),
		"torrents": strconv.Itoa(len(w.Hashes)), "peers": strconv.Itoa(w.NumPeers()),
	}}
	l.start = time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.rec.measure(res, l.start, cfg.Warmup, cfg.Duration, cfg.ServerPID)
	}()
	l.loop(l.start.Add(cfg.Warmup + cfg.Duration))
	<-done
	return res, nil
}

// spinNs is how long the generator polls its sockets without sleeping when
// the window is full. On a VM a sleeping vCPU wakes up slowly (a halt exits
// to the hypervisor), and every late wake-up of the generator leaves the
// server without work. Measured here against the UDP ceiling (window 128):
// about 5% more replies/s than sleeping in poll(2) at once, within noise of
// spinning without limit.
const spinNs = int64(200 * time.Microsecond)

// loop keeps the window full until end: send into every free slot, read
// what has arrived, give up on requests older than the timeout, and sleep
// in poll only when the window is full and nothing has arrived.
func (l *udpLoad) loop(end time.Time) {
	timeout := l.cfg.Timeout.Nanoseconds()
	var lastExpire, idleSince int64
	onExpire := func(int, *slot) { l.rec.add(cTimeouts, 1) }
	for {
		now := time.Now()
		if !now.Before(end) {
			return
		}
		l.timeNs = now.Sub(l.start).Nanoseconds()
		for i := 0; l.fl.available() > 0 && i < len(l.conns); i++ {
			l.sendBatch(i, min(l.fl.available(), l.cfg.Batch))
		}
		got := 0
		for i := range l.conns {
			got += l.receive(i)
		}
		if l.timeNs-lastExpire > 10*int64(time.Millisecond) {
			l.fl.expire(l.timeNs-timeout, onExpire)
			lastExpire = l.timeNs
		}
		switch {
		case got > 0 || l.fl.available() > 0:
			idleSince = 0
		case idleSince == 0:
			idleSince = l.timeNs
		case l.timeNs-idleSince > spinNs:
			waitReadable(l.pfds, 1)
			idleSince = 0
		}
	}
}

// sendBatch sends n new requests on socket ci.
func (l *udpLoad) sendBatch(ci, n int) {
	c := l.conns[ci]
	wsum := l.cfg.WeightConnect + l.cfg.WeightAnnounce + l.cfg.WeightScrape
	slots := l.slotBuf[:0]
	for k := range n {
		si, tx := l.fl.acquire(l.timeNs)
		s := &l.fl.slots[si]
		s.conn = uint16(ci)
		slots = append(slots, si)
		r := &l.req
		r.TxID = tx
		r.ConnID = c.connID
		switch x := l.rng.IntN(wsum); {
		case x < l.cfg.WeightConnect:
			s.kind = kindConnect
			r.Action = udp.ActionConnect
			r.ConnID = udp.ProtocolID
		case x < l.cfg.WeightConnect+l.cfg.WeightAnnounce:
			s.kind = kindAnnounce
			l.fillAnnounce(ci)
		default:
			s.kind = kindScrape
			s.nHashes = uint8(l.fillScrape(ci))
		}
		c.txBuf[k] = udp.AppendRequest(c.txBuf[k][:0], r)
	}
	l.slotBuf = slots
	sent, err := c.send(n)
	l.rec.add(cRequests, uint64(sent))
	if sent < n {
		// Not sent: free the slots, count them, and note why once.
		for _, si := range slots[sent:] {
			l.fl.release(si)
		}
		l.rec.add(cSendFail, uint64(n-sent))
		if err != nil && l.rec.wantError() {
			l.rec.firstErr.CompareAndSwap(nil, ptr("send: "+err.Error()))
		}
	}
}

// nextPeer returns the next simulated peer of socket ci.
func (l *udpLoad) nextPeer(ci int) Peer {
	p := l.next[ci]
	l.next[ci] = (p + len(l.conns)) % l.w.NumPeers()
	return l.w.Peer(p)
}

func (l *udpLoad) fillAnnounce(ci int) {
	pi := l.next[ci]
	p := l.nextPeer(ci)
	r := &l.req
	r.Action = udp.ActionAnnounce
	a := &r.Announce
	a.InfoHash = l.w.Hashes[p.Torrent]
	a.PeerID = peerID(pi)
	a.Downloaded, a.Uploaded = 50, 50
	if l.rng.Float64() < l.cfg.SeederRatio {
		a.Left, a.Event = 0, udp.EventCompleted
	} else {
		a.Left, a.Event = 50, udp.EventStarted
	}
	a.NumWant = int32(l.cfg.NumWant)
	a.Port = p.Port
}

func (l *udpLoad) fillScrape(ci int) int {
	p := l.nextPeer(ci)
	r := &l.req
	r.Action = udp.ActionScrape
	n := min(len(p.Scrape), udp.MaxScrapeHashes)
	for i := range n {
		r.Hashes[i] = l.w.Hashes[p.Scrape[i]]
	}
	r.NHashes = n
	return n
}

// receive reads and validates everything queued on socket ci and returns
// how many datagrams it read.
func (l *udpLoad) receive(ci int) int {
	c := l.conns[ci]
	total := 0
	for {
		n, err := c.recv()
		if err != nil || n == 0 {
			return total // ECONNREFUSED and the like show up as timeouts
		}
		for i := range n {
			l.check(ci, c.packet(i))
		}
		total += n
		if n < len(c.rx) {
			return total
		}
	}
}

// check validates one reply that arrived on socket ci and counts it.
func (l *udpLoad) check(ci int, b []byte) {
	if len(b) < 8 {
		l.rec.invalid("udp reply of " + strconv.Itoa(len(b)) + " bytes")
		return
	}
	txID := uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	si := l.fl.lookup(txID)
	if si < 0 {
		l.rec.add(cLate, 1)
		return
	}
	s := &l.fl.slots[si]
	defer l.fl.release(si)
	if int(s.conn) != ci {
		l.rec.invalid("reply arrived on another socket than its request")
		return
	}
	v, why := checkUDPReply(&l.resp, b, s.kind, int(s.nHashes), l.cfg.NumWant)
	switch v {
	case replyError:
		if l.rec.wantError() {
			l.rec.error("udp error reply: " + strconv.Quote(string(l.resp.Message)))
		} else {
			l.rec.add(cErrors, 1)
		}
		return
	case replyInvalid:
		l.rec.invalid(why)
		return
	}
	switch s.kind {
	case kindConnect:
		l.conns[ci].connID = l.resp.ConnID
		l.rec.add(cConnect, 1)
	case kindAnnounce:
		l.rec.add(cAnnounce, 1)
		l.rec.add(cPeers, uint64(len(l.resp.Peers)/udp.PeerSizeV4))
	case kindScrape:
		l.rec.add(cScrape, 1)
	}
}

func (l *udpLoad) close() {
	for _, c := range l.conns {
		c.close()
	}
}

// peerID returns the peer_id of simulated peer i: a client prefix in the
// Azureus style and the peer's number.
func peerID(i int) [20]byte {
	var id [20]byte
	copy(id[:], "-TB0001-")
	for k := 19; k >= 8; k-- {
		id[k] = byte('0' + i%10)
		i /= 10
	}
	return id
}

func ptr[T any](v T) *T { return &v }

// errNoConnect is returned when a socket got no connect reply in time.
var errNoConnect = errors.New("bench: no reply to a BEP 15 connect: is the tracker listening?")

// connectAll gets a connection id for every socket, retrying every 250 ms
// until timeout.
func connectAll(conns []*udpConn, pfds []unix.PollFd, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	have := make([]bool, len(conns))
	left := len(conns)
	var req udp.Request
	var resp udp.Response
	for left > 0 {
		if time.Now().After(deadline) {
			return errNoConnect
		}
		for i, c := range conns {
			if have[i] {
				continue
			}
			req.ConnID, req.Action, req.TxID = udp.ProtocolID, udp.ActionConnect, 0xC0000000|uint32(i)
			c.txBuf[0] = udp.AppendRequest(c.txBuf[0][:0], &req)
			_, _ = c.send(1)
		}
		waitUntil := time.Now().Add(250 * time.Millisecond)
		for left > 0 && time.Now().Before(waitUntil) {
			waitReadable(pfds, 50)
			for i, c := range conns {
				n, _ := c.recv()
				for k := range n {
					b := c.packet(k)
					if resp.Parse(b, udp.PeerSizeV4) == nil && resp.Action == udp.ActionConnect &&
						resp.TxID == 0xC0000000|uint32(i) && !have[i] {
						c.connID = resp.ConnID
						have[i] = true
						left--
					}
				}
			}
		}
	}
	return nil
}
