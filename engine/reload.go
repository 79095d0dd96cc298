package engine

import "time"

// settings are what a reload may change while requests are served. A
// reload builds a new value and swaps the pointer (Engine.live); workers
// load it once per request, so they see either the old settings or the new
// ones, never a mix. Immutable once stored.
type settings struct {
	access *accessList // nil: access.mode off

	intervalSec, minIntervalSec uint32 // tracker.announce_interval, min_interval
	maxScrape                   int    // tracker.max_scrape

	httpIdleSec, httpHeaderSec uint32 // http.idle_timeout, header_timeout
	maxConns                   int64  // http.max_connections
	maxPending                 int    // http.max_pending

	wtIntervalSec int    // webtorrent.announce_interval
	wsIdleSec     uint32 // webtorrent.idle_timeout
	wsWriteDelay  int64  // webtorrent.write_delay, ns
}

func newSettings(c *Config, a *accessList) *settings {
	return &settings{
		access:         a,
		intervalSec:    uint32(c.Tracker.AnnounceInterval / time.Second),
		minIntervalSec: uint32(c.Tracker.MinInterval / time.Second),
		maxScrape:      c.Tracker.MaxScrape,
		httpIdleSec:    uint32(c.HTTP.IdleTimeout / time.Second),
		httpHeaderSec:  uint32(c.HTTP.HeaderTimeout / time.Second),
		maxConns:       int64(c.HTTP.MaxConnections),
		maxPending:     c.HTTP.MaxPending,
		wtIntervalSec:  int(c.WebTorrent.AnnounceInterval / time.Second),
		wsIdleSec:      uint32(c.WebTorrent.IdleTimeout / time.Second),
		wsWriteDelay:   int64(c.WebTorrent.WriteDelay),
	}
}

// LiveKeys are the TOML keys of Config that Reload applies to a running
// engine. Every other key of Config takes effect at the next start.
var LiveKeys = []string{
	"access.mode", "access.file",
	"tracker.announce_interval", "tracker.min_interval", "tracker.max_scrape",
	"http.idle_timeout", "http.header_timeout", "http.max_connections", "http.max_pending",
	"webtorrent.announce_interval", "webtorrent.idle_timeout", "webtorrent.write_delay",
}

// Reload validates cfg and applies its live settings (LiveKeys) to the
// running engine, for the requests that follow. The access list file is
// read again even when cfg names the same file. On any error nothing is
// applied and the engine keeps its settings. Other fields of cfg are
// ignored: they need a restart. Safe for concurrent use; reloads are
// serialised.
//
// A new access list is also applied to the swarm tables: the janitor drops
// the torrents it refuses, in bounded steps, within seconds.
func (e *Engine) Reload(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := loadAccess(cfg.Access)
	if err != nil {
		return err
	}
	e.reloadMu.Lock()
	e.live.Store(newSettings(&cfg, a))
	if a != nil {
		e.accessGen.Add(1) // the janitor sweeps the tables against the new list
	}
	e.reloadMu.Unlock()
	if a != nil {
		e.log.Info("access list loaded", "mode", cfg.Access.Mode, "file", cfg.Access.File, "hashes", a.list.Len())
	}
	return nil
}

// AccessLen returns how many info hashes the access list in force holds, or
// -1 when access.mode is off.
func (e *Engine) AccessLen() int {
	if a := e.live.Load().access; a != nil {
		return a.list.Len()
	}
	return -1
}
