// Package wt decodes and encodes WebTorrent tracker messages: the JSON that
// WebTorrent clients and trackers exchange in WebSocket text frames to
// announce, relay WebRTC offers and answers between peers, and scrape.
//
// Spec: there is none beyond the reference implementation, the npm package
// bittorrent-tracker (v11.2.3 was read: server.js _onWebSocketRequest,
// lib/server/parse-websocket.js, lib/server/swarm.js, and the client,
// lib/client/websocket-tracker.js and client.js); the project's
// PROTOCOL.md, "WebTorrent over WebSocket", lists the shapes. Comments cite
// those files by line. JSON is RFC 8259; WebSocket text is UTF-8
// (RFC 6455 §5.6, §8.1). testdata/gen.mjs builds the fixtures as that
// client and server build their messages.
//
// Ids (info_hash, peer_id, offer_id, to_peer_id) are JS "binary strings":
// 20 characters U+0000-U+00FF, one per byte, carried as UTF-8 JSON strings
// (bytes 0x80-0xFF as two bytes, control characters escaped). Parse decodes
// them straight into [20]byte; AppendBinaryString writes them as
// JSON.stringify does.
//
// Memory: Request.Parse fills a caller-owned Request without encoding/json,
// reflection or allocation. The raw offer and answer objects it returns
// (Offer.SDP, Request.Answer) alias the input and are valid until the
// caller reuses it; nothing else is retained. AppendX functions append to
// dst and return the extended slice; pass buf[:0] to reuse a buffer; they
// allocate only when dst lacks capacity.
//
// Concurrency: the package has no mutable state. A Request belongs to one
// goroutine (an event loop); never share it. The error sentinels are
// immutable and safe for concurrent use.
//
// Allocation: Parse, every Append function with a large enough dst, and
// FailureReason on a sentinel allocate nothing; alloc_test.go asserts it.
// Parse is a single pass, linear in the input and iterative: nesting is
// bounded by MaxDepth and costs no stack.
//
// # Validation
//
// Parse accepts only well-formed JSON in valid UTF-8, so whatever it
// accepts, encoding/json and browsers accept too, and a relayed offer or
// answer is always valid JSON in a valid text frame. FuzzParse checks this
// against encoding/json, as well as agreement on every decoded value.
//
// # For the engine
//
// Parse returns only sentinels of type *Error, whose text is a readable
// failure reason (FailureReason). To answer a bad message the way
// bittorrent-tracker's client can show it, send
// AppendFailure(dst, FailureReason(err), r.Action, r.FailureInfoHash()):
// the client only displays announce failures that carry its info_hash, and
// closes the socket on a message without "action" (see AppendFailure).
//
// What the reference server does with a parsed announce
// (server.js:486-573, swarm.js): the peer is keyed by peer_id within the
// swarm; the reply (AppendAnnounceReply) is sent unless the announce
// carries an answer; each offer goes to a different random peer of the
// swarm, never the announcer, one AppendOffer each, up to the number of
// offers; an answer goes to the connection of peer ToPeerID in the same
// swarm (AppendAnswer), silently dropped if that peer is gone. An announce
// that carries only an answer still counts as an announce without event
// (the answerer joins the swarm as a leecher if unknown). On close, every
// peer the connection announced is removed (server.js:580-596).
package wt
