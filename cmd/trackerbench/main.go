// Command trackerbench measures BitTorrent trackers from the outside: it is a
// thin command line over package bench.
//
// Usage:
//
//	trackerbench load -mode udp|http|http-close|ws -target 127.0.0.1:6969 [flags]
//	trackerbench fill -target 127.0.0.1:6969 -peers 1000000 [flags]
//	trackerbench ceiling-udp -listen 127.0.0.1:7000
//	trackerbench ceiling-http -listen 127.0.0.1:7000
//	trackerbench run [-quick] [flags]     the side-by-side comparison of `make bench`
//
// load and fill print a human summary on stderr and one JSON line on stdout.
// run prints Markdown tables on stdout and progress on stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/trackerd/trackerd/bench"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the run could not be done
	exitUsage = 2 // bad flags
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: trackerbench <command> [flags]

commands:
  load          run one load generator against a tracker (-mode udp|http|http-close|ws)
  fill          announce N distinct peers, for memory measurements
  ceiling-udp   serve the do-nothing BEP 15 ceiling
  ceiling-http  serve the keep-alive HTTP announce stub
  run           the side-by-side comparison behind 'make bench'

'trackerbench <command> -h' lists a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"load":         cmdLoad,
		"fill":         cmdFill,
		"ceiling-udp":  cmdCeilingUDP,
		"ceiling-http": cmdCeilingHTTP,
		"run":          cmdRun,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "trackerbench: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(args[1:], stdout, stderr)
}

// workloadFlags registers the workload size flags on fs.
func workloadFlags(fs *flag.FlagSet) *bench.WorkloadConfig {
	c := bench.DefaultWorkloadConfig()
	fs.IntVar(&c.Torrents, "torrents", c.Torrents, "simulated torrents")
	fs.IntVar(&c.Peers, "peers", c.Peers, "simulated peers")
	fs.IntVar(&c.ScrapeMax, "scrape-max", c.ScrapeMax, "each peer scrapes 1 to this many torrents")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "workload seed")
	return &c
}

func cmdLoad(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerbench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		mode     = fs.String("mode", "udp", "protocol: udp, http (keep-alive), http-close (one connection per request) or ws")
		target   = fs.String("target", "127.0.0.1:6969", "tracker `host:port` (IPv4)")
		warmup   = fs.Duration("warmup", 3*time.Second, "warm-up, not measured")
		duration = fs.Duration("duration", 15*time.Second, "measured time after the warm-up")
		timeout  = fs.Duration("timeout", time.Second, "give up on a request after this long, and count it")
		pid      = fs.Int("server-pid", 0, "measure this process's CPU use too (the tracker's PID)")
	)
	wc := workloadFlags(fs)
	ud := bench.DefaultUDPConfig()
	fs.IntVar(&ud.Sockets, "sockets", ud.Sockets, "udp: sockets, on source addresses 127.0.0.1, .2, ...")
	fs.IntVar(&ud.Window, "window", ud.Window, "udp: requests in flight")
	fs.IntVar(&ud.Batch, "batch", ud.Batch, "udp: datagrams per sendmmsg/recvmmsg")
	fs.IntVar(&ud.WeightConnect, "w-connect", ud.WeightConnect, "udp: weight of connect requests")
	fs.IntVar(&ud.WeightAnnounce, "w-announce", ud.WeightAnnounce, "udp: weight of announce requests")
	fs.IntVar(&ud.WeightScrape, "w-scrape", ud.WeightScrape, "udp: weight of scrape requests")
	hd := bench.DefaultHTTPConfig()
	fs.IntVar(&hd.Conns, "conns", hd.Conns, "http: concurrent connections")
	fs.IntVar(&hd.WeightScrape, "http-scrape", hd.WeightScrape, "http: weight of scrapes against announce weight 5 (aquatic: 0)")
	wd := bench.DefaultWSConfig()
	fs.IntVar(&wd.Conns, "ws-conns", wd.Conns, "ws: WebSocket connections, one peer each")
	fs.IntVar(&wd.Offers, "offers", wd.Offers, "ws: offers per announce")
	fs.IntVar(&wd.Crowd, "ws-crowd", wd.Crowd, "ws: more browsers that join before the clock starts, announce once and then only answer offers")
	fs.IntVar(&wd.Torrents, "ws-torrents", wd.Torrents, "ws: every peer announces on this many of the most popular torrents, in turn")
	seeders := fs.Float64("seeders", -1, "share of announces as seeders (default: 0.75 udp, 0.25 http and ws, as aquatic)")
	numwant := fs.Int("numwant", 30, "udp/http: numwant")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	addr, err := netip.ParseAddrPort(*target)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: -target: %v\n", err)
		return exitUsage
	}
	w, err := bench.NewWorkload(*wc)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitUsage
	}
	var res *bench.Result
	switch *mode {
	case "udp":
		ud.Target, ud.Warmup, ud.Duration, ud.Timeout, ud.ServerPID, ud.NumWant = addr, *warmup, *duration, *timeout, *pid, *numwant
		if *seeders >= 0 {
			ud.SeederRatio = *seeders
		}
		res, err = bench.LoadUDP(w, ud)
	case "http", "http-close":
		hd.Target, hd.Warmup, hd.Duration, hd.Timeout, hd.ServerPID, hd.NumWant = addr, *warmup, *duration, *timeout, *pid, *numwant
		hd.KeepAlive = *mode == "http"
		if *seeders >= 0 {
			hd.SeederRatio = *seeders
		}
		res, err = bench.LoadHTTP(w, hd)
	case "ws":
		wd.Target, wd.Warmup, wd.Duration, wd.Timeout, wd.ServerPID = addr, *warmup, *duration, *timeout, *pid
		if *seeders >= 0 {
			wd.SeederRatio = *seeders
		}
		res, err = bench.LoadWS(w, wd)
	default:
		fmt.Fprintf(stderr, "trackerbench: -mode %q is not udp, http, http-close or ws\n", *mode)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	res.WriteSummary(stderr)
	if err := res.WriteJSON(stdout); err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	return exitOK
}

func cmdFill(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerbench fill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fc := bench.DefaultFillConfig()
	target := fs.String("target", "127.0.0.1:6969", "tracker `host:port` (IPv4)")
	fs.IntVar(&fc.Peers, "peers", fc.Peers, "distinct peers to announce")
	fs.IntVar(&fc.Torrents, "torrents", fc.Torrents, "torrents to spread them over (default peers/10, at most 1M)")
	fs.IntVar(&fc.Window, "window", fc.Window, "requests in flight")
	fs.DurationVar(&fc.Limit, "limit", fc.Limit, "stop after this long even if not every peer is in")
	seed := fs.Uint64("seed", bench.DefaultSeed, "workload seed (the info hashes)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	addr, err := netip.ParseAddrPort(*target)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: -target: %v\n", err)
		return exitUsage
	}
	fc.Target = addr
	wc := bench.DefaultWorkloadConfig()
	wc.Seed = *seed
	wc.Peers = 1 // the fill makes its own peers; it needs only the info hashes
	w, err := bench.NewWorkload(wc)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitUsage
	}
	res, err := bench.Fill(w, fc)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	res.WriteSummary(stderr)
	if err := res.WriteJSON(stdout); err != nil {
		return exitFail
	}
	return exitOK
}

func cmdCeilingUDP(args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerbench ceiling-udp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:6969", "UDP `host:port` to serve (IPv4)")
	batch := fs.Int("batch", 32, "datagrams per recvmmsg/sendmmsg")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	addr, err := netip.ParseAddrPort(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "trackerbench: -listen: %v\n", err)
		return exitUsage
	}
	if err := bench.ServeUDPCeiling(addr, *batch); err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	return exitOK
}

func cmdCeilingHTTP(args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerbench ceiling-http", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:6969", "TCP `host:port` to serve")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if err := bench.ServeHTTPCeiling(*listen); err != nil {
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	return exitOK
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerbench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := bench.DefaultRunConfig()
	quick := fs.Bool("quick", false, "one short round and a small fill: about a minute and a half")
	cfg.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *quick {
		cfg.Quick(fs)
	}
	if err := bench.Run(cfg, stdout, stderr); err != nil {
		var ue *bench.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "trackerbench: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "trackerbench: %v\n", err)
		return exitFail
	}
	return exitOK
}
