package bencode

import (
	"encoding/binary"
	"net/netip"
)

// Peer record sizes.
const (
	// PeerSizeV4 is the size of a compact IPv4 peer (BEP 23): 4 address
	// bytes and a big-endian port.
	PeerSizeV4 = 6

	// PeerSizeV6 is the size of a compact IPv6 peer (BEP 7): 16 address
	// bytes and a big-endian port.
	PeerSizeV6 = 18

	// PeerIDSize is the size of a peer id (BEP 3).
	PeerIDSize = 20
)

// maxAddrText is the longest text netip.Addr.AppendTo writes for an address
// without a zone (an IPv4-mapped IPv6 address in dotted form).
const maxAddrText = len("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")

// Announce is an announce response (BEP 3 "Trackers"), the input of
// AppendAnnounce. Keys are written in bencode's sorted (raw byte) order:
// complete, downloaded, external ip, incomplete, interval, min interval,
// peers, peers6, warning message.
//
// The slices are borrowed: AppendAnnounce only reads them and keeps no
// reference. An Announce is owned by its caller (typically an event loop's
// scratch); AppendAnnounce never writes to it, so concurrent encodes of one
// Announce are safe while nobody modifies it.
type Announce struct {
	Complete   int64 // seeders
	Downloaded int64 // times completed
	Incomplete int64 // leechers

	Interval    int64 // seconds
	MinInterval int64 // seconds; <= 0 omits "min interval"

	// ExternalIP is the client's address as the tracker saw it (BEP 24):
	// 4 or 16 raw bytes; nil or empty omits "external ip". Any other length
	// panics.
	ExternalIP []byte

	// Compact selects the peer format. True (compact=1, BEP 23/7): "peers"
	// is Peers4 as one string and "peers6" is Peers6 as one string. False
	// (compact=0, BEP 3): "peers" is a list of dicts and PeerIDs4/PeerIDs6
	// are used.
	Compact bool

	Peers4 []byte // compact IPv4 peers, PeerSizeV4 bytes each; other lengths panic
	Peers6 []byte // compact IPv6 peers, PeerSizeV6 bytes each; other lengths panic

	// PeerIDs4 and PeerIDs6 are used only when Compact is false: PeerIDSize
	// bytes per peer, parallel to Peers4 and Peers6. Nil or empty omits
	// "peer id" from every dict of that family (no_peer_id=1, or the ids
	// are not kept); any other length than one id per peer panics.
	PeerIDs4 []byte
	PeerIDs6 []byte

	WarningMessage string // "" omits "warning message"
}

// AppendAnnounce appends a as a bencoded announce response and returns the
// extended slice. It does not allocate when dst has the capacity.
//
// Compact (BEP 23, BEP 7): "peers" is always present, "0:" when Peers4 is
// empty, because clients that find no "peers" key fail the whole reply;
// "peers6" is present only when Peers6 is non-empty (BEP 7 makes it
// optional, and libtorrent and Transmission read it only if present).
//
// Non-compact (BEP 3): "peers" is a list of dicts {"ip": address as text,
// "peer id": 20 bytes (when ids are given), "port": integer}, IPv4 peers
// first and then IPv6 peers ("2001:db8::1"), and there is no "peers6". An
// IPv4-mapped IPv6 peer is written as IPv4 text, which any client can dial.
// A dict takes 30 to 90 bytes (64 for an IPv4 peer with its id), against 6
// or 18 in compact form; size dst for it.
//
// A malformed Announce (see the field comments) panics with "BUG: ".
func AppendAnnounce(dst []byte, a *Announce) []byte {
	a.check()
	dst = append(dst, "d8:complete"...)
	dst = AppendInt(dst, a.Complete)
	dst = append(dst, "10:downloaded"...)
	dst = AppendInt(dst, a.Downloaded)
	if len(a.ExternalIP) > 0 {
		dst = append(dst, "11:external ip"...)
		dst = AppendString(dst, a.ExternalIP)
	}
	dst = append(dst, "10:incomplete"...)
	dst = AppendInt(dst, a.Incomplete)
	dst = append(dst, "8:interval"...)
	dst = AppendInt(dst, a.Interval)
	if a.MinInterval > 0 {
		dst = append(dst, "12:min interval"...)
		dst = AppendInt(dst, a.MinInterval)
	}
	dst = append(dst, "5:peers"...)
	if a.Compact {
		dst = AppendString(dst, a.Peers4)
		if len(a.Peers6) > 0 {
			dst = append(dst, "6:peers6"...)
			dst = AppendString(dst, a.Peers6)
		}
	} else {
		dst = append(dst, 'l')
		dst = appendPeerDicts(dst, a.Peers4, a.PeerIDs4, PeerSizeV4)
		dst = appendPeerDicts(dst, a.Peers6, a.PeerIDs6, PeerSizeV6)
		dst = append(dst, 'e')
	}
	if a.WarningMessage != "" {
		dst = append(dst, "15:warning message"...)
		dst = AppendStringS(dst, a.WarningMessage)
	}
	return append(dst, 'e')
}

// appendPeerDicts appends one BEP 3 peer dict per compact peer in peers
// (size bytes each), with ids[i*PeerIDSize:] as "peer id" unless ids is
// empty. Keys in sorted order: ip, peer id, port.
func appendPeerDicts(dst, peers, ids []byte, size int) []byte {
	var text [maxAddrText]byte // stack array: keeps the address text off the heap
	for i := 0; len(peers) >= size; i++ {
		p := peers[:size]
		peers = peers[size:]
		var addr netip.Addr
		if size == PeerSizeV4 {
			addr = netip.AddrFrom4([4]byte(p))
		} else {
			addr = netip.AddrFrom16([16]byte(p)).Unmap()
		}
		dst = append(dst, "d2:ip"...)
		dst = AppendString(dst, addr.AppendTo(text[:0]))
		if len(ids) > 0 {
			dst = append(dst, "7:peer id20:"...)
			dst = append(dst, ids[i*PeerIDSize:(i+1)*PeerIDSize]...)
		}
		dst = append(dst, "4:port"...)
		dst = AppendInt(dst, int64(binary.BigEndian.Uint16(p[size-2:])))
		dst = append(dst, 'e')
	}
	return dst
}

// check panics if a is malformed: a caller bug, never client input. The
// messages are constants, so a check that passes costs a few compares.
func (a *Announce) check() {
	if len(a.Peers4)%PeerSizeV4 != 0 {
		panic("BUG: bencode: Announce.Peers4 is not a whole number of 6-byte peers")
	}
	if len(a.Peers6)%PeerSizeV6 != 0 {
		panic("BUG: bencode: Announce.Peers6 is not a whole number of 18-byte peers")
	}
	if n := len(a.ExternalIP); n != 0 && n != 4 && n != 16 {
		panic("BUG: bencode: Announce.ExternalIP is not 4 or 16 bytes")
	}
	if a.Compact {
		return
	}
	if n := len(a.PeerIDs4); n != 0 && n != len(a.Peers4)/PeerSizeV4*PeerIDSize {
		panic("BUG: bencode: Announce.PeerIDs4 does not hold one 20-byte id per peer")
	}
	if n := len(a.PeerIDs6); n != 0 && n != len(a.Peers6)/PeerSizeV6*PeerIDSize {
		panic("BUG: bencode: Announce.PeerIDs6 does not hold one 20-byte id per peer")
	}
}
