// Package engine runs trackerd's sockets: per-CPU UDP workers (BEP 15), the
// admin listener, the coarse clock and the swarm janitor. It translates the
// plain values decoded by codec into swarm calls and writes the replies.
//
// Request flow (UDP, default "mmsg" backend): one OS thread per CPU, pinned
// with sched_setaffinity, owns one SO_REUSEPORT socket per listen address,
// reads a batch with recvmmsg (udp_mmsg.go), parses and applies each
// datagram (udp_handler.go: codec/udp.Request.Parse, then swarm.Table), and
// answers the batch with one sendmmsg. No channel hop, no allocation per
// request. With udp.steer = "incoming-cpu" each socket carries
// SO_INCOMING_CPU, so the kernel hands a datagram to the worker of the CPU
// that received it. The "gnet" backend (udp_gnet.go) drives the same handler from
// gnet event loops so the two can be compared.
//
// Memory: each worker owns its buffers, its codec structs and its counters;
// nothing on the hot path is shared but the swarm table, whose shard locks
// are held only while copying.
//
// Concurrency: Engine methods are safe for concurrent use. Workers never
// touch each other's state. Counters (by address family, and announces by
// client) have one writer (their worker) and are read with atomic loads by
// the admin side: the Prometheus collector (metrics.go) and the stats page
// (stats.go) sum them when asked, never on the request path.
package engine
