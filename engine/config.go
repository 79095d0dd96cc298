package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/trackerd/trackerd/engine/internal/pin"
	"github.com/trackerd/trackerd/swarm"
)

// Backends for the UDP listener.
const (
	BackendMmsg = "mmsg" // per-CPU pinned threads, recvmmsg/sendmmsg (default)
	BackendGnet = "gnet" // gnet event loops, portable, slower (DESIGN.md §2)
)

// Steering of UDP datagrams among the per-CPU sockets of one address.
const (
	SteerOff = "off" // SO_REUSEPORT's flow hash picks the socket (default)
	// SteerIncomingCPU sets SO_INCOMING_CPU on each worker's socket to its
	// CPU: a datagram goes to the worker of the CPU whose softirq received
	// it, so it is handled where its cache lines already are. Needs the
	// mmsg backend and pinned workers.
	SteerIncomingCPU = "incoming-cpu"
)

// Config is what the engine needs to run. cmd/trackerd fills it from TOML;
// Validate reports every problem with the TOML key it came from.
type Config struct {
	// CPUs are the CPUs to run one worker on each; empty means the process's
	// affinity mask.
	CPUs []int
	// NoPin leaves worker threads unpinned (tests, shared machines).
	NoPin bool

	UDP        UDPConfig
	HTTP       HTTPConfig
	WebTorrent WebTorrentConfig
	Tracker    TrackerConfig
	Admin      AdminConfig
	Access     AccessConfig
}

// UDPConfig configures the BEP 15 listener.
type UDPConfig struct {
	Listen  []string // host:port; IPv6 sockets are IPv6-only
	Backend string   // BackendMmsg or BackendGnet
	// Batch is how many datagrams one recvmmsg/sendmmsg call moves.
	Batch int
	// ReadBuffer is SO_RCVBUF per socket in bytes; 0 keeps the system default.
	ReadBuffer int
	// Steer is SteerOff or SteerIncomingCPU; "" is SteerOff.
	Steer string
}

// HTTPConfig configures the HTTP tracker (BEP 3, 23, 7, 48) on gnet loops.
type HTTPConfig struct {
	Listen []string // host:port; IPv6 sockets are IPv6-only
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// headers name the client; from anyone else the headers are ignored.
	TrustedProxies []netip.Prefix
	// ProxyProtocol requires a PROXY protocol v1 or v2 header at the start
	// of every connection, and takes the client address from it.
	ProxyProtocol bool
	// AllowIPParam honours the announce "ip" parameter (trusted networks only).
	AllowIPParam bool
	// IdleTimeout closes a keep-alive connection with no request in progress.
	IdleTimeout time.Duration
	// HeaderTimeout closes a connection whose request has not arrived whole
	// this long after its first byte (slowloris).
	HeaderTimeout time.Duration
	// MaxConnections bounds open connections per process.
	MaxConnections int
	// MaxPending bounds the response bytes queued for a client that does not
	// read them; beyond it the connection is closed.
	MaxPending int
}

// WebTorrentConfig configures WebTorrent signalling over WebSocket, served
// on the HTTP listeners at "/" and "/announce".
type WebTorrentConfig struct {
	Enabled          bool
	AnnounceInterval time.Duration
	MaxOffers        int           // offers relayed per announce
	OfferTTL         time.Duration // how long an offer can be answered
	MaxMessage       int           // bytes per WebSocket message
	IdleTimeout      time.Duration // closed after this long without a frame; pinged at half of it
	PeerTimeout      time.Duration // a peer that stops announcing (its connection open) is dropped
	// WriteDelay is how long the frames for a browser may wait for more to
	// share their write(2): offers and answers relayed to it, and its own
	// replies. 0 writes them once the loop has handled a batch of reads.
	WriteDelay time.Duration
}

// maxWriteDelay bounds webtorrent.write_delay: frames are meant to wait
// for a busy loop's next reads, not for a timer.
const maxWriteDelay = 10 * time.Millisecond

// TrackerConfig holds the protocol-level settings sent to clients.
type TrackerConfig struct {
	AnnounceInterval time.Duration
	MinInterval      time.Duration
	MaxScrape        int // info hashes per scrape request
}

// AdminConfig configures the admin listener.
type AdminConfig struct {
	Listen string // "" disables it
	// Allow are the networks whose requests are served; others get 403.
	// Empty allows loopback only.
	Allow []netip.Prefix
	// PProf serves /debug/pprof/ (profiles expose internals and cost CPU).
	PProf bool
}

// Validate returns every problem in c, each naming its TOML key.
func (c *Config) Validate() error {
	var errs []error
	for _, a := range c.UDP.Listen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			errs = append(errs, fmt.Errorf("udp.listen: %q is not an ip:port (%w)", a, err))
		}
	}
	switch c.UDP.Backend {
	case BackendMmsg, BackendGnet:
	default:
		errs = append(errs, fmt.Errorf("udp.backend: %q is not %q or %q", c.UDP.Backend, BackendMmsg, BackendGnet))
	}
	if c.UDP.Batch < 1 || c.UDP.Batch > 1024 {
		errs = append(errs, fmt.Errorf("udp.batch: %d is not in 1..1024", c.UDP.Batch))
	}
	if c.UDP.ReadBuffer < 0 {
		errs = append(errs, errors.New("udp.read_buffer: must not be negative"))
	}
	switch c.UDP.Steer {
	case "", SteerOff:
	case SteerIncomingCPU:
		if c.UDP.Backend == BackendGnet {
			errs = append(errs, fmt.Errorf("udp.steer: %q needs backend %q (gnet sockets are not per CPU)", SteerIncomingCPU, BackendMmsg))
		}
		if c.NoPin {
			errs = append(errs, fmt.Errorf("udp.steer: %q needs workers pinned to their CPUs", SteerIncomingCPU))
		}
	default:
		errs = append(errs, fmt.Errorf("udp.steer: %q is not %q or %q", c.UDP.Steer, SteerOff, SteerIncomingCPU))
	}
	for _, a := range c.HTTP.Listen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			errs = append(errs, fmt.Errorf("http.listen: %q is not an ip:port (%w)", a, err))
		}
	}
	if len(c.HTTP.Listen) > 0 {
		h := c.HTTP
		if h.IdleTimeout < time.Second {
			errs = append(errs, fmt.Errorf("http.idle_timeout: %v is shorter than 1s", h.IdleTimeout))
		}
		if h.HeaderTimeout < time.Second {
			errs = append(errs, fmt.Errorf("http.header_timeout: %v is shorter than 1s", h.HeaderTimeout))
		}
		if h.MaxConnections < 1 {
			errs = append(errs, fmt.Errorf("http.max_connections: %d must be at least 1", h.MaxConnections))
		}
		if h.MaxPending < 4096 {
			errs = append(errs, fmt.Errorf("http.max_pending: %d must be at least 4096", h.MaxPending))
		}
	}
	if w := c.WebTorrent; w.Enabled {
		if w.AnnounceInterval < time.Second {
			errs = append(errs, fmt.Errorf("webtorrent.announce_interval: %v is shorter than 1s", w.AnnounceInterval))
		}
		if w.PeerTimeout <= w.AnnounceInterval {
			errs = append(errs, fmt.Errorf("webtorrent.peer_timeout: %v must be longer than announce_interval (%v)", w.PeerTimeout, w.AnnounceInterval))
		}
		if w.MaxOffers < 1 || w.MaxOffers > swarm.MaxRTCNumWant {
			errs = append(errs, fmt.Errorf("webtorrent.max_offers: %d is not in 1..%d", w.MaxOffers, swarm.MaxRTCNumWant))
		}
		if w.OfferTTL < time.Second {
			errs = append(errs, fmt.Errorf("webtorrent.offer_ttl: %v is shorter than 1s", w.OfferTTL))
		}
		if w.MaxMessage < 4096 || w.MaxMessage > 16<<20 {
			errs = append(errs, fmt.Errorf("webtorrent.max_message: %d is not in 4096..16777216", w.MaxMessage))
		}
		if w.IdleTimeout < 2*time.Second {
			errs = append(errs, fmt.Errorf("webtorrent.idle_timeout: %v is shorter than 2s", w.IdleTimeout))
		}
		if w.WriteDelay < 0 || w.WriteDelay > maxWriteDelay {
			errs = append(errs, fmt.Errorf("webtorrent.write_delay: %v is not in 0..%v", w.WriteDelay, maxWriteDelay))
		}
	}
	t := c.Tracker
	if t.AnnounceInterval < time.Second {
		errs = append(errs, fmt.Errorf("tracker.announce_interval: %v is shorter than 1s", t.AnnounceInterval))
	}
	if t.MinInterval <= 0 || t.MinInterval > t.AnnounceInterval {
		errs = append(errs, fmt.Errorf("tracker.min_interval: %v must be positive and not longer than announce_interval (%v)", t.MinInterval, t.AnnounceInterval))
	}
	if t.MaxScrape < 1 || t.MaxScrape > maxScrapeHashes {
		errs = append(errs, fmt.Errorf("tracker.max_scrape: %d is not in 1..%d", t.MaxScrape, maxScrapeHashes))
	}
	if c.Admin.Listen != "" {
		if _, err := netip.ParseAddrPort(c.Admin.Listen); err != nil {
			errs = append(errs, fmt.Errorf("admin.listen: %q is not an ip:port (%w)", c.Admin.Listen, err))
		}
	}
	errs = append(errs, c.Access.validate()...)
	for _, p := range c.Admin.Allow {
		if !p.IsValid() {
			errs = append(errs, fmt.Errorf("admin.allow: %v is not a valid prefix", p))
		}
	}
	return errors.Join(errs...)
}

// ParseCPUs decodes a CPU list such as "0-3,8"; "" is the process's own
// affinity mask (so taskset and systemd's CPUAffinity apply).
func ParseCPUs(s string) ([]int, error) { return pin.Parse(s) }
