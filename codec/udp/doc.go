// Package udp encodes and decodes the BEP 15 UDP tracker protocol
// (connect, announce, scrape, error) and the BEP 41 announce options
// (EndOfOptions, NOP, URLData; unknown options are skipped).
//
// Spec: https://www.bittorrent.org/beps/bep_0015.html (wire format) and
// https://www.bittorrent.org/beps/bep_0041.html (announce options).
//
// Memory: Request.Parse fills a caller-owned Request, never allocates and
// keeps no reference to its input. A Request holds only fixed-size arrays,
// so it is comparable with ==; Request.URLData aliases the Request.
// Response.Parse (client side) returns slices that alias its input. AppendX
// functions append to dst and return the extended slice; pass buf[:0] to
// reuse a buffer; they allocate only when dst lacks capacity.
//
// Concurrency: the package has no mutable state. A Request or Response
// belongs to one goroutine (an event loop or a UDP worker); never share it.
// The error sentinels are immutable and safe for concurrent use.
//
// Allocation: Parse, every Append function with a large enough dst,
// and ErrorMessage on a sentinel allocate nothing; alloc_test.go
// asserts it.
//
// # Errors, for the engine
//
// Parse returns only package-level sentinels of type *Error; nothing is
// formatted per packet. When it returns an error, r.ConnID, r.Action and
// r.TxID hold the decoded header if the packet had one (16 bytes or more
// and at most MaxPacketSize), and every other field is zero.
//
// Every sentinel's text is short and safe to send as the message of an
// action-3 error reply (ErrorMessage). Whether to answer is the engine's
// policy, not the codec's: trackerd answers a request only once its
// connection id is verified, so a spoofed source can never turn it into a
// reflector, and drops a connect with the wrong protocol id.
package udp
