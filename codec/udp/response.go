package udp

import "encoding/binary"

// Reply sizes (BEP 15).
const (
	// ConnectReplySize is the size of a connect reply:
	// action u32 | transaction_id u32 | connection_id u64.
	ConnectReplySize = 16

	// AnnounceReplyHeaderSize is the size of an announce reply before its
	// peers: action | transaction_id | interval | leechers | seeders.
	AnnounceReplyHeaderSize = 20

	// ScrapeReplyHeaderSize is the size of a scrape reply before its
	// entries, and of an error reply before its message.
	ScrapeReplyHeaderSize = 8

	// ScrapeEntrySize is the size of one scrape reply entry:
	// seeders | completed | leechers.
	ScrapeEntrySize = 12

	// PeerSizeV4 is the size of a compact IPv4 peer: address and port.
	PeerSizeV4 = 6

	// PeerSizeV6 is the size of a compact IPv6 peer: address and port.
	PeerSizeV6 = 18
)

// AppendConnect appends a connect reply (BEP 15 "Connect"), 16 bytes.
func AppendConnect(dst []byte, txID uint32, connID uint64) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(ActionConnect))
	dst = binary.BigEndian.AppendUint32(dst, txID)
	return binary.BigEndian.AppendUint64(dst, connID)
}

// AppendAnnounce appends an announce reply (BEP 15 "Announce"): a 20-byte
// header and then peers, which is compact: 6 bytes per IPv4 peer or 18 per
// IPv6 peer, the family of the socket the request came in on. The caller
// bounds len(peers) so the datagram fits its MTU.
func AppendAnnounce(dst []byte, txID, intervalSec, leechers, seeders uint32, peers []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(ActionAnnounce))
	dst = binary.BigEndian.AppendUint32(dst, txID)
	dst = binary.BigEndian.AppendUint32(dst, intervalSec)
	dst = binary.BigEndian.AppendUint32(dst, leechers)
	dst = binary.BigEndian.AppendUint32(dst, seeders)
	return append(dst, peers...)
}

// AppendScrapeHeader appends the 8-byte header of a scrape reply (BEP 15
// "Scrape"). Follow it with one AppendScrapeEntry per requested info hash,
// in request order.
func AppendScrapeHeader(dst []byte, txID uint32) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(ActionScrape))
	return binary.BigEndian.AppendUint32(dst, txID)
}

// AppendScrapeEntry appends one 12-byte scrape reply entry. The order is
// BEP 15's: seeders, completed, leechers. Unknown info hashes get zeros.
func AppendScrapeEntry(dst []byte, seeders, completed, leechers uint32) []byte {
	dst = binary.BigEndian.AppendUint32(dst, seeders)
	dst = binary.BigEndian.AppendUint32(dst, completed)
	return binary.BigEndian.AppendUint32(dst, leechers)
}

// AppendError appends an error reply (BEP 15 "Errors"): action 3, txID and
// msg, without a terminating NUL. Before the connection id is verified the
// engine must truncate msg so the reply is no longer than the request.
func AppendError(dst []byte, txID uint32, msg string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(ActionError))
	dst = binary.BigEndian.AppendUint32(dst, txID)
	return append(dst, msg...)
}

// Response is one decoded tracker reply, the client side of the Append
// functions, for tests and the load generator. Parse overwrites every field.
// Its slices alias the parsed input and are valid until that buffer is
// reused. A Response is owned by one goroutine; never share it.
type Response struct {
	Action   Action
	TxID     uint32
	ConnID   uint64 // connect
	Interval uint32 // announce, in seconds
	Leechers uint32 // announce
	Seeders  uint32 // announce
	Peers    []byte // announce: compact peers; aliases the input
	Scrape   []byte // scrape: ScrapeEntrySize bytes per info hash; aliases the input
	Message  []byte // error: the message; aliases the input
}

// Parse decodes the reply b into p. peerSize is PeerSizeV4 or PeerSizeV6,
// the family of the socket the reply came in on (BEP 15 "IPv6"); any other
// value is a programming error and panics. Bytes after a connect reply's 16
// are ignored. The slices in p alias b. Parse does not allocate.
//
// On error p.Action and p.TxID are set when b has at least 8 bytes, and the
// other fields are zero.
func (p *Response) Parse(b []byte, peerSize int) error {
	if peerSize != PeerSizeV4 && peerSize != PeerSizeV6 {
		panic("BUG: udp: Response.Parse peerSize must be 6 or 18")
	}
	*p = Response{}
	if len(b) < ScrapeReplyHeaderSize {
		return ErrShortPacket
	}
	p.Action = Action(binary.BigEndian.Uint32(b[0:4]))
	p.TxID = binary.BigEndian.Uint32(b[4:8])
	switch p.Action {
	case ActionConnect:
		if len(b) < ConnectReplySize {
			return ErrShortPacket
		}
		p.ConnID = binary.BigEndian.Uint64(b[8:16])
	case ActionAnnounce:
		if len(b) < AnnounceReplyHeaderSize {
			return ErrShortPacket
		}
		peers := b[AnnounceReplyHeaderSize:len(b):len(b)]
		if len(peers)%peerSize != 0 {
			return ErrBadPeerLength
		}
		p.Interval = binary.BigEndian.Uint32(b[8:12])
		p.Leechers = binary.BigEndian.Uint32(b[12:16])
		p.Seeders = binary.BigEndian.Uint32(b[16:20])
		p.Peers = peers
	case ActionScrape:
		entries := b[ScrapeReplyHeaderSize:len(b):len(b)]
		if len(entries)%ScrapeEntrySize != 0 {
			return ErrBadScrapeLength
		}
		p.Scrape = entries
	case ActionError:
		p.Message = b[ScrapeReplyHeaderSize:len(b):len(b)]
	default:
		return ErrUnknownAction
	}
	return nil
}

// NScrape returns the number of entries in a scrape reply.
func (p *Response) NScrape() int {
	return len(p.Scrape) / ScrapeEntrySize
}

// ScrapeEntry returns entry i of a scrape reply; it panics if i is out of
// range [0, NScrape()).
func (p *Response) ScrapeEntry(i int) (seeders, completed, leechers uint32) {
	e := p.Scrape[i*ScrapeEntrySize : (i+1)*ScrapeEntrySize]
	return binary.BigEndian.Uint32(e[0:4]), binary.BigEndian.Uint32(e[4:8]), binary.BigEndian.Uint32(e[8:12])
}
