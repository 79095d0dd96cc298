package bench

import (
	"sync/atomic"
	"time"
)

// Counter indices of a recorder, in the order of the Counts fields.
const (
	cRequests = iota
	cConnect
	cAnnounce
	cScrape
	cOffer
	cAnswer
	cErrors
	cInvalid
	cTimeouts
	cLate
	cSendFail
	cReconnects
	cPeers
	nCounters
)

// recorder counts the outcomes of a load run. Any goroutine may add; one
// goroutine runs measure. The zero value is ready to use.
type recorder struct {
	c            [nCounters]atomic.Uint64
	firstErr     atomic.Pointer[string]
	firstInvalid atomic.Pointer[string]
}

func (r *recorder) add(i int, n uint64) { r.c[i].Add(n) }

// wantError and wantInvalid report whether no error or invalid reply has
// been described yet, so callers format a description only once.
func (r *recorder) wantError() bool   { return r.firstErr.Load() == nil }
func (r *recorder) wantInvalid() bool { return r.firstInvalid.Load() == nil }

// error counts a tracker error reply; desc describes the first one.
func (r *recorder) error(desc string) {
	r.c[cErrors].Add(1)
	if r.wantError() {
		r.firstErr.CompareAndSwap(nil, &desc)
	}
}

// invalid counts a reply that failed validation; desc describes the first.
func (r *recorder) invalid(desc string) {
	r.c[cInvalid].Add(1)
	if r.wantInvalid() {
		r.firstInvalid.CompareAndSwap(nil, &desc)
	}
}

func (r *recorder) snapshot() Counts {
	return Counts{
		Requests: r.c[cRequests].Load(),
		Connect:  r.c[cConnect].Load(), Announce: r.c[cAnnounce].Load(), Scrape: r.c[cScrape].Load(),
		Offer: r.c[cOffer].Load(), Answer: r.c[cAnswer].Load(),
		Errors: r.c[cErrors].Load(), Invalid: r.c[cInvalid].Load(), Timeouts: r.c[cTimeouts].Load(),
		Late: r.c[cLate].Load(), SendFail: r.c[cSendFail].Load(), Reconnects: r.c[cReconnects].Load(),
		Peers: r.c[cPeers].Load(),
	}
}

// cpuClock reads the CPU time of this process and of the server (pid > 0),
// and how long both waited for a CPU, so that each can be turned into a
// percentage of one CPU over an interval.
type cpuClock struct {
	pid               int
	wall              time.Time
	gen, serv, waited float64
	servOK, waitedOK  bool
}

func readCPU(pid int) cpuClock {
	c := cpuClock{pid: pid, wall: time.Now()}
	c.gen, _ = CPUSeconds(0)
	w, err := WaitSeconds(0)
	c.waited, c.waitedOK = w, err == nil
	if pid > 0 {
		c.serv, err = CPUSeconds(pid)
		c.servOK = err == nil
		w, err = WaitSeconds(pid)
		c.waited += w
		c.waitedOK = c.waitedOK && err == nil
	}
	return c
}

// cpuUse is CPU use over an interval, in percent of one CPU.
type cpuUse struct {
	gen, serv float64 // serv is -1 when unknown
	// wait is how long the generator's and the server's threads were
	// runnable but not running; -1 when unknown. Near 0 on a quiet machine;
	// other work on the CPUs (a build, a test suite), or a host that
	// deschedules the VM, raises it and makes the run's figures unreliable.
	wait float64
}

// since returns the CPU use between o and c.
func (c cpuClock) since(o cpuClock) cpuUse {
	u := cpuUse{serv: -1, wait: -1}
	wall := c.wall.Sub(o.wall).Seconds()
	if wall <= 0 {
		return u
	}
	u.gen = 100 * (c.gen - o.gen) / wall
	if c.servOK && o.servOK {
		u.serv = 100 * (c.serv - o.serv) / wall
	}
	if c.waitedOK && o.waitedOK {
		u.wait = max(0, 100*(c.waited-o.waited)/wall)
	}
	return u
}

// measure waits for the warm-up to end (start+warmup), then samples r once a
// second until start+warmup+duration, and fills the measured fields of res:
// totals, rates, CPU use and samples. Counts from the warm-up are left out.
func (r *recorder) measure(res *Result, start time.Time, warmup, duration time.Duration, serverPID int) {
	time.Sleep(time.Until(start.Add(warmup)))
	base := r.snapshot()
	c0 := readCPU(serverPID)
	end := c0.wall.Add(duration)
	prev, cprev := base, c0
	var cur Counts
	var cnow cpuClock
	for sec := 1; ; sec++ {
		next := c0.wall.Add(time.Duration(sec) * time.Second)
		last := !next.Before(end)
		if last {
			next = end
		}
		time.Sleep(time.Until(next))
		cur, cnow = r.snapshot(), readCPU(serverPID)
		// A last partial second shorter than half a second is too noisy to
		// show; it still counts in the totals.
		if wall := cnow.wall.Sub(cprev.wall).Seconds(); wall >= 0.5 {
			d := cur.sub(prev)
			u := cnow.since(cprev)
			res.Samples = append(res.Samples, Sample{
				Second:          sec,
				ResponsesPerSec: float64(d.Responses()) / wall,
				Failures:        d.Failures(),
				ServerCPU:       u.serv,
				GeneratorCPU:    u.gen,
				Wait:            u.wait,
			})
		}
		prev, cprev = cur, cnow
		if last {
			break
		}
	}
	wall := cnow.wall.Sub(c0.wall).Seconds()
	res.WarmupSec = warmup.Seconds()
	res.DurationSec = wall
	res.Totals = cur.sub(base)
	t := res.Totals
	res.ResponsesPerSec = float64(t.Responses()) / wall
	res.PerSecByType = map[string]float64{}
	for k, v := range map[string]uint64{"connect": t.Connect, "announce": t.Announce, "scrape": t.Scrape, "offer": t.Offer, "answer": t.Answer} {
		if v > 0 {
			res.PerSecByType[k] = float64(v) / wall
		}
	}
	u := cnow.since(c0)
	res.GeneratorCPU, res.ServerCPU, res.Wait = u.gen, u.serv, u.wait
	if t.Announce > 0 {
		res.PeersPerAnnounce = float64(t.Peers) / float64(t.Announce)
	}
	if p := r.firstErr.Load(); p != nil {
		res.FirstError = *p
	}
	if p := r.firstInvalid.Load(); p != nil {
		res.FirstInvalid = *p
	}
}
