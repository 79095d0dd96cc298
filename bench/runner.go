package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RunConfig configures Run, the side-by-side comparison. It is a plain
// value; RegisterFlags binds it to command-line flags.
type RunConfig struct {
	Rounds    int           // interleaved rounds of every configuration
	Warmup    time.Duration // per load run, not measured
	Duration  time.Duration // per load run, measured
	Protocols string        // comma-separated: udp, http, http-close, ws, ws-crowd, memory
	Servers   string        // comma-separated server keys; "" for all

	FillPeers    int           // memory rows: distinct peers to announce
	FillTorrents int           // memory rows: torrents they spread over; 0: peers/10
	FillLimit    time.Duration // memory rows: bound on each fill; 0: a minute per million peers

	TrackerCPU int  // CPU the server under test is pinned to
	LoadCPU    int  // CPU the generator is pinned to
	Nice       bool // run both at nice -20 (as root), ahead of other work on the machine

	Trackerd    string // trackerd binary
	Opentracker string // opentracker binary
	NodeDir     string // bench/bittorrent-tracker, with node_modules installed
	Out         string // results directory; "" for bench/results/run-<time>
}

// DefaultRunConfig returns the defaults of `make bench`: three rounds of
// 2 s warm-up and 5 s measured per configuration, every protocol, a fill of
// 1M peers, the tracker on CPU 0 and the generator on CPU 1. It takes about
// nine minutes on two cores.
func DefaultRunConfig() RunConfig {
	return RunConfig{
		Rounds: 3, Warmup: 2 * time.Second, Duration: 5 * time.Second,
		Protocols:  "udp,http,http-close,ws,ws-crowd,memory",
		FillPeers:  1_000_000,
		TrackerCPU: 0, LoadCPU: 1, Nice: true,
		Trackerd: "bin/trackerd", Opentracker: "opentracker", NodeDir: "bench/bittorrent-tracker",
	}
}

// RegisterFlags binds c to flags of fs.
func (c *RunConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Rounds, "rounds", c.Rounds, "interleaved rounds of every configuration")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "warm-up of each load run")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "measured time of each load run")
	fs.StringVar(&c.Protocols, "protocols", c.Protocols, "comma-separated: udp, http, http-close, ws, ws-crowd, memory")
	fs.StringVar(&c.Servers, "servers", c.Servers, "comma-separated servers (default all): trackerd-mmsg, trackerd-gnet, opentracker, bittorrent-tracker, ceiling")
	fs.IntVar(&c.FillPeers, "fill-peers", c.FillPeers, "memory rows: distinct peers to announce (10000000 for the 10M figure)")
	fs.IntVar(&c.FillTorrents, "fill-torrents", c.FillTorrents, "memory rows: torrents to spread them over (default peers/10)")
	fs.DurationVar(&c.FillLimit, "fill-limit", c.FillLimit, "memory rows: stop each fill after this long (default a minute per million peers)")
	fs.IntVar(&c.TrackerCPU, "tracker-cpu", c.TrackerCPU, "CPU to pin the server under test to (-1: unpinned)")
	fs.IntVar(&c.LoadCPU, "load-cpu", c.LoadCPU, "CPU to pin the load generator to (-1: unpinned)")
	fs.BoolVar(&c.Nice, "nice", c.Nice, "run the server and the generator at nice -20 when root, ahead of other work on the machine")
	fs.StringVar(&c.Trackerd, "trackerd", c.Trackerd, "trackerd binary")
	fs.StringVar(&c.Opentracker, "opentracker", c.Opentracker, "opentracker binary")
	fs.StringVar(&c.NodeDir, "node-dir", c.NodeDir, "directory of server.js with bittorrent-tracker installed")
	fs.StringVar(&c.Out, "out", c.Out, "results directory (default bench/results/run-<time>)")
}

// Quick shortens c for `make bench-quick` (one round of 1 s + 3 s, a fill
// of 100k peers), leaving alone whatever was set explicitly on fs.
func (c *RunConfig) Quick(fs *flag.FlagSet) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["rounds"] {
		c.Rounds = 1
	}
	if !set["warmup"] {
		c.Warmup = time.Second
	}
	if !set["duration"] {
		c.Duration = 3 * time.Second
	}
	if !set["fill-peers"] {
		c.FillPeers = 100_000
	}
}

// UsageError is a configuration mistake, reported as such.
type UsageError struct{ msg string }

// Error returns the message, naming the flag at fault.
func (e *UsageError) Error() string { return e.msg }

// runner is the state of one Run, owned by its goroutine.
type runner struct {
	cfg    RunConfig
	stderr io.Writer
	self   string    // this executable, for the generator and the ceilings
	out    string    // results directory
	logs   string    // server and generator logs
	otRoot string    // opentracker's chroot, holding whitelist.txt
	w      *Workload // info hashes only: the generator builds the rest
	jsonl  *os.File  // every run's raw result
}

// Run runs the side-by-side comparison of cfg and writes its report
// (Markdown tables) to stdout and progress to stderr. Every process it starts
// is pinned, bounded in time, bound to 127.0.0.1 and stopped by its PID.
// SIGINT and SIGTERM stop the current run and return.
func Run(cfg RunConfig, stdout, stderr io.Writer) error {
	if cfg.Rounds <= 0 || cfg.Duration <= 0 || cfg.Warmup < 0 || cfg.FillPeers <= 0 {
		return &UsageError{"run: -rounds, -duration and -fill-peers must be positive"}
	}
	if cfg.FillLimit <= 0 {
		cfg.FillLimit = time.Duration(max(1, (cfg.FillPeers+999_999)/1_000_000)) * time.Minute
	}
	protos := splitList(cfg.Protocols)
	for _, p := range protos {
		if !slices.Contains([]string{ProtoUDP, ProtoHTTP, ProtoHTTPClose, ProtoWS, ProtoWSCrowd, "memory"}, p) {
			return &UsageError{fmt.Sprintf("run: unknown protocol %q", p)}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	r := &runner{cfg: cfg, stderr: stderr}
	if slices.Contains(protos, ProtoWSCrowd) {
		if err := raiseFileLimit(wsCrowd + 4096); err != nil {
			r.logf("leaving out the ws-crowd rows: %v", err)
			protos = slices.DeleteFunc(protos, func(p string) bool { return p == ProtoWSCrowd })
		}
	}
	if err := r.prepare(); err != nil {
		return err
	}
	defer r.jsonl.Close()

	servers, err := r.servers()
	if err != nil {
		return err
	}
	env := collectEnv(&cfg)
	r.logf("results in %s", r.out)
	r.logf("%s", env.oneLine())
	r.logEstimate(servers, protos)

	var rows []LoadRow
	rowOf := map[string]int{}
	for _, proto := range []string{ProtoUDP, ProtoHTTP, ProtoHTTPClose, ProtoWS, ProtoWSCrowd} {
		if !slices.Contains(protos, proto) {
			continue
		}
		for _, s := range servers {
			if !s.serves[proto] && s.notServed[proto] == "" {
				continue
			}
			rowOf[proto+"/"+s.key] = len(rows)
			rows = append(rows, LoadRow{Protocol: proto, Server: s.name, Role: s.role,
				Primary: s.role == RoleTrackerd && s.memory, Note: s.notServed[proto]})
		}
	}
	for round := 1; round <= cfg.Rounds; round++ {
		for _, proto := range []string{ProtoUDP, ProtoHTTP, ProtoHTTPClose, ProtoWS, ProtoWSCrowd} {
			if !slices.Contains(protos, proto) {
				continue
			}
			for _, s := range servers {
				if !s.serves[proto] {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				row := &rows[rowOf[proto+"/"+s.key]]
				r.logf("round %d/%d: %s %s", round, cfg.Rounds, proto, s.name)
				res, err := r.runLoad(ctx, s, proto, round)
				switch {
				case errors.Is(err, errNotServed):
					// Found out by trying (trackerd's WebSocket): no more rounds.
					row.Note = s.name + " does not serve WebSocket yet (upgrade refused)"
					s.serves[proto] = false
				case err != nil:
					r.logf("  failed: %v", err)
					row.Failures = append(row.Failures, err.Error())
				default:
					r.logf("  %s responses/s, tracker CPU %.0f%%, generator CPU %.0f%%, failures %d",
						humanRate(res.ResponsesPerSec), res.ServerCPU, res.GeneratorCPU, res.Totals.Failures())
					row.Results = append(row.Results, res)
				}
			}
		}
	}
	var mem []MemoryRow
	if slices.Contains(protos, "memory") {
		for _, s := range servers {
			if !s.memory {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			r.logf("memory: filling %s with %s peers", s.name, humanCount(cfg.FillPeers))
			mem = append(mem, r.runFill(ctx, s))
		}
	}
	report := formatReport(env, &cfg, rows, mem, r.out)
	if err := os.WriteFile(filepath.Join(r.out, "report.md"), []byte(report), 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, report)
	return err
}

// prepare checks the tools, makes the results directory and writes
// opentracker's whitelist.
func (r *runner) prepare() error {
	var err error
	if r.self, err = os.Executable(); err != nil {
		return err
	}
	if runtime.NumCPU() < 2 && (r.cfg.TrackerCPU >= 0 || r.cfg.LoadCPU >= 0) {
		r.logf("only one CPU: running unpinned; tracker and generator share it")
		r.cfg.TrackerCPU, r.cfg.LoadCPU = -1, -1
	}
	if r.cfg.TrackerCPU >= 0 || r.cfg.LoadCPU >= 0 {
		if _, err := exec.LookPath("taskset"); err != nil {
			return errors.New("run: taskset not found (Debian package util-linux)")
		}
	}
	if r.cfg.Nice && os.Geteuid() != 0 {
		r.logf("not root: running at normal priority; other work on the machine will show in the figures")
		r.cfg.Nice = false
	}
	r.out = r.cfg.Out
	if r.out == "" {
		r.out = filepath.Join("bench", "results", "run-"+time.Now().UTC().Format("20060102-150405"))
	}
	if r.out, err = filepath.Abs(r.out); err != nil {
		return err
	}
	r.logs = filepath.Join(r.out, "logs")
	if err := os.MkdirAll(r.logs, 0o755); err != nil {
		return err
	}
	if r.jsonl, err = os.Create(filepath.Join(r.out, "runs.jsonl")); err != nil {
		return err
	}
	wc := DefaultWorkloadConfig()
	wc.Peers = 1 // the runner needs the info hashes only
	if r.w, err = NewWorkload(wc); err != nil {
		return err
	}
	return nil
}

// servers returns the servers selected by -servers, in table order, and
// prepares what they need.
func (r *runner) servers() ([]*server, error) {
	want := splitList(r.cfg.Servers)
	pick := func(key string) bool { return len(want) == 0 || slices.Contains(want, key) }
	var out []*server
	if pick("trackerd-mmsg") || pick("trackerd-gnet") {
		httpOK, err := trackerdServesHTTP(r.cfg.Trackerd)
		if err != nil {
			return nil, fmt.Errorf("run: %w (build it with make build, or pass -trackerd)", err)
		}
		out = append(out, trackerdServer("mmsg", httpOK, true))
		if pick("trackerd-gnet") {
			out = append(out, trackerdServer("gnet", httpOK, false))
		}
		if !pick("trackerd-mmsg") {
			out = out[1:]
		}
	}
	if pick("opentracker") {
		if _, err := exec.LookPath(r.cfg.Opentracker); err != nil {
			return nil, errors.New("run: opentracker not found: apt-get install opentracker (make bench does), or -servers without it")
		}
		if err := r.writeWhitelist(); err != nil {
			return nil, err
		}
		out = append(out, opentrackerServer())
	}
	if pick("bittorrent-tracker") {
		if _, err := os.Stat(filepath.Join(r.cfg.NodeDir, "node_modules", "bittorrent-tracker")); err != nil {
			return nil, fmt.Errorf("run: bittorrent-tracker is not installed in %s: npm ci --ignore-scripts there (make bench does)", r.cfg.NodeDir)
		}
		if _, err := exec.LookPath("node"); err != nil {
			return nil, errors.New("run: node not found: apt-get install nodejs (make bench does)")
		}
		out = append(out, bittorrentTrackerServer())
	}
	if pick("ceiling") {
		out = append(out, ceilingServer())
	}
	if len(out) == 0 {
		return nil, &UsageError{"run: -servers selects no server"}
	}
	return out, nil
}

// writeWhitelist writes every workload info hash to opentracker's
// whitelist: the Debian build serves whitelisted torrents only. The
// directory is its chroot, so it must be world-readable (0755).
func (r *runner) writeWhitelist() error {
	r.otRoot = filepath.Join(r.out, "opentracker-root")
	if err := os.MkdirAll(r.otRoot, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(r.otRoot, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(r.otRoot, "whitelist.txt"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := r.w.WriteHexHashes(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// errNotServed means the server refused the protocol outright.
var errNotServed = errors.New("not served")

// runLoad starts s for proto, waits until it answers, runs one load
// generator against it and stops it.
func (r *runner) runLoad(ctx context.Context, s *server, proto string, round int) (*Result, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("%s-%s-%d", s.key, proto, round)
	p, err := s.start(r, port, proto, filepath.Join(r.logs, base+".server.log"))
	if err != nil {
		return nil, err
	}
	defer p.stop(3 * time.Second)
	if err := r.ready(ctx, s, p, port, proto); err != nil {
		return nil, err
	}
	if isWS(proto) && s.role == RoleTrackerd {
		// trackerd serves HTTP; whether it upgrades to WebSocket yet is
		// found out by asking.
		if err := probeWS(port); err != nil {
			r.logf("  WebSocket upgrade: %v", err)
			return nil, errNotServed
		}
	}
	args := []string{"load", "-mode", proto, "-target", "127.0.0.1:" + strconv.Itoa(port),
		"-warmup", r.cfg.Warmup.String(), "-duration", r.cfg.Duration.String(),
		"-server-pid", strconv.Itoa(p.pid())}
	limit := r.cfg.Warmup + r.cfg.Duration + 2*time.Minute
	if proto == ProtoWSCrowd {
		args[2] = ProtoWS
		args = append(args, "-ws-crowd", strconv.Itoa(wsCrowd))
		limit += crowdJoinLimit
	}
	out, err := r.generate(ctx, base, args, limit)
	if err != nil {
		return nil, err
	}
	if p.exited() {
		return nil, fmt.Errorf("%s exited during the run (see %s.server.log)", s.name, base)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("cannot read the generator's result: %w", err)
	}
	r.record(map[string]any{"kind": "load", "round": round, "server": s.key, "protocol": proto, "result": &res})
	return &res, nil
}

// ready waits up to a minute for s to answer on port.
func (r *runner) ready(ctx context.Context, s *server, p *proc, port int, proto string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	start := time.Now()
	err := waitReady(ctx, p, port, s.hasUDP(proto), proto != ProtoUDP, r.w.Hashes[len(r.w.Hashes)-1])
	if err != nil {
		return fmt.Errorf("%s not ready after %s: %w", s.name, time.Since(start).Round(time.Millisecond), err)
	}
	if d := time.Since(start); d > 2*time.Second {
		r.logf("  %s took %s to answer", s.name, d.Round(100*time.Millisecond))
	}
	return nil
}

// generate runs `trackerbench args...` pinned to the load CPU and returns
// its stdout (one JSON line); its stderr goes to the log.
func (r *runner) generate(ctx context.Context, base string, args []string, limit time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	argv := append(placement(r.cfg.LoadCPU, r.cfg.Nice), r.self)
	argv = append(argv, args...)
	lf, err := os.Create(filepath.Join(r.logs, base+".generator.log"))
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("generator stopped: %w", ctx.Err())
		}
		tail, _ := os.ReadFile(lf.Name())
		return nil, fmt.Errorf("generator: %v: %s", err, lastLine(tail))
	}
	return out.Bytes(), nil
}

// runFill measures s's memory: RSS after start-up, a fill of
// cfg.FillPeers distinct peers, RSS again a second later.
func (r *runner) runFill(ctx context.Context, s *server) MemoryRow {
	row := MemoryRow{Server: s.name}
	fail := func(err error) MemoryRow {
		r.logf("  failed: %v", err)
		row.Note = "failed: " + err.Error()
		return row
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	base := s.key + "-memory"
	p, err := s.start(r, port, ProtoUDP, filepath.Join(r.logs, base+".server.log"))
	if err != nil {
		return fail(err)
	}
	defer p.stop(3 * time.Second)
	if err := r.ready(ctx, s, p, port, ProtoUDP); err != nil {
		return fail(err)
	}
	time.Sleep(time.Second) // let start-up work (whitelist, JIT) settle
	if row.RSSBefore, err = RSSBytes(p.pid()); err != nil {
		return fail(err)
	}
	args := []string{"fill", "-target", "127.0.0.1:" + strconv.Itoa(port),
		"-peers", strconv.Itoa(r.cfg.FillPeers), "-torrents", strconv.Itoa(r.cfg.FillTorrents),
		"-limit", r.cfg.FillLimit.String()}
	out, err := r.generate(ctx, base, args, r.cfg.FillLimit+2*time.Minute)
	if err != nil {
		return fail(err)
	}
	var f FillResult
	if err := json.Unmarshal(out, &f); err != nil {
		return fail(fmt.Errorf("cannot read the fill's result: %w", err))
	}
	time.Sleep(time.Second)
	if p.exited() {
		row.Fill = &f
		row.Note = "exited during the fill (see " + base + ".server.log)"
		return row
	}
	if row.RSSAfter, err = RSSBytes(p.pid()); err != nil {
		return fail(err)
	}
	row.Fill = &f
	r.record(map[string]any{"kind": "memory", "server": s.key, "rss_before": row.RSSBefore, "rss_after": row.RSSAfter, "fill": &f})
	r.logf("  %s peers in %.1fs, RSS %s → %s", humanCount(f.Announced), f.Seconds, humanBytes(row.RSSBefore), humanBytes(row.RSSAfter))
	return row
}

// serverPlacement is the command prefix of the server under test.
func (r *runner) serverPlacement() []string { return placement(r.cfg.TrackerCPU, r.cfg.Nice) }

// logEstimate prints how long the run will take, roughly.
func (r *runner) logEstimate(servers []*server, protos []string) {
	runs := 0
	for _, p := range protos {
		for _, s := range servers {
			if s.serves[p] {
				runs++
			}
		}
	}
	per := r.cfg.Warmup + r.cfg.Duration + 1500*time.Millisecond // start-up, workload, stop
	total := time.Duration(runs*r.cfg.Rounds) * per
	if slices.Contains(protos, "memory") {
		// trackerd and opentracker fill in seconds; bittorrent-tracker
		// takes about 35 s per million peers, up to the limit.
		total += min(r.cfg.FillLimit, time.Duration(r.cfg.FillPeers/1000)*35*time.Millisecond) + 30*time.Second
	}
	r.logf("%d load runs × %d rounds; expect about %s", runs, r.cfg.Rounds, total.Round(time.Minute/2))
}

func (r *runner) record(v any) {
	b, err := json.Marshal(v)
	if err == nil {
		_, _ = r.jsonl.Write(append(b, '\n'))
	}
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.stderr, "trackerbench: "+format+"\n", args...)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// raiseFileLimit sets this process's open-file limit, which the servers and
// the generator inherit, to at least n (Go raises only its own soft limit,
// and restores the old one for the processes it starts unless it was set
// with Setrlimit). The hard limit can only be raised by root.
func raiseFileLimit(n uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur >= n {
		return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l) // so children inherit it
	}
	l.Cur, l.Max = n, max(l.Max, n)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("they need %d open files (ulimit -n): %w", n, err)
	}
	return nil
}
