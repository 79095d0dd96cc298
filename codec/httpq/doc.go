// Package httpq frames HTTP/1.1 requests for a tracker's event loop and
// decodes BitTorrent announce and scrape queries: Request.Parse reads one
// request head from the start of a connection's inbound bytes,
// Announce.ParseQuery and Scrape.ParseQuery decode Request.Query straight
// into fixed arrays, and AppendResponseHead writes a response head.
//
// Spec: RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 (semantics) for
// framing; BEP 3 (announce), BEP 7 (ipv4/ipv6), BEP 21 (event=paused),
// BEP 23 (compact) and BEP 48 (scrape) for queries:
// https://www.bittorrent.org/beps/bep_0003.html and its neighbours.
//
// Streaming: Parse works on whatever bytes the connection has buffered
// (gnet: Peek all, Parse, Discard n). An incomplete head is ErrNeedMore and
// consumes nothing; pipelined requests are parsed one per call, each
// reporting its length. Limits (MaxRequestLine, MaxHeaderBytes,
// MaxHeaderLines) are enforced as soon as that much has arrived, so a client
// cannot make a connection buffer more than one head's worth. Malformed
// heads are reported once complete; binary junk in place of a method at
// once. The head must be contiguous in one slice.
//
// Memory: the caller owns everything. Request's slices alias the parsed
// buffer and are valid until the caller discards those bytes; Announce and
// Scrape hold only fixed-size arrays (comparable with ==) and keep no
// reference to the query. AppendX functions append to dst and return the
// extended slice; pass buf[:0] to reuse a buffer.
//
// Concurrency: the package has no mutable state. A Request, Announce or
// Scrape belongs to one goroutine (an event loop); never share it. The error
// sentinels are immutable and safe for concurrent use.
//
// Allocation: Parse, ParseLimits, both ParseQuery methods, Status and
// ErrorMessage on a sentinel, and the AppendX functions with a large enough
// dst allocate nothing; alloc_test.go asserts it.
//
// # Errors, for the engine
//
// Every error is a package-level *Error sentinel, and Status(err) says how
// to answer it:
//
//   - 0: ErrNeedMore. Wait for more bytes.
//   - 400, 414, 431, 501: framing errors from Parse. Answer with that status
//     (AppendResponseHead, keepAlive false) and close the connection: the
//     stream position of the next request is unknown.
//   - 405: ErrMethodNotAllowed, after a complete, valid head (r is filled).
//     Answer 405 (the Allow header is added) and close, unless
//     r.ContentLength <= 0 and r.KeepAlive, in which case the engine may
//     discard r.HeadLen bytes and go on.
//   - 200: query errors from ParseQuery. Answer HTTP 200 with a bencoded
//     "failure reason" (ErrorMessage) so the client shows it (BEP 3); the
//     connection stays usable.
//
// # Decoding rules, in short
//
// Line endings CRLF or bare LF. Header names case-insensitive. One Host
// line at most; last value of every other header kept (X-Forwarded-For:
// the last line, see Request). Any Transfer-Encoding is refused. In queries
// '+' is a literal byte, not a space (see Announce.ParseQuery for the
// evidence from clients), unknown parameters are ignored, and the last of
// repeated parameters wins.
package httpq
