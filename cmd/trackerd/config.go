package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/trackerd/trackerd/engine"
	"github.com/trackerd/trackerd/swarm"
)

// config is the TOML file, one table per package that owns the settings.
// Absent keys keep the values of defaultConfig.
type config struct {
	CPUs    string        `toml:"cpus"`
	UDP     udpConfig     `toml:"udp"`
	HTTP    httpConfig    `toml:"http"`
	WT      wtConfig      `toml:"webtorrent"`
	Tracker trackerConfig `toml:"tracker"`
	Admin   adminConfig   `toml:"admin"`
	Log     logConfig     `toml:"log"`
	Access  accessConfig  `toml:"access"`
	State   stateConfig   `toml:"state"`
	Process processConfig `toml:"process"`
}

type udpConfig struct {
	Listen     []string `toml:"listen"`
	Backend    string   `toml:"backend"`
	Batch      int      `toml:"batch"`
	ReadBuffer int      `toml:"read_buffer"`
	Steer      string   `toml:"steer"`
}

type httpConfig struct {
	Listen         []string      `toml:"listen"`
	TrustedProxies []string      `toml:"trusted_proxies"`
	ProxyProtocol  bool          `toml:"proxy_protocol"`
	AllowIPParam   bool          `toml:"allow_ip_param"`
	IdleTimeout    time.Duration `toml:"idle_timeout"`
	HeaderTimeout  time.Duration `toml:"header_timeout"`
	MaxConnections int           `toml:"max_connections"`
	MaxPending     int           `toml:"max_pending"`
}

type wtConfig struct {
	Enabled          bool          `toml:"enabled"`
	AnnounceInterval time.Duration `toml:"announce_interval"`
	PeerTimeout      time.Duration `toml:"peer_timeout"`
	MaxOffers        int           `toml:"max_offers"`
	OfferTTL         time.Duration `toml:"offer_ttl"`
	MaxMessage       int           `toml:"max_message"`
	IdleTimeout      time.Duration `toml:"idle_timeout"`
	WriteDelay       time.Duration `toml:"write_delay"`
}

type trackerConfig struct {
	AnnounceInterval time.Duration `toml:"announce_interval"`
	MinInterval      time.Duration `toml:"min_interval"`
	PeerTimeout      time.Duration `toml:"peer_timeout"`
	NumWantDefault   int           `toml:"numwant_default"`
	NumWantMax       int           `toml:"numwant_max"`
	MaxScrape        int           `toml:"max_scrape"`
	Shards           int           `toml:"shards"`
}

type adminConfig struct {
	Listen string   `toml:"listen"`
	Allow  []string `toml:"allow"`
	PProf  bool     `toml:"pprof"`
}

type logConfig struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

type accessConfig struct {
	Mode string `toml:"mode"`
	File string `toml:"file"`
}

func defaultConfig() config {
	return config{
		UDP: udpConfig{
			Listen:  []string{"0.0.0.0:6969", "[::]:6969"},
			Backend: engine.BackendMmsg,
			Batch:   32,
			Steer:   engine.SteerOff,
		},
		HTTP: httpConfig{
			Listen:         []string{"0.0.0.0:6969", "[::]:6969"},
			TrustedProxies: []string{},
			IdleTimeout:    2 * time.Minute,
			HeaderTimeout:  5 * time.Second,
			MaxConnections: 100_000,
			MaxPending:     256 << 10,
		},
		WT: wtConfig{
			Enabled:          true,
			AnnounceInterval: 2 * time.Minute,
			PeerTimeout:      5 * time.Minute,
			MaxOffers:        10,
			OfferTTL:         2 * time.Minute,
			MaxMessage:       64 << 10,
			IdleTimeout:      5 * time.Minute,
			WriteDelay:       200 * time.Microsecond,
		},
		Tracker: trackerConfig{
			AnnounceInterval: 30 * time.Minute,
			MinInterval:      15 * time.Minute,
			PeerTimeout:      60 * time.Minute,
			NumWantDefault:   50,
			NumWantMax:       200,
			MaxScrape:        74,
		},
		Admin: adminConfig{
			Listen: "127.0.0.1:6970",
			Allow:  []string{"127.0.0.0/8", "::1/128"},
		},
		Log:    logConfig{Level: "info", Format: "text"},
		Access: accessConfig{Mode: engine.AccessOff},
	}
}

// defaultConfigText is what -print-config prints: every key with its
// default and what it means. config_test.go decodes it back to defaultConfig.
const defaultConfigText = `# trackerd configuration. Every key is optional; these are the defaults.

# CPUs to run one worker thread on each, pinned: "" is the process's own
# affinity mask (taskset, systemd CPUAffinity), or a list such as "0-3,8".
cpus = ""

[udp]
# BEP 15 listen addresses; IPv6 sockets are IPv6-only. [] disables UDP.
listen = ["0.0.0.0:6969", "[::]:6969"]
# "mmsg": pinned threads with recvmmsg/sendmmsg (fastest, Linux).
# "gnet": gnet event loops (portable, for comparison).
backend = "mmsg"
# Datagrams moved per recvmmsg/sendmmsg call (1..1024).
batch = 32
# SO_RCVBUF per socket in bytes; 0 keeps the system default
# (raise net.core.rmem_max to allow more).
read_buffer = 0
# "off": the kernel's flow hash spreads datagrams over the per-CPU sockets.
# "incoming-cpu": each datagram goes to the worker pinned to the CPU that
# received it (SO_INCOMING_CPU; Linux 6.1+): match cpus to the CPUs that
# serve the NIC's receive queues (docs/deployment.md). mmsg backend only.
steer = "off"

[http]
# HTTP tracker listen addresses (announce, scrape), on the same port as UDP
# by default; IPv6 sockets are IPv6-only. [] disables HTTP.
listen = ["0.0.0.0:6969", "[::]:6969"]
# Proxies (CIDRs) whose X-Forwarded-For / X-Real-IP name the client, e.g.
# ["127.0.0.1/32", "10.0.0.0/8"]. From anyone else those headers are ignored.
trusted_proxies = []
# Require a PROXY protocol (v1 or v2) header on every HTTP connection, as
# HAProxy sends with "send-proxy", and take the client address from it.
# Only for listeners that nothing but the proxy can reach.
proxy_protocol = false
# Honour the announce "ip" parameter. Lets clients register any address:
# only for trusted networks.
allow_ip_param = false
# Close keep-alive connections idle this long.
idle_timeout = "2m"
# Close connections whose request has not arrived whole after this long.
header_timeout = "5s"
# Most open HTTP connections; more are closed at once (and counted).
max_connections = 100000
# Most response bytes queued for a client that does not read them.
max_pending = 262144

[webtorrent]
# WebTorrent signalling over WebSocket on the HTTP listeners, at ws://host:port/
# and ws://host:port/announce: browsers' offers and answers are relayed.
enabled = true
# How often browsers are told to announce.
announce_interval = "2m"
# A browser peer that stops announcing is dropped (it is also dropped at once
# when its connection closes).
peer_timeout = "5m"
# Offers relayed per announce, each to a different peer.
max_offers = 10
# How long an offer can be answered.
offer_ttl = "2m"
# Largest WebSocket message in bytes (frames of 32 KiB and more are normal).
max_message = 65536
# A quiet connection is pinged after half of this and closed after all of it.
idle_timeout = "5m"
# How long the offers, answers and replies for a browser may wait for more to
# go out in the same write, while the tracker is busy; fewer, larger writes
# cost less CPU. "0s" writes after each batch of reads. At most "10ms".
write_delay = "200us"

[tracker]
# How often clients are told to announce; replies subtract up to 5% jitter.
announce_interval = "30m"
# Clients must not announce more often than this.
min_interval = "15m"
# A peer that has not announced for this long is dropped. Must be longer than
# announce_interval; real clients announce late, so keep it about 2x.
peer_timeout = "60m"
# Peers returned when a client asks for none (or a negative number).
numwant_default = 50
# Most peers returned to one announce.
numwant_max = 200
# Most info hashes in one scrape (74 fit a 1500-byte MTU reply).
max_scrape = 74
# Swarm table shards, a power of two; 0 = 16 per CPU, rounded up.
shards = 0

[admin]
# Operator endpoints: /metrics (Prometheus), /stats (HTML), /stats.json,
# /healthz, and /debug/pprof/ when pprof is on. "" disables.
listen = "127.0.0.1:6970"
# Networks (CIDRs or addresses) allowed to use them; others get 403.
# [] means loopback only.
allow = ["127.0.0.0/8", "::1/128"]
# Serve Go profiles at /debug/pprof/ (exposes internals; costs CPU when used).
pprof = false

[log]
# "debug", "info", "warn" or "error".
level = "info"
# "text" or "json".
format = "text"

[access]
# Which torrents are served: "off" (all), "allow" (only those in file) or
# "deny" (all but those in file). Refused announces and scrapes get an error
# on every protocol. Re-read on SIGHUP; torrents a new list refuses are
# dropped from the swarms.
mode = "off"
# One info hash per line, 40 hex digits; "#" starts a comment. Required
# unless mode is "off".
file = ""

[state]
# Swarm snapshot: written when trackerd stops (SIGTERM, SIGINT) and loaded
# when it starts, unless older than tracker.peer_timeout, so that a restart
# keeps the swarms. "" disables; for example "/var/lib/trackerd/swarms.snap".
# It is replaced through a temporary file in the same directory, which must
# be writable by the user trackerd runs as (the unprivileged one, when it
# drops privileges). WebTorrent peers are not kept: their connections close.
file = ""

[process]
# After binding its sockets, a trackerd started as root switches to this
# user ("" stays as started; a warning is logged when that is root).
user = ""
# Group to switch to; "" is the user's primary group, with the user's
# supplementary groups. Set, it is the only group.
group = ""
# Directory to chroot into before switching user; "" does not. Files read
# later (the config file on reload, access.file) must lie inside it;
# state.file's directory is opened before the chroot.
chroot = ""
`

// loadConfig reads path over the defaults. Unknown keys are errors that
// name the key.
func loadConfig(path string) (config, error) {
	cfg := defaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("cannot read config: %w", err)
	}
	if err := decodeConfig(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func decodeConfig(b []byte, cfg *config) error {
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(cfg)
	if err != nil {
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key %s", strings.Join(keys, ", "))
	}
	return nil
}

// resolved is a config turned into what the packages take.
type resolved struct {
	engine engine.Config
	swarm  swarm.Config
	log    *slog.Logger
	level  *slog.LevelVar // log's level: reload sets it
}

// resolve validates cfg and builds the package configs. The error joins
// every problem found, each naming its key.
func (c *config) resolve() (resolved, []string, error) {
	var (
		r        resolved
		errs     []error
		warnings []string
	)
	cpus, err := engine.ParseCPUs(c.CPUs)
	if err != nil {
		errs = append(errs, fmt.Errorf("cpus: %w", err))
		cpus = []int{0}
	}
	t := c.Tracker
	if t.PeerTimeout <= t.AnnounceInterval {
		errs = append(errs, fmt.Errorf("tracker.peer_timeout: %v must be longer than announce_interval (%v): clients announce late", t.PeerTimeout, t.AnnounceInterval))
	} else if t.PeerTimeout*2 < t.AnnounceInterval*3 {
		warnings = append(warnings, fmt.Sprintf("tracker.peer_timeout %v is less than 1.5x announce_interval %v: late clients will drop out of swarms", t.PeerTimeout, t.AnnounceInterval))
	}
	if t.NumWantDefault < 1 || t.NumWantDefault > t.NumWantMax {
		errs = append(errs, fmt.Errorf("tracker.numwant_default: %d is not in 1..numwant_max (%d)", t.NumWantDefault, t.NumWantMax))
	}
	if t.NumWantMax < 1 || t.NumWantMax > 1000 {
		errs = append(errs, fmt.Errorf("tracker.numwant_max: %d is not in 1..1000", t.NumWantMax))
	}
	shards := t.Shards
	if shards == 0 {
		shards = 1 << bits.Len(uint(16*len(cpus)-1))
	} else if shards < 1 || shards&(shards-1) != 0 || shards > 1<<20 {
		errs = append(errs, fmt.Errorf("tracker.shards: %d is not a power of two in 1..%d", shards, 1<<20))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Log.Level)); err != nil {
		errs = append(errs, fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Log.Level))
	}
	r.level = new(slog.LevelVar)
	r.level.Set(level)
	opts := &slog.HandlerOptions{Level: r.level}
	switch c.Log.Format {
	case "text":
		r.log = slog.New(newThrottle(slog.NewTextHandler(os.Stderr, opts), warnEvery))
	case "json":
		r.log = slog.New(newThrottle(slog.NewJSONHandler(os.Stderr, opts), warnEvery))
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not \"text\" or \"json\"", c.Log.Format))
	}
	var proxies []netip.Prefix
	for _, p := range c.HTTP.TrustedProxies {
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			if a, aerr := netip.ParseAddr(p); aerr == nil {
				pfx, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("http.trusted_proxies: %q is not a CIDR or an address", p))
			continue
		}
		proxies = append(proxies, pfx.Masked())
	}
	adminAllow, err := parsePrefixes(c.Admin.Allow)
	if err != nil {
		errs = append(errs, fmt.Errorf("admin.allow: %w", err))
	}
	r.engine = engine.Config{
		CPUs: cpus,
		UDP: engine.UDPConfig{
			Listen:     c.UDP.Listen,
			Backend:    c.UDP.Backend,
			Batch:      c.UDP.Batch,
			ReadBuffer: c.UDP.ReadBuffer,
			Steer:      c.UDP.Steer,
		},
		HTTP: engine.HTTPConfig{
			Listen:         c.HTTP.Listen,
			TrustedProxies: proxies,
			ProxyProtocol:  c.HTTP.ProxyProtocol,
			AllowIPParam:   c.HTTP.AllowIPParam,
			IdleTimeout:    c.HTTP.IdleTimeout,
			HeaderTimeout:  c.HTTP.HeaderTimeout,
			MaxConnections: c.HTTP.MaxConnections,
			MaxPending:     c.HTTP.MaxPending,
		},
		WebTorrent: engine.WebTorrentConfig{
			Enabled:          c.WT.Enabled,
			AnnounceInterval: c.WT.AnnounceInterval,
			PeerTimeout:      c.WT.PeerTimeout,
			MaxOffers:        c.WT.MaxOffers,
			OfferTTL:         c.WT.OfferTTL,
			MaxMessage:       c.WT.MaxMessage,
			IdleTimeout:      c.WT.IdleTimeout,
			WriteDelay:       c.WT.WriteDelay,
		},
		Tracker: engine.TrackerConfig{
			AnnounceInterval: t.AnnounceInterval,
			MinInterval:      t.MinInterval,
			MaxScrape:        t.MaxScrape,
		},
		Admin:  engine.AdminConfig{Listen: c.Admin.Listen, Allow: adminAllow, PProf: c.Admin.PProf},
		Access: engine.AccessConfig{Mode: c.Access.Mode, File: c.Access.File},
	}
	if err := r.engine.Validate(); err != nil {
		errs = append(errs, err)
	}
	r.swarm = swarm.Config{
		Shards:         shards,
		NumWantDefault: t.NumWantDefault,
		NumWantMax:     t.NumWantMax,
		PeerTimeoutSec: uint32(t.PeerTimeout / time.Second),
	}
	return r, warnings, errors.Join(errs...)
}

// checkStart validates what applies at start only and is not checked
// again on reload: [state], whose directory is opened once, and [process]
// (the user and group exist, the chroot is a directory, and every file read
// later, the config file at configPath included, lies inside the chroot;
// after a chroot, /etc/passwd and the old paths are out of reach). It
// returns the snapshot path, "" when off.
func (c *config) checkStart(configPath string) (string, error) {
	state, err := c.State.check()
	errs := []error{err}
	errs = append(errs, c.Process.check()...)
	files := c.filePaths()
	if configPath != "" {
		files = append(files, filePath{key: "-config", path: &configPath})
	}
	errs = append(errs, c.Process.checkPaths(files...))
	return state, errors.Join(errs...)
}

// parsePrefixes reads a list of CIDRs or single addresses.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range list {
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			if a, aerr := netip.ParseAddr(p); aerr == nil {
				pfx, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR or an address", p)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}
