package udp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// header returns a 16-byte request header.
func header(connID uint64, action Action, txID uint32) []byte {
	b := binary.BigEndian.AppendUint64(nil, connID)
	b = binary.BigEndian.AppendUint32(b, uint32(action))
	return binary.BigEndian.AppendUint32(b, txID)
}

// cat joins byte slices into a new one.
func cat(parts ...[]byte) []byte {
	return slices.Concat(parts...)
}

// urlOpt returns one BEP 41 URLData option carrying s (at most 255 bytes).
func urlOpt(s string) []byte {
	return append([]byte{optionURLData, byte(len(s))}, s...)
}

// put32 returns a copy of b with v stored big-endian at off.
func put32(b []byte, off int, v uint32) []byte {
	c := slices.Clone(b)
	binary.BigEndian.PutUint32(c[off:], v)
	return c
}

// scrapePacket returns a scrape request with n hashes (hash i filled with
// byte i+1) and extra trailing bytes.
func scrapePacket(n, extra int) []byte {
	b := header(0x1122334455667788, ActionScrape, 0xabcd)
	for i := range n {
		b = append(b, bytes.Repeat([]byte{byte(i + 1)}, 20)...)
	}
	return append(b, bytes.Repeat([]byte{0xee}, extra)...)
}

// hash20 decodes 40 hex digits.
func hash20(tb testing.TB, s string) [20]byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 20 {
		tb.Fatalf("bad hash %q", s)
	}
	return [20]byte(b)
}

// withURL returns r with its URLData set to s.
func withURL(r Request, s string) Request {
	r.Announce.URLDataLen = uint16(copy(r.Announce.URLData[:], s))
	return r
}

// chunkedURL is the URLData of testdata/announce_bep41_chunked.hex.
func chunkedURL() string {
	var sb strings.Builder
	sb.WriteString("/announce?link=")
	for i := range 100 {
		fmt.Fprintf(&sb, "%02x", i)
	}
	sb.WriteString("&x=")
	sb.WriteString(strings.Repeat("y", 300-sb.Len()))
	return sb.String()
}

// dirty returns a Request that has just parsed a full scrape and holds stale
// state, to check that Parse zeroes what an earlier request left behind.
func dirty(tb testing.TB) *Request {
	tb.Helper()
	var r Request
	if err := r.Parse(scrapePacket(MaxScrapeHashes, 0)); err != nil {
		tb.Fatal(err)
	}
	return &r
}

// dirtyAnnounce returns a Request that has just parsed an announce with
// MaxURLData bytes of URLData.
func dirtyAnnounce(tb testing.TB) *Request {
	tb.Helper()
	var r Request
	long := cat(readHex(tb, "announce_v4.hex"),
		urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("cc"))
	if err := r.Parse(long); err != nil {
		tb.Fatal(err)
	}
	return &r
}

func TestParse_Fixtures(t *testing.T) {
	specBase := Request{
		ConnID: 0x0123456789abcdef,
		Action: ActionAnnounce,
		TxID:   0xd1f,
		Announce: Announce{
			InfoHash: hash20(t, "00112233445566778899aabbccddeeff00112233"),
			PeerID:   [20]byte([]byte("-UT3220-abcdefghijkl")),
			Left:     1024,
			Event:    EventNone,
			Key:      1,
			NumWant:  -1,
			Port:     6881,
		},
	}
	tests := []struct {
		file string
		want Request
		// canonical: AppendRequest reproduces the fixture byte for byte.
		canonical bool
	}{
		{
			file:      "connect_request.hex",
			want:      Request{ConnID: ProtocolID, Action: ActionConnect, TxID: 0x1a2b3c4d},
			canonical: true,
		},
		{
			file: "announce_v4.hex",
			want: Request{
				ConnID: 0x8c4f21a09d3e5b71,
				Action: ActionAnnounce,
				TxID:   0x5e6f7081,
				Announce: Announce{
					InfoHash: hash20(t, "d8a871a2d9b2d4fd1c6e2fc7e4e7b2f6a0d4c3b1"),
					PeerID:   [20]byte([]byte("-TR4060-k2j4h5g6f7d8")),
					Left:     1_000_000_000,
					Event:    EventStarted,
					Key:      0x9f1e2d3c,
					NumWant:  -1,
					Port:     51413,
				},
			},
			canonical: true,
		},
		{
			file: "announce_bep41.hex",
			want: withURL(Request{
				ConnID: 0x4f2b8e7a13c6d905,
				Action: ActionAnnounce,
				TxID:   0x0c0ffee1,
				Announce: Announce{
					InfoHash: hash20(t, "a3f1c2d4e5b60718293a4b5c6d7e8f9012345678"),
					PeerID:   [20]byte([]byte("-qB5010-Xy7Zq2Lm9Pw4")),
					Left:     6_000_000_000,
					Event:    EventStarted,
					Key:      0x6b8b4567,
					NumWant:  200,
					Port:     6881,
				},
			}, "/announce"),
			canonical: true,
		},
		{
			file: "announce_qbittorrent_4.5.2.hex",
			want: withURL(Request{
				ConnID: 0x9b41948b6252aa7e,
				Action: ActionAnnounce,
				TxID:   0x6f449209,
				Announce: Announce{
					InfoHash: hash20(t, "8e8899e08d34c3e51ad9b66a3e7092f7e6dd7f81"),
					PeerID:   [20]byte([]byte("-qB4520-J9d)lF9rDDQ3")),
					Left:     8 << 20,
					Event:    EventStarted,
					Key:      0x6483a93d,
					NumWant:  200,
					Port:     41777,
				},
			}, "/announce"),
			canonical: true,
		},
		{
			file: "announce_transmission_3.00.hex",
			want: Request{
				ConnID: 0x17afc4024c6386f3,
				Action: ActionAnnounce,
				TxID:   0x0c154281,
				Announce: Announce{
					InfoHash: hash20(t, "8e8899e08d34c3e51ad9b66a3e7092f7e6dd7f81"),
					PeerID:   [20]byte([]byte("-TR3000-4ntoymctoamj")),
					Event:    EventStarted,
					Key:      0x5ff6d31c,
					NumWant:  80,
					Port:     39825,
				},
			},
			canonical: true,
		},
		{file: "announce_bep41_spec_url.hex", want: withURL(specBase, "/dir?a=b&c=d"), canonical: true},
		{file: "announce_bep41_spec_padded.hex", want: withURL(specBase, "/dir?a=b&c=d")},
		{file: "announce_bep41_spec_empty.hex", want: specBase},
		{file: "announce_bep41_chunked.hex", want: withURL(specBase, chunkedURL())},
		{
			file: "scrape_3.hex",
			want: Request{
				ConnID: 0x8c4f21a09d3e5b71,
				Action: ActionScrape,
				TxID:   0x00c0ffee,
				Hashes: [MaxScrapeHashes][20]byte{
					hash20(t, "d8a871a2d9b2d4fd1c6e2fc7e4e7b2f6a0d4c3b1"),
					hash20(t, "a3f1c2d4e5b60718293a4b5c6d7e8f9012345678"),
					hash20(t, "00112233445566778899aabbccddeeff00112233"),
				},
				NHashes: 3,
			},
			canonical: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pkt := readHex(t, tt.file)
			for name, r := range map[string]*Request{"fresh": new(Request), "reused": dirty(t), "reusedAnnounce": dirtyAnnounce(t)} {
				if err := r.Parse(pkt); err != nil {
					t.Fatalf("%s: Parse: %v", name, err)
				}
				if *r != tt.want {
					t.Errorf("%s: Parse = %+v\nwant %+v", name, *r, tt.want)
				}
			}
			var r Request
			_ = r.Parse(pkt)
			enc := AppendRequest(nil, &r)
			if tt.canonical && !bytes.Equal(enc, pkt) {
				t.Errorf("AppendRequest = %x\nwant fixture %x", enc, pkt)
			}
			var r2 Request
			if err := r2.Parse(enc); err != nil || r2 != r {
				t.Errorf("re-Parse(AppendRequest) = %v, equal %v", err, r2 == r)
			}
		})
	}
}

func TestParse_Malformed(t *testing.T) {
	conn := readHex(t, "connect_request.hex")
	base := readHex(t, "announce_v4.hex")
	ann := func(opts ...byte) []byte { return cat(base, opts) }
	rep := func(c byte, n int) string { return strings.Repeat(string([]byte{c}), n) }
	nops := func(n int) []byte { return bytes.Repeat([]byte{optionNOP}, n) }

	tests := []struct {
		name string
		pkt  []byte
		err  error  // nil: parses
		url  string // want URLData when an announce parses
		nh   int    // want NHashes when a scrape parses
	}{
		// Any request.
		{name: "empty", pkt: nil, err: ErrShortPacket},
		{name: "one byte", pkt: []byte{0}, err: ErrShortPacket},
		{name: "15 bytes", pkt: conn[:15], err: ErrShortPacket},
		{name: "oversize connect", pkt: cat(conn, make([]byte, MaxPacketSize+1-16)), err: ErrOversize},
		{name: "oversize announce", pkt: ann(nops(MaxPacketSize + 1 - 98)...), err: ErrOversize},
		{name: "max size announce", pkt: ann(nops(MaxPacketSize - 98)...)},
		{name: "unknown action error", pkt: header(ProtocolID, ActionError, 1), err: ErrUnknownAction},
		{name: "unknown action opentracker ipv6", pkt: cat(header(7, 4, 1), make([]byte, 100)), err: ErrUnknownAction},
		{name: "unknown action max", pkt: header(7, 0xffffffff, 1), err: ErrUnknownAction},
		{name: "unknown action at max size", pkt: cat(header(7, 9, 1), make([]byte, MaxPacketSize-16)), err: ErrUnknownAction},

		// Connect.
		{name: "connect", pkt: conn},
		{name: "connect trailing bytes ignored", pkt: cat(conn, bytes.Repeat([]byte{0xff}, 10))},
		{name: "connect zero connection id", pkt: header(0, ActionConnect, 1), err: ErrProtocolID},
		{name: "connect protocol id off by one", pkt: header(ProtocolID+1, ActionConnect, 1), err: ErrProtocolID},
		{name: "connect protocol id byte-swapped", pkt: header(0x8019102717040000, ActionConnect, 1), err: ErrProtocolID},

		// Announce.
		{name: "announce header only", pkt: base[:16], err: ErrShortPacket},
		{name: "announce 97 bytes", pkt: base[:97], err: ErrShortPacket},
		{name: "announce 98 bytes", pkt: base},
		{name: "announce event stopped", pkt: put32(base, 80, uint32(EventStopped))},
		{name: "announce event 4", pkt: put32(base, 80, 4), err: ErrBadEvent},
		{name: "announce event max", pkt: put32(base, 80, 0xffffffff), err: ErrBadEvent},
		{name: "announce bad event checked before options", pkt: cat(put32(base, 80, 4), urlOpt(rep('a', 255)), urlOpt(rep('b', 255)), urlOpt("ccc")), err: ErrBadEvent},

		// BEP 41 options.
		{name: "EndOfOptions only", pkt: ann(optionEndOfOptions)},
		{name: "junk after EndOfOptions", pkt: ann(optionEndOfOptions, optionURLData, 0xff, 'x')},
		{name: "NOPs", pkt: ann(nops(3)...)},
		{name: "URLData", pkt: ann(urlOpt("/a")...), url: "/a"},
		{name: "URLData chunks concatenate", pkt: cat(base, urlOpt("/announce"), urlOpt("?passkey=x")), url: "/announce?passkey=x"},
		{name: "URLData empty chunks", pkt: cat(base, urlOpt(""), urlOpt(""), urlOpt("x"), urlOpt("")), url: "x"},
		{name: "URLData then EndOfOptions then URLData", pkt: cat(base, urlOpt("/a"), []byte{0}, urlOpt("/b")), url: "/a"},
		{name: "URLData 255 bytes", pkt: ann(urlOpt(rep('a', 255))...), url: rep('a', 255)},
		{name: "URLData MaxURLData bytes", pkt: cat(base, urlOpt(rep('a', 255)), urlOpt(rep('b', 255)), urlOpt("cc")), url: rep('a', 255) + rep('b', 255) + "cc"},
		{name: "URLData MaxURLData+1 bytes", pkt: cat(base, urlOpt(rep('a', 255)), urlOpt(rep('b', 255)), urlOpt("ccc")), err: ErrURLDataTooLong},
		{name: "URLData too long with NOP padding", pkt: cat(base, urlOpt(rep('a', 255)), nops(4), urlOpt(rep('b', 255)), urlOpt(rep('c', 255))), err: ErrURLDataTooLong},
		{name: "truncated: URLData type byte only", pkt: ann(optionURLData)},
		{name: "truncated: URLData data short", pkt: ann(optionURLData, 5, 'a', 'b')},
		{name: "truncated: second chunk dropped, first kept", pkt: cat(base, urlOpt("/a"), []byte{optionURLData, 9, 'b'}), url: "/a"},
		{name: "truncated chunk does not count toward MaxURLData", pkt: cat(base, urlOpt(rep('a', 255)), urlOpt(rep('b', 255)), []byte{optionURLData, 200, 'c'}), url: rep('a', 255) + rep('b', 255)},
		{name: "unknown option skipped", pkt: cat(base, []byte{7, 2, 0xaa, 0xbb}, urlOpt("abc")), url: "abc"},
		{name: "unknown option zero length", pkt: cat(base, []byte{9, 0}, urlOpt("a")), url: "a"},
		{name: "unknown option 0xff hides a 0x02 byte", pkt: cat(base, []byte{0xff, 1, optionURLData}, urlOpt("z")), url: "z"},
		{name: "truncated: unknown option type byte only", pkt: ann(7)},
		{name: "truncated: unknown option data short", pkt: cat(base, urlOpt("/k"), []byte{0x80, 10, 1, 2}), url: "/k"},

		// Scrape.
		{name: "scrape no hashes", pkt: scrapePacket(0, 0), err: ErrNoHashes},
		{name: "scrape 19 bytes of hash", pkt: scrapePacket(0, 19), err: ErrNoHashes},
		{name: "scrape one hash", pkt: scrapePacket(1, 0), nh: 1},
		{name: "scrape partial second hash", pkt: scrapePacket(1, 1), err: ErrBadScrapeLength},
		{name: "scrape 3 hashes and 19 bytes", pkt: scrapePacket(3, 19), err: ErrBadScrapeLength},
		{name: "scrape MaxScrapeHashes", pkt: scrapePacket(MaxScrapeHashes, 0), nh: MaxScrapeHashes},
		{name: "scrape MaxScrapeHashes+1", pkt: scrapePacket(MaxScrapeHashes+1, 0), err: ErrTooManyHashes},
		{name: "scrape MaxScrapeHashes and partial", pkt: scrapePacket(MaxScrapeHashes, 7), err: ErrBadScrapeLength},
		{name: "scrape beyond MaxPacketSize", pkt: scrapePacket(102, 0), err: ErrOversize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, r := range map[string]*Request{"fresh": new(Request), "reused": dirty(t), "reusedAnnounce": dirtyAnnounce(t)} {
				err := r.Parse(tt.pkt)
				if !errors.Is(err, tt.err) {
					t.Fatalf("%s: Parse = %v, want %v", name, err, tt.err)
				}
				if err != nil {
					checkErrorState(t, r, tt.pkt)
					continue
				}
				if got := string(r.URLData()); got != tt.url {
					t.Errorf("%s: URLData = %q, want %q", name, got, tt.url)
				}
				if r.NHashes != tt.nh {
					t.Errorf("%s: NHashes = %d, want %d", name, r.NHashes, tt.nh)
				}
				for i := range r.NHashes {
					if want := tt.pkt[16+20*i : 36+20*i]; !bytes.Equal(r.Hashes[i][:], want) {
						t.Errorf("%s: Hashes[%d] = %x, want %x", name, i, r.Hashes[i], want)
					}
				}
				var again Request
				if err := again.Parse(AppendRequest(nil, r)); err != nil || again != *r {
					t.Errorf("%s: round trip: err %v, equal %v", name, err, again == *r)
				}
			}
		})
	}
}

// checkErrorState checks the documented state after a failed Parse: the
// header when the packet had one, zero everywhere else.
func checkErrorState(t *testing.T, r *Request, pkt []byte) {
	t.Helper()
	var want Request
	if len(pkt) >= ConnectSize && len(pkt) <= MaxPacketSize {
		want.ConnID = binary.BigEndian.Uint64(pkt)
		want.Action = Action(binary.BigEndian.Uint32(pkt[8:]))
		want.TxID = binary.BigEndian.Uint32(pkt[12:])
	}
	if *r != want {
		t.Errorf("after error: got %+v\nwant header only %+v", *r, want)
	}
}

// TestParse_Reuse parses every ordered pair of packets into one Request and
// checks that the second result equals a parse into a fresh Request.
func TestParse_Reuse(t *testing.T) {
	base := readHex(t, "announce_v4.hex")
	pkts := [][]byte{
		nil,
		header(ProtocolID, ActionError, 3),
		put32(base, 80, 9),
		cat(base, urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("cc")),
		cat(base, urlOpt(strings.Repeat("a", 255)), urlOpt(strings.Repeat("b", 255)), urlOpt("ccc")),
		cat(base, urlOpt("/x")),
		scrapePacket(1, 0),
		scrapePacket(MaxScrapeHashes, 0),
		scrapePacket(MaxScrapeHashes+1, 0),
		scrapePacket(2, 3),
	}
	for _, name := range hexFixtures(t) {
		pkts = append(pkts, readHex(t, name))
	}
	for i, a := range pkts {
		for j, b := range pkts {
			var r, fresh Request
			_ = r.Parse(a)
			err := r.Parse(b)
			freshErr := fresh.Parse(b)
			if err != freshErr || r != fresh {
				t.Errorf("Parse(pkt %d) after Parse(pkt %d): err %v (fresh %v), equal to fresh: %v", j, i, err, freshErr, r == fresh)
			}
		}
	}
}

func TestRequest_URLDataAliases(t *testing.T) {
	var r Request
	if err := r.Parse(readHex(t, "announce_bep41.hex")); err != nil {
		t.Fatal(err)
	}
	u := r.URLData()
	if string(u) != "/announce" || &u[0] != &r.Announce.URLData[0] {
		t.Fatalf("URLData = %q, aliasing r: %v", u, &u[0] == &r.Announce.URLData[0])
	}
}

func TestRequest_Reset(t *testing.T) {
	r := dirtyAnnounce(t)
	r.Reset()
	if *r != (Request{}) {
		t.Fatal("Reset left state behind")
	}
}

func TestAppendRequest_URLDataChunks(t *testing.T) {
	tests := []struct {
		n       int // URLData length
		wantLen int // encoded length
	}{
		{n: 0, wantLen: 98},
		{n: 1, wantLen: 98 + 2 + 1},
		{n: 255, wantLen: 98 + 2 + 255},
		{n: 256, wantLen: 98 + 2 + 255 + 2 + 1},
		{n: MaxURLData, wantLen: 98 + 2 + 255 + 2 + 255 + 2 + 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			r := Request{ConnID: 5, Action: ActionAnnounce, TxID: 6}
			r = withURL(r, strings.Repeat("q", tt.n))
			enc := AppendRequest(nil, &r)
			if len(enc) != tt.wantLen {
				t.Fatalf("len = %d, want %d", len(enc), tt.wantLen)
			}
			var got Request
			if err := got.Parse(enc); err != nil || got != r {
				t.Fatalf("Parse = %v, equal %v", err, got == r)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		err error
	}{
		{err: ErrShortPacket},
		{err: ErrOversize},
		{err: ErrProtocolID},
		{err: ErrUnknownAction},
		{err: ErrBadEvent},
		{err: ErrURLDataTooLong},
		{err: ErrNoHashes},
		{err: ErrTooManyHashes},
		{err: ErrBadScrapeLength},
		{err: ErrBadPeerLength},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			msg := tt.err.Error()
			if !strings.HasPrefix(msg, "udp: ") || len(msg) > 24 {
				t.Errorf("message %q: want prefix \"udp: \" and at most 24 bytes", msg)
			}
			if got := ErrorMessage(tt.err); got != msg {
				t.Errorf("ErrorMessage = %q, want %q", got, msg)
			}
			wrapped := fmt.Errorf("cannot parse request: %w", tt.err)
			if got := ErrorMessage(wrapped); got != msg {
				t.Errorf("ErrorMessage(wrapped) = %q, want %q", got, msg)
			}
		})
	}
	if got := ErrorMessage(io.EOF); got != "internal error" {
		t.Errorf("ErrorMessage(io.EOF) = %q", got)
	}
	if got := ErrorMessage(nil); got != "" {
		t.Errorf("ErrorMessage(nil) = %q", got)
	}
}
