// Package peerid names the BitTorrent client behind a peer_id, from the
// conventions clients follow for its first bytes (BEP 20):
//
//   - Azureus style: '-', a two- or three-letter client code, four version
//     characters, '-' ("-qB4520-" is qBittorrent 4.5.2, "-TR3000-"
//     Transmission 3.00, "-lt0D60-" libTorrent 0.13.6);
//   - Mainline style: a letter, then version numbers separated by '-'
//     ("M7-4-3--" is BitTorrent 7.4.3), and aria2's "A2-1-36-0-";
//   - Shadow style: a letter, then up to five base-64 version characters
//     ended by '-' ("T03I--" is BitTornado 0.3.18).
//
// Prefix keeps the bytes of a peer_id that say the client and its version
// and zeroes the rest (which is random), so that the tracker can count
// announces by client in a small fixed table; Name and AppendName turn a
// peer_id, or its Prefix, into a readable name such as "qBittorrent 4.5.2".
//
// Memory: Prefix returns a value and never allocates. AppendName appends to
// dst; Name allocates its result. Neither keeps a reference to its input.
//
// Concurrency: no mutable package state; every function is safe for
// concurrent use.
//
// Spec: https://www.bittorrent.org/beps/bep_0020.html and
// https://wiki.theory.org/BitTorrentSpecification#peer_id
package peerid
