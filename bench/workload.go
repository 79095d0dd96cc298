package bench

import (
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
)

// Workload defaults, those of aquatic_udp_load_test.
const (
	DefaultTorrents  = 1_000_000
	DefaultPeers     = 2_000_000
	DefaultScrapeMax = 10
	DefaultSeed      = 0xc3aa8be617b3acce
)

// WorkloadConfig sizes a Workload. It is a plain value.
type WorkloadConfig struct {
	Torrents  int    // distinct info hashes
	Peers     int    // simulated peers
	ScrapeMax int    // each peer scrapes 1 to ScrapeMax torrents
	Seed      uint64 // the same seed gives the same workload
}

// DefaultWorkloadConfig returns the aquatic defaults.
func DefaultWorkloadConfig() WorkloadConfig {
	return WorkloadConfig{
		Torrents:  DefaultTorrents,
		Peers:     DefaultPeers,
		ScrapeMax: DefaultScrapeMax,
		Seed:      DefaultSeed,
	}
}

// Workload is the simulated population: the torrents' info hashes, their
// popularity and the peers. It is built once by NewWorkload and only read
// afterwards, so it is safe for concurrent use.
type Workload struct {
	// Hashes are the torrents' info hashes, most popular first.
	Hashes [][20]byte
	// Pop draws torrent indices by popularity (PopularityWeights).
	Pop *Alias

	peers  []peerSpec
	scrape []uint32 // scrape lists of all peers, back to back
}

// peerSpec is one simulated peer, 12 bytes: 2M of them are 24 MB.
type peerSpec struct {
	torrent   uint32 // announced torrent
	scrapeOff uint32 // its scrape list is scrape[scrapeOff:][:nScrape]
	port      uint16 // announced port, never 0
	nScrape   uint8
}

// Peer is one simulated peer as a generator sees it. Scrape aliases the
// Workload and must not be modified.
type Peer struct {
	Torrent int      // index into Workload.Hashes of the torrent it announces
	Port    uint16   // the port it announces
	Scrape  []uint32 // indices of the distinct torrents it scrapes (1 to ScrapeMax)
}

var errBadWorkload = errors.New("bench: workload needs torrents > 0, peers > 0 and 1 <= scrape max <= 255")

// NewWorkload builds the workload for cfg. The defaults take about half a
// second and 70 MB.
func NewWorkload(cfg WorkloadConfig) (*Workload, error) {
	if cfg.Torrents <= 0 || cfg.Peers <= 0 || cfg.ScrapeMax < 1 || cfg.ScrapeMax > 255 ||
		cfg.Torrents > 1<<31 || cfg.Peers > 1<<31 {
		return nil, errBadWorkload
	}
	pop, err := NewAlias(PopularityWeights(cfg.Torrents, cfg.Peers))
	if err != nil {
		return nil, err
	}
	w := &Workload{
		Hashes: make([][20]byte, cfg.Torrents),
		Pop:    pop,
		peers:  make([]peerSpec, cfg.Peers),
		scrape: make([]uint32, 0, cfg.Peers*(cfg.ScrapeMax+1)/2),
	}
	hr := rand.New(rand.NewPCG(cfg.Seed, 1))
	for i := range w.Hashes {
		for j := 0; j < 20; j += 8 {
			v := hr.Uint64()
			for k := j; k < min(j+8, 20); k++ {
				w.Hashes[i][k] = byte(v)
				v >>= 8
			}
		}
	}
	pr := rand.New(rand.NewPCG(cfg.Seed, 2))
	for i := range w.peers {
		n := 1 + pr.IntN(cfg.ScrapeMax)
		off := len(w.scrape)
		for len(w.scrape)-off < n {
			// Distinct torrents: a client never scrapes one twice in a
			// request, and BEP 15 answers in request order, one entry each.
			t := uint32(pop.Sample(pr))
			if !slices.Contains(w.scrape[off:], t) {
				w.scrape = append(w.scrape, t)
			}
		}
		w.peers[i] = peerSpec{
			torrent:   uint32(pop.Sample(pr)),
			scrapeOff: uint32(off),
			port:      uint16(1 + pr.IntN(65535)),
			nScrape:   uint8(n),
		}
	}
	return w, nil
}

// NumPeers returns the number of simulated peers.
func (w *Workload) NumPeers() int { return len(w.peers) }

// Peer returns peer i, 0 <= i < NumPeers.
func (w *Workload) Peer(i int) Peer {
	p := &w.peers[i]
	return Peer{
		Torrent: int(p.torrent),
		Port:    p.port,
		Scrape:  w.scrape[p.scrapeOff : p.scrapeOff+uint32(p.nScrape) : p.scrapeOff+uint32(p.nScrape)],
	}
}

// WriteHexHashes writes the first n info hashes (all if n <= 0), one
// lowercase hex line each: the whitelist format of opentracker.
func (w *Workload) WriteHexHashes(dst io.Writer, n int) error {
	if n <= 0 || n > len(w.Hashes) {
		n = len(w.Hashes)
	}
	line := make([]byte, 0, 64*1024)
	for i := range n {
		line = hex.AppendEncode(line, w.Hashes[i][:])
		line = append(line, '\n')
		if len(line) > 60*1024 || i == n-1 {
			if _, err := dst.Write(line); err != nil {
				return err
			}
			line = line[:0]
		}
	}
	return nil
}
