// Package bencode writes the bencoded bodies of HTTP tracker responses
// (announce, scrape, failure) and decodes bencode strictly, for tests,
// fuzzing and the load generator's validation.
//
// Spec: https://www.bittorrent.org/beps/bep_0003.html (bencode, announce
// response), bep_0023 (compact "peers"), bep_0007 ("peers6"), bep_0024
// ("external ip"), bep_0031 ("retry in") and bep_0048 (scrape), all on
// https://www.bittorrent.org/beps/.
//
// The encoders are specific, not generic (STYLE §4): each writes its keys
// in bencode's sorted raw-byte order from constants, with no reflection and
// no interfaces. Decode is the only generic piece, and only reads.
//
// Memory: AppendX functions append to dst and return the extended slice;
// pass buf[:0] to reuse a buffer. They keep no reference to their arguments.
// AppendScrape sorts the caller's files slice in place. Decode copies what
// it returns and keeps no reference to its input.
//
// Concurrency: the package has no mutable state. The encoders only read
// their arguments (except AppendScrape, which reorders files), so the same
// Announce may be encoded by several goroutines while nobody writes to it.
// The error sentinels are immutable and safe for concurrent use.
//
// Allocation: every Append function allocates nothing when dst has the
// capacity for the result (alloc_test.go asserts it); otherwise append grows
// dst as usual. Decode allocates its result.
//
// # Wire decisions
//
//   - Compact announce: "peers" is always present, as an empty string when
//     there are no IPv4 peers. Without it uTorrent 2.x reports "no peers
//     field", and libtorrent up to 1.0 failed a reply that had neither
//     "peers" nor "peers6" ("missing 'peers' and 'peers6' entry").
//     "peers6" is written only when there are IPv6 peers: BEP 7 makes it
//     optional and libtorrent and Transmission both treat it so, and an empty
//     one would cost 10 bytes on every IPv4-only reply.
//   - Non-compact announce (compact=0): "peers" is one list of dicts with the
//     IPv4 peers first, then the IPv6 peers, the address as text; there is no
//     "peers6". An IPv4-mapped IPv6 address is written as IPv4 text, because
//     text carries no family and every client can dial the IPv4 form.
//   - Failure: BEP 31 "retry in" counts minutes, so AppendFailure rounds its
//     seconds argument up to whole minutes.
//
// # Errors
//
// Decode reports bad input with package-level sentinels of type *Error,
// wrapped with the byte offset where decoding stopped; test them with
// errors.Is. Encoders have no errors: a malformed Announce (a peer list that
// is not a whole number of peers, an external ip that is not 4 or 16 bytes)
// is a caller bug and panics with "BUG: ".
package bencode
