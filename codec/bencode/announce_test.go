package bencode

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"testing"
)

// Peers and ids of the golden tests.
const (
	p4a    = "\xc0\xa8\x00\x01\x1a\xe1"                                                 // 192.168.0.1:6881
	p4b    = "\x0a\x00\x00\x02\xc8\xd5"                                                 // 10.0.0.2:51413
	p6a    = "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1" // [2001:db8::1]:6881
	p6map  = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04\x00\x50" // [::ffff:1.2.3.4]:80
	id1    = "-TR3000-abcdefghijkl"
	id2    = "-qB4520-\x00\x01\x02\x80\xfe\xffmnopqr" // binary tail: raw bytes, not text
	extV4  = "\xcb\x00\x71\x07"                       // 203.0.113.7
	extV6  = "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x2a"
	counts = "d8:completei5e10:downloadedi12e" // the start of most golden replies
)

type announceCase struct {
	name string
	a    Announce
	want string
}

// announceGolden is shared by the golden test, the round-trip test and the
// fuzz seeds.
func announceGolden() []announceCase {
	base := Announce{Complete: 5, Downloaded: 12, Incomplete: 3, Interval: 1800}
	with := func(f func(a *Announce)) Announce {
		a := base
		f(&a)
		return a
	}
	return []announceCase{
		{
			name: "compact v4 and v6",
			a: with(func(a *Announce) {
				a.MinInterval = 900
				a.Compact = true
				a.Peers4 = []byte(p4a + p4b)
				a.Peers6 = []byte(p6a)
			}),
			want: counts + "10:incompletei3e8:intervali1800e12:min intervali900e" +
				"5:peers12:" + p4a + p4b + "6:peers618:" + p6a + "e",
		},
		{
			name: "compact no peers",
			a:    Announce{Interval: 1800, Compact: true},
			want: "d8:completei0e10:downloadedi0e10:incompletei0e8:intervali1800e5:peers0:e",
		},
		{
			name: "compact v6 only",
			a:    with(func(a *Announce) { a.Compact = true; a.Peers6 = []byte(p6a) }),
			want: counts + "10:incompletei3e8:intervali1800e5:peers0:6:peers618:" + p6a + "e",
		},
		{
			name: "compact ignores peer ids",
			a: with(func(a *Announce) {
				a.Compact = true
				a.Peers4 = []byte(p4a)
				a.PeerIDs4 = []byte("short")
			}),
			want: counts + "10:incompletei3e8:intervali1800e5:peers6:" + p4a + "e",
		},
		{
			name: "non-compact with peer id",
			a: with(func(a *Announce) {
				a.Peers4 = []byte(p4a)
				a.PeerIDs4 = []byte(id1)
				a.Peers6 = []byte(p6a)
				a.PeerIDs6 = []byte(id2)
			}),
			want: counts + "10:incompletei3e8:intervali1800e5:peersl" +
				"d2:ip11:192.168.0.17:peer id20:" + id1 + "4:porti6881ee" +
				"d2:ip11:2001:db8::17:peer id20:" + id2 + "4:porti6881ee" +
				"ee",
		},
		{
			name: "non-compact without peer id",
			a: with(func(a *Announce) {
				a.Peers4 = []byte(p4a + p4b)
				a.Peers6 = []byte(p6a)
			}),
			want: counts + "10:incompletei3e8:intervali1800e5:peersl" +
				"d2:ip11:192.168.0.14:porti6881ee" +
				"d2:ip8:10.0.0.24:porti51413ee" +
				"d2:ip11:2001:db8::14:porti6881ee" +
				"ee",
		},
		{
			name: "non-compact ids for one family only",
			a: with(func(a *Announce) {
				a.Peers4 = []byte(p4b)
				a.Peers6 = []byte(p6a)
				a.PeerIDs6 = []byte(id1)
			}),
			want: counts + "10:incompletei3e8:intervali1800e5:peersl" +
				"d2:ip8:10.0.0.24:porti51413ee" +
				"d2:ip11:2001:db8::17:peer id20:" + id1 + "4:porti6881ee" +
				"ee",
		},
		{
			name: "non-compact v4-mapped v6 peer is written as v4",
			a:    with(func(a *Announce) { a.Peers6 = []byte(p6map) }),
			want: counts + "10:incompletei3e8:intervali1800e5:peersld2:ip7:1.2.3.44:porti80eeee",
		},
		{
			name: "non-compact no peers",
			a:    with(func(a *Announce) { a.PeerIDs4 = []byte{} }),
			want: counts + "10:incompletei3e8:intervali1800e5:peerslee",
		},
		{
			name: "external ip v4",
			a: with(func(a *Announce) {
				a.Compact = true
				a.ExternalIP = []byte(extV4)
			}),
			want: counts + "11:external ip4:" + extV4 + "10:incompletei3e8:intervali1800e5:peers0:e",
		},
		{
			name: "external ip v6",
			a: with(func(a *Announce) {
				a.Compact = true
				a.ExternalIP = []byte(extV6)
			}),
			want: counts + "11:external ip16:" + extV6 + "10:incompletei3e8:intervali1800e5:peers0:e",
		},
		{
			name: "warning message",
			a: with(func(a *Announce) {
				a.MinInterval = 60
				a.Compact = true
				a.Peers4 = []byte(p4b)
				a.WarningMessage = "maintenance at 02:00"
			}),
			want: counts + "10:incompletei3e8:intervali1800e12:min intervali60e" +
				"5:peers6:" + p4b + "15:warning message20:maintenance at 02:00e",
		},
		{
			name: "every key",
			a: Announce{
				Complete: 1, Downloaded: 2, Incomplete: 3, Interval: 4, MinInterval: 5,
				ExternalIP: []byte(extV4), Compact: true, Peers4: []byte(p4a), Peers6: []byte(p6a),
				WarningMessage: "w",
			},
			want: "d8:completei1e10:downloadedi2e11:external ip4:" + extV4 +
				"10:incompletei3e8:intervali4e12:min intervali5e" +
				"5:peers6:" + p4a + "6:peers618:" + p6a + "15:warning message1:we",
		},
		{
			name: "extreme integers, negative min interval omitted",
			a: Announce{
				Complete: -1, Downloaded: math.MaxInt64, Incomplete: math.MinInt64,
				Interval: 0, MinInterval: -30, Compact: true,
			},
			want: "d8:completei-1e10:downloadedi9223372036854775807e" +
				"10:incompletei-9223372036854775808e8:intervali0e5:peers0:e",
		},
	}
}

func TestAppendAnnounce_Golden(t *testing.T) {
	for _, tt := range announceGolden() {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, AppendAnnounce(nil, &tt.a), tt.want)
		})
	}
}

func TestAppendAnnounce_KeepsDst(t *testing.T) {
	a := Announce{Interval: 60, Compact: true}
	got := AppendAnnounce([]byte("HTTP/1.1 200 OK\r\n\r\n"), &a)
	checkGolden(t, got, "HTTP/1.1 200 OK\r\n\r\n"+
		"d8:completei0e10:downloadedi0e10:incompletei0e8:intervali60e5:peers0:e")
}

// TestAppendAnnounce_RoundTrip decodes every golden reply and checks that it
// carries exactly the Announce's fields.
func TestAppendAnnounce_RoundTrip(t *testing.T) {
	for _, tt := range announceGolden() {
		t.Run(tt.name, func(t *testing.T) {
			checkAnnounce(t, &tt.a, AppendAnnounce(nil, &tt.a))
		})
	}
	t.Run("50 peers each way", func(t *testing.T) {
		for _, compact := range []bool{true, false} {
			a := Announce{
				Complete: 50, Incomplete: 50, Interval: 1800, MinInterval: 900, Compact: compact,
				Peers4: makePeers(50, PeerSizeV4, 1), Peers6: makePeers(50, PeerSizeV6, 2),
				PeerIDs4: makeIDs(50, 3), PeerIDs6: makeIDs(50, 4),
			}
			checkAnnounce(t, &a, AppendAnnounce(nil, &a))
		}
	})
}

func TestAppendAnnounce_Panics(t *testing.T) {
	tests := []struct {
		name string
		a    Announce
	}{
		{name: "partial v4 peer", a: Announce{Compact: true, Peers4: make([]byte, 7)}},
		{name: "partial v6 peer", a: Announce{Peers6: make([]byte, 17)}},
		{name: "external ip 5 bytes", a: Announce{Compact: true, ExternalIP: make([]byte, 5)}},
		{name: "v4 ids short", a: Announce{Peers4: make([]byte, 12), PeerIDs4: make([]byte, 20)}},
		{name: "v6 ids long", a: Announce{Peers6: make([]byte, 18), PeerIDs6: make([]byte, 40)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPanicBUG(t, func() { AppendAnnounce(nil, &tt.a) })
		})
	}
}

// TestAppendTo_Addr checks the premises of the non-compact encoder:
// netip.Addr.AppendTo writes String's text, and it fits the stack array
// (alloc_test.go checks that it does not allocate).
func TestAppendTo_Addr(t *testing.T) {
	for _, s := range []string{"255.255.255.255", "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:1.2.3.4"} {
		addr := netip.MustParseAddr(s)
		var text [maxAddrText]byte
		if got := string(addr.AppendTo(text[:0])); got != addr.String() {
			t.Errorf("AppendTo = %q, want %q", got, addr.String())
		}
		if len(addr.String()) > maxAddrText {
			t.Errorf("%s: text longer than maxAddrText", s)
		}
	}
}

// peerDict is one decoded non-compact peer.
type peerDict struct {
	IP     netip.Addr
	PeerID string // "" when absent
	Port   int64
}

// wantPeerDicts returns the non-compact peer list a should encode to.
func wantPeerDicts(a *Announce) []peerDict {
	out := []peerDict{}
	add := func(peers, ids []byte, size int) {
		for i := 0; (i+1)*size <= len(peers); i++ {
			p := peers[i*size : (i+1)*size]
			addr, _ := netip.AddrFromSlice(p[:size-2])
			d := peerDict{IP: addr.Unmap(), Port: int64(binary.BigEndian.Uint16(p[size-2:]))}
			if len(ids) > 0 {
				d.PeerID = string(ids[i*PeerIDSize : (i+1)*PeerIDSize])
			}
			out = append(out, d)
		}
	}
	add(a.Peers4, a.PeerIDs4, PeerSizeV4)
	add(a.Peers6, a.PeerIDs6, PeerSizeV6)
	return out
}

// parsePeerDicts reads a decoded non-compact "peers" value as a client
// would, strictly: only the keys ip, peer id and port, the ip as canonical
// text, the port in range, the peer id 20 bytes.
func parsePeerDicts(v any) ([]peerDict, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("peers is %T, want a list", v)
	}
	out := []peerDict{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("peer %d is %T, want a dict", i, e)
		}
		var d peerDict
		for k, v := range m {
			switch k {
			case "ip":
				s, _ := v.(string)
				addr, err := netip.ParseAddr(s)
				if err != nil || addr.String() != s || addr.Is4In6() {
					return nil, fmt.Errorf("peer %d: bad ip %q", i, s)
				}
				d.IP = addr
			case "port":
				port, ok := v.(int64)
				if !ok || port < 0 || port > math.MaxUint16 {
					return nil, fmt.Errorf("peer %d: bad port %v", i, v)
				}
				d.Port = port
			case "peer id":
				id, ok := v.(string)
				if !ok || len(id) != PeerIDSize {
					return nil, fmt.Errorf("peer %d: bad peer id %q", i, v)
				}
				d.PeerID = id
			default:
				return nil, fmt.Errorf("peer %d: unexpected key %q", i, k)
			}
		}
		if !d.IP.IsValid() {
			return nil, fmt.Errorf("peer %d: no ip", i)
		}
		if _, ok := m["port"]; !ok {
			return nil, fmt.Errorf("peer %d: no port", i)
		}
		out = append(out, d)
	}
	return out, nil
}

// checkAnnounce decodes enc, an encoding of a, and checks that it is
// canonical bencode holding exactly a's fields under the documented keys.
func checkAnnounce(t *testing.T, a *Announce, enc []byte) {
	t.Helper()
	m, ok := mustDecode(t, enc).(map[string]any)
	if !ok {
		t.Fatalf("decoded a %T, want a dict", m)
	}
	want := map[string]any{
		"complete":   a.Complete,
		"downloaded": a.Downloaded,
		"incomplete": a.Incomplete,
		"interval":   a.Interval,
	}
	if a.MinInterval > 0 {
		want["min interval"] = a.MinInterval
	}
	if len(a.ExternalIP) > 0 {
		want["external ip"] = string(a.ExternalIP)
	}
	if a.WarningMessage != "" {
		want["warning message"] = a.WarningMessage
	}
	got := maps.Clone(m)
	if a.Compact {
		want["peers"] = string(a.Peers4)
		if len(a.Peers6) > 0 {
			want["peers6"] = string(a.Peers6)
		}
	} else {
		peers, err := parsePeerDicts(got["peers"])
		if err != nil {
			t.Fatalf("%v in %q", err, enc)
		}
		if w := wantPeerDicts(a); !slices.Equal(peers, w) {
			t.Fatalf("peers:\n got %v\nwant %v", peers, w)
		}
		delete(got, "peers")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded\n %q\nwant\n %q", got, want)
	}
}
