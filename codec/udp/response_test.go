package udp

import (
	"bytes"
	"errors"
	"testing"
)

func TestAppend_Golden(t *testing.T) {
	peers4 := parseHex(t, "c0a80001 1ae1  0a000002 c8d5")
	peers6 := parseHex(t, "20010db8000000000000000000000001 1ae1")
	tests := []struct {
		name string
		got  []byte
		want string // .hex format
	}{
		{
			name: "connect",
			got:  AppendConnect(nil, 0x1a2b3c4d, 0x0102030405060708),
			want: "00000000 1a2b3c4d 0102030405060708",
		},
		{
			name: "announce v4",
			got:  AppendAnnounce(nil, 0x5e6f7081, 1800, 3, 7, peers4),
			want: "00000001 5e6f7081 00000708 00000003 00000007 c0a80001 1ae1 0a000002 c8d5",
		},
		{
			name: "announce v6",
			got:  AppendAnnounce(nil, 1, 120, 0, 1, peers6),
			want: "00000001 00000001 00000078 00000000 00000001 20010db8000000000000000000000001 1ae1",
		},
		{
			name: "announce no peers",
			got:  AppendAnnounce(nil, 2, 60, 0, 0, nil),
			want: "00000001 00000002 0000003c 00000000 00000000",
		},
		{
			name: "scrape two entries",
			got:  AppendScrapeEntry(AppendScrapeEntry(AppendScrapeHeader(nil, 0xc0ffee), 5, 100, 2), 0, 0, 0),
			want: "00000002 00c0ffee  00000005 00000064 00000002  00000000 00000000 00000000",
		},
		{
			name: "error",
			got:  AppendError(nil, 9, "udp: bad event"),
			want: "00000003 00000009 7564703a2062616420657665 6e74",
		},
		{
			name: "append keeps dst",
			got:  AppendConnect([]byte{0xaa}, 1, 2),
			want: "aa 00000000 00000001 0000000000000002",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := parseHex(t, tt.want); !bytes.Equal(tt.got, want) {
				t.Fatalf("got  %x\nwant %x", tt.got, want)
			}
		})
	}
}

func TestResponseParse(t *testing.T) {
	announce4 := AppendAnnounce(nil, 7, 1800, 3, 4, parseHex(t, "c0a80001 1ae1 0a000002 c8d5"))
	announce6 := AppendAnnounce(nil, 7, 1800, 3, 4, bytes.Repeat([]byte{1}, 36))
	scrape := AppendScrapeEntry(AppendScrapeEntry(AppendScrapeHeader(nil, 8), 1, 2, 3), 4, 5, 6)
	tests := []struct {
		name     string
		pkt      []byte
		peerSize int
		err      error
		check    func(t *testing.T, p *Response)
	}{
		{name: "empty", pkt: nil, peerSize: 6, err: ErrShortPacket},
		{name: "7 bytes", pkt: make([]byte, 7), peerSize: 6, err: ErrShortPacket},
		{
			name: "connect", pkt: AppendConnect(nil, 1, 0xfeedface), peerSize: 6,
			check: func(t *testing.T, p *Response) {
				if p.Action != ActionConnect || p.TxID != 1 || p.ConnID != 0xfeedface {
					t.Errorf("got %+v", p)
				}
			},
		},
		{name: "connect short", pkt: AppendConnect(nil, 1, 2)[:15], peerSize: 6, err: ErrShortPacket},
		{
			name: "announce v4", pkt: announce4, peerSize: 6,
			check: func(t *testing.T, p *Response) {
				if p.Interval != 1800 || p.Leechers != 3 || p.Seeders != 4 || len(p.Peers) != 12 || &p.Peers[0] != &announce4[20] {
					t.Errorf("got %+v", p)
				}
				if cap(p.Peers) != len(p.Peers) {
					t.Errorf("Peers capacity %d reaches past the reply", cap(p.Peers))
				}
			},
		},
		{name: "announce v4 as v6", pkt: announce4, peerSize: 18, err: ErrBadPeerLength},
		{
			name: "announce v6", pkt: announce6, peerSize: 18,
			check: func(t *testing.T, p *Response) {
				if len(p.Peers) != 36 {
					t.Errorf("got %+v", p)
				}
			},
		},
		{name: "announce partial peer", pkt: announce4[:len(announce4)-1], peerSize: 6, err: ErrBadPeerLength},
		{name: "announce short", pkt: announce4[:19], peerSize: 6, err: ErrShortPacket},
		{
			name: "scrape", pkt: scrape, peerSize: 6,
			check: func(t *testing.T, p *Response) {
				if p.NScrape() != 2 {
					t.Fatalf("NScrape = %d", p.NScrape())
				}
				if s, c, l := p.ScrapeEntry(1); s != 4 || c != 5 || l != 6 {
					t.Errorf("ScrapeEntry(1) = %d %d %d", s, c, l)
				}
			},
		},
		{name: "scrape partial entry", pkt: scrape[:len(scrape)-1], peerSize: 6, err: ErrBadScrapeLength},
		{
			name: "error", pkt: AppendError(nil, 3, "nope"), peerSize: 6,
			check: func(t *testing.T, p *Response) {
				if p.Action != ActionError || p.TxID != 3 || string(p.Message) != "nope" {
					t.Errorf("got %+v", p)
				}
			},
		},
		{name: "unknown action", pkt: parseHex(t, "00000009 00000001"), peerSize: 6, err: ErrUnknownAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Response{ConnID: 99, Peers: []byte{1}, Message: []byte{2}} // stale state
			err := p.Parse(tt.pkt, tt.peerSize)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse = %v, want %v", err, tt.err)
			}
			if err != nil {
				if p.ConnID != 0 || p.Peers != nil || p.Scrape != nil || p.Message != nil || p.Interval != 0 {
					t.Errorf("after error: %+v, want header only", p)
				}
				return
			}
			if tt.check != nil {
				tt.check(t, &p)
			}
		})
	}
}

func TestResponseParse_BadPeerSizePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for peerSize 4")
		}
	}()
	var p Response
	_ = p.Parse(AppendConnect(nil, 1, 2), 4)
}
