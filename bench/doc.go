// Package bench measures trackers from the outside: load models, protocol
// clients, ceiling servers and the side-by-side runner behind `make bench`.
//
// The workload is the one of the aquatic load testers (aquatic_udp_load_test,
// aquatic_http_load_test, aquatic_ws_load_test), so that figures compare:
// 1,000,000 torrents, 2,000,000 simulated peers, each with one torrent to
// announce and 1 to 10 to scrape, torrents drawn from the popularity
// w(i) = torrents/peers + exp(6.5 − 500·i/torrents) through an alias table,
// with a fixed seed. See Workload, PopularityWeights and Alias.
//
// Load generators (LoadUDP, LoadHTTP, LoadWS) keep a fixed number of
// requests in flight for a warm-up and then a fixed duration, validate every
// response (transaction ids, actions, bencode, JSON) and count what fails:
// errors, invalid replies, timeouts and late replies are never ignored. A
// Result holds the totals, the rates by response type, the generator's and
// (given its PID) the server's CPU use, and one Sample per second.
//
// The ceiling servers (ServeUDPCeiling, ServeHTTPCeiling) answer valid
// replies without keeping any state: they show what the machine and the
// generator allow. Fill announces N distinct peers for the memory rows.
// Run is the side-by-side runner: it starts each tracker pinned to one CPU,
// the generator pinned to another, in interleaved rounds, and prints
// Markdown tables (FormatLoadTable, FormatMemoryTable).
//
// bench talks to trackers over sockets only. It imports codec/udp for the
// wire format and never engine or swarm (STYLE.md §1); x/sys/unix gives it
// sendmmsg and recvmmsg, gobwas/ws the masking of WebSocket frames. Its
// WebTorrent JSON reader and writer are its own, held to encoding/json by
// FuzzParseWT (its benchmarks build a tracker's messages with codec/wt).
//
// Memory: a Workload is built once and only read afterwards. Generators own
// their sockets and buffers; nothing they return aliases them.
//
// Concurrency: a Workload is safe for concurrent reads. Each generator runs
// its own goroutines and returns when its duration is over; counters are
// atomics read by one sampling goroutine. The WebSocket generator runs
// its browsers on one epoll loop per CPU (wsloop.go), as a browser's event
// loop does: a goroutine per connection cost more than the tracker did.
// Nothing here is on trackerd's hot path, so allocation is kept low only
// where it would slow the generator.
package bench
