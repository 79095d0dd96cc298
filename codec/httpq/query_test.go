package httpq

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// fixtureHash is the info hash of the torrent every capture announces
// (transmission-show: e0d8f2b59e76a1ca1b8317206e8cd28479a7ca82). Its byte
// 0x20 shows each client percent-encodes a space as %20.
var fixtureHash = h20("e0d8f2b59e76a1ca1b8317206e8cd28479a7ca82")

func h20(s string) [20]byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 20 {
		panic("bad test hash " + s)
	}
	return [20]byte(b)
}

func b20(s string) [20]byte {
	if len(s) != 20 {
		panic("bad test id " + s)
	}
	return [20]byte([]byte(s))
}

func key(s string) ([MaxKey]byte, uint8) {
	var k [MaxKey]byte
	return k, uint8(copy(k[:], s))
}

func v4(a, b, c, d byte) [16]byte { return mapV4([4]byte{a, b, c, d}) }

// announce returns the Announce a minimal valid query decodes to, for the
// test tables to override.
func announce() Announce {
	return Announce{InfoHash: fixtureHash, PeerID: b20("-TR3000-fmgugti5ecv8"), Port: 6881, Compact: -1, NumWant: -1}
}

// minimalQuery is the query announce() describes.
const minimalQuery = "info_hash=%e0%d8%f2%b5%9ev%a1%ca%1b%83%17%20n%8c%d2%84y%a7%ca%82&peer_id=-TR3000-fmgugti5ecv8&port=6881"

func TestAnnounceParseQuery_Fixtures(t *testing.T) {
	with := func(f func(*Announce)) Announce { a := announce(); f(&a); return a }
	tests := []struct {
		file string
		want Announce
	}{
		{file: "announce_aria2_1.36.0_started.http", want: with(func(a *Announce) {
			a.PeerID = [20]byte([]byte("A2-1-36-0-\x11N\x1c\x84\x2b\xa9X\x25MP"))
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NoPeerID, a.NumWant = 51500, 3000000, true, EventStarted, 1, true, 50
			a.Key, a.KeyLen = key("\x1c\x84\x2b\xa9X\x25MP")
		})},
		{file: "announce_aria2_1.36.0_stopped.http", want: with(func(a *Announce) {
			a.PeerID = [20]byte([]byte("A2-1-36-0-\x11N\x1c\x84\x2b\xa9X\x25MP"))
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NoPeerID, a.NumWant = 51500, 3000000, true, EventStopped, 1, true, 0
			a.Key, a.KeyLen = key("\x1c\x84\x2b\xa9X\x25MP")
		})},
		{file: "announce_qbittorrent_4.5.2_started.http", want: with(func(a *Announce) {
			a.PeerID = b20("-qB4520-ykmWmMPbatA!")
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NoPeerID, a.NumWant = 51600, 3000000, true, EventStarted, 1, true, 200
			a.Key, a.KeyLen = key("C694E34C")
			a.IPv4, a.HasIPv4 = v4(192, 0, 2, 2), true
		})},
		{file: "announce_qbittorrent_4.5.2_stopped.http", want: with(func(a *Announce) {
			a.PeerID = b20("-qB4520-ykmWmMPbatA!")
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NoPeerID, a.NumWant = 51600, 3000000, true, EventStopped, 1, true, 0
			a.Key, a.KeyLen = key("C694E34C")
			a.IPv4, a.HasIPv4 = v4(192, 0, 2, 2), true
		})},
		{file: "announce_transmission_3.00_started.http", want: with(func(a *Announce) {
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NumWant = 51413, 3000000, true, EventStarted, 1, 80
			a.Key, a.KeyLen = key("d82a681")
		})},
		{file: "announce_transmission_3.00_stopped.http", want: with(func(a *Announce) {
			a.Port, a.Left, a.HasLeft, a.Event, a.Compact, a.NumWant = 51413, 3000000, true, EventStopped, 1, 0
			a.Key, a.KeyLen = key("d82a681")
		})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var a Announce
			if err := a.ParseQuery(fixtureQuery(t, tt.file)); err != nil {
				t.Fatal(err)
			}
			if a != tt.want {
				t.Fatalf("got  %+v\nwant %+v", a, tt.want)
			}
		})
	}
}

func TestAnnounceParseQuery(t *testing.T) {
	with := func(f func(*Announce)) Announce { a := announce(); f(&a); return a }
	tests := []struct {
		name string
		q    string
		want Announce
	}{
		{name: "minimal", q: minimalQuery, want: announce()},
		{name: "parameters in any order", q: "port=6881&peer_id=-TR3000-fmgugti5ecv8&info_hash=%E0%D8%F2%B5%9E%76%A1%CA%1B%83%17%20%6E%8C%D2%84%79%A7%CA%82", want: announce()},
		{name: "every byte escaped, upper-case hex", q: "info_hash=%E0%D8%F2%B5%9E%76%A1%CA%1B%83%17%20%6E%8C%D2%84%79%A7%CA%82&peer_id=%2D%54%52%33%30%30%30%2D%66%6D%67%75%67%74%69%35%65%63%76%38&port=6881", want: announce()},
		{name: "mixed-case hex digits", q: "info_hash=%e0%D8%f2%B5%9Ev%a1%CA%1b%83%17%20n%8C%d2%84y%A7%ca%82&peer_id=-TR3000-fmgugti5ecv8&port=6881", want: announce()},
		{name: "plus is a literal byte", q: strings.Replace(minimalQuery, "peer_id=-TR3000-fmgugti5ecv8", "peer_id=-TR3000-fmgugti5ec+8", 1), want: with(func(a *Announce) { a.PeerID = b20("-TR3000-fmgugti5ec+8") })},
		{name: "escaped plus", q: strings.Replace(minimalQuery, "peer_id=-TR3000-fmgugti5ecv8", "peer_id=-TR3000-fmgugti5ec%2B8", 1), want: with(func(a *Announce) { a.PeerID = b20("-TR3000-fmgugti5ec+8") })},
		{name: "libtorrent literal marks", q: strings.Replace(minimalQuery, "peer_id=-TR3000-fmgugti5ecv8", "peer_id=-qB4520-!*()._~abcde", 1), want: with(func(a *Announce) { a.PeerID = b20("-qB4520-!*()._~abcde") })},
		{name: "raw high bytes", q: strings.Replace(minimalQuery, "peer_id=-TR3000-fmgugti5ecv8", "peer_id=-TR3000-fmgugti5ec\xff\x80", 1), want: with(func(a *Announce) { a.PeerID = b20("-TR3000-fmgugti5ec\xff\x80") })},
		{name: "escaped parameter name", q: strings.Replace(minimalQuery, "port=", "p%6Frt=", 1), want: announce()},
		{name: "unknown parameters ignored", q: minimalQuery + "&corrupt=0&supportcrypto=1&redundant=0&requirecrypto&passkey=%zz&x=%", want: announce()},
		{name: "empty pairs skipped", q: "&&" + strings.ReplaceAll(minimalQuery, "&", "&&") + "&", want: announce()},
		{name: "semicolon is not a separator", q: minimalQuery + "&foo=1;port=1", want: announce()},
		{name: "last value wins", q: minimalQuery + "&port=1&numwant=5&numwant=7&event=started&event=", want: with(func(a *Announce) { a.Port, a.NumWant = 1, 7 })},
		{name: "last info_hash wins", q: minimalQuery + "&info_hash=aaaaaaaaaaaaaaaaaaaa", want: with(func(a *Announce) { a.InfoHash = b20("aaaaaaaaaaaaaaaaaaaa") })},
		{name: "counters", q: minimalQuery + "&uploaded=1&downloaded=18446744073709551615&left=0", want: with(func(a *Announce) { a.Uploaded, a.Downloaded, a.HasLeft = 1, 1<<64-1, true })},
		{name: "leading zeros", q: minimalQuery + "&uploaded=0007&port=00080", want: with(func(a *Announce) { a.Uploaded, a.Port = 7, 80 })},
		{name: "escaped digits", q: minimalQuery + "&left=%31%32", want: with(func(a *Announce) { a.Left, a.HasLeft = 12, true })},
		{name: "port 65535", q: minimalQuery + "&port=65535", want: with(func(a *Announce) { a.Port = 65535 })},
		{name: "event started", q: minimalQuery + "&event=started", want: with(func(a *Announce) { a.Event = EventStarted })},
		{name: "event completed", q: minimalQuery + "&event=completed", want: with(func(a *Announce) { a.Event = EventCompleted })},
		{name: "event stopped", q: minimalQuery + "&event=stopped", want: with(func(a *Announce) { a.Event = EventStopped })},
		{name: "event paused (BEP 21, libtorrent)", q: minimalQuery + "&event=paused", want: with(func(a *Announce) { a.Paused = true })},
		{name: "a later event clears paused", q: minimalQuery + "&event=paused&event=completed", want: with(func(a *Announce) { a.Event = EventCompleted })},
		{name: "event empty", q: minimalQuery + "&event=empty", want: announce()},
		{name: "event blank", q: minimalQuery + "&event=", want: announce()},
		{name: "event escaped", q: minimalQuery + "&event=%73topped", want: with(func(a *Announce) { a.Event = EventStopped })},
		{name: "compact 0", q: minimalQuery + "&compact=0", want: with(func(a *Announce) { a.Compact = 0 })},
		{name: "compact 1", q: minimalQuery + "&compact=1", want: with(func(a *Announce) { a.Compact = 1 })},
		{name: "no_peer_id 1", q: minimalQuery + "&no_peer_id=1", want: with(func(a *Announce) { a.NoPeerID = true })},
		{name: "no_peer_id without value", q: minimalQuery + "&no_peer_id", want: with(func(a *Announce) { a.NoPeerID = true })},
		{name: "no_peer_id 0", q: minimalQuery + "&no_peer_id=0", want: announce()},
		{name: "numwant 0", q: minimalQuery + "&numwant=0", want: with(func(a *Announce) { a.NumWant = 0 })},
		{name: "numwant negative kept", q: minimalQuery + "&numwant=-5", want: with(func(a *Announce) { a.NumWant = -5 })},
		{name: "numwant escaped minus", q: minimalQuery + "&numwant=%2d5", want: with(func(a *Announce) { a.NumWant = -5 })},
		{name: "numwant min", q: minimalQuery + "&numwant=-2147483648", want: with(func(a *Announce) { a.NumWant = -1 << 31 })},
		{name: "numwant max", q: minimalQuery + "&numwant=2147483647", want: with(func(a *Announce) { a.NumWant = 1<<31 - 1 })},
		{name: "key hex", q: minimalQuery + "&key=C694E34C", want: with(func(a *Announce) { a.Key, a.KeyLen = key("C694E34C") })},
		{name: "key empty", q: minimalQuery + "&key=", want: announce()},
		{name: "key at MaxKey", q: minimalQuery + "&key=" + strings.Repeat("%41", MaxKey), want: with(func(a *Announce) { a.Key, a.KeyLen = key(strings.Repeat("A", MaxKey)) })},
		{name: "shorter key after longer", q: minimalQuery + "&key=abcdefgh&key=xy", want: with(func(a *Announce) { a.Key, a.KeyLen = key("xy") })},
		{name: "trackerid", q: minimalQuery + "&trackerid=t%00x&trackerid=" + strings.Repeat("t", MaxTrackerID) + "&trackerid=id", want: with(func(a *Announce) {
			a.TrackerIDLen = uint8(copy(a.TrackerID[:], "id"))
		})},
		{name: "ip IPv4", q: minimalQuery + "&ip=10.0.0.1", want: with(func(a *Announce) { a.IP, a.HasIP = v4(10, 0, 0, 1), true })},
		{name: "ip IPv6 escaped", q: minimalQuery + "&ip=2001%3Adb8%3A%3A1", want: with(func(a *Announce) {
			a.IP, a.HasIP = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, true
		})},
		{name: "ip host name ignored", q: minimalQuery + "&ip=tracker.example.org", want: announce()},
		{name: "ip i2p ignored", q: minimalQuery + "&ip=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst.b32.i2p", want: announce()},
		{name: "ip with port ignored", q: minimalQuery + "&ip=10.0.0.1:80", want: announce()},
		{name: "last parseable ip wins", q: minimalQuery + "&ip=10.0.0.1&ip=nonsense", want: with(func(a *Announce) { a.IP, a.HasIP = v4(10, 0, 0, 1), true })},
		{name: "ipv4 bare", q: minimalQuery + "&ipv4=192.0.2.2", want: with(func(a *Announce) { a.IPv4, a.HasIPv4 = v4(192, 0, 2, 2), true })},
		{name: "ipv4 endpoint", q: minimalQuery + "&ipv4=192.0.2.2%3A6882", want: with(func(a *Announce) { a.IPv4, a.IPv4Port, a.HasIPv4 = v4(192, 0, 2, 2), 6882, true })},
		{name: "ipv4 with IPv6 ignored", q: minimalQuery + "&ipv4=2001:db8::1", want: announce()},
		{name: "ipv4 leading zero ignored", q: minimalQuery + "&ipv4=192.0.2.02", want: announce()},
		{name: "ipv4 port 0 ignored", q: minimalQuery + "&ipv4=192.0.2.2:0", want: announce()},
		{name: "ipv6 bare", q: minimalQuery + "&ipv6=2001%3Adb8%3A%3A1", want: with(func(a *Announce) {
			a.IPv6, a.HasIPv6 = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, true
		})},
		{name: "ipv6 brackets", q: minimalQuery + "&ipv6=[2001:db8::1]", want: with(func(a *Announce) {
			a.IPv6, a.HasIPv6 = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, true
		})},
		{name: "ipv6 endpoint", q: minimalQuery + "&ipv6=%5B2001%3Adb8%3A%3A1%5D%3A6882", want: with(func(a *Announce) {
			a.IPv6, a.IPv6Port, a.HasIPv6 = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, 6882, true
		})},
		{name: "ipv6 embedded IPv4", q: minimalQuery + "&ipv6=64:ff9b::192.0.2.33", want: with(func(a *Announce) {
			a.IPv6, a.HasIPv6 = [16]byte{0, 0x64, 0xff, 0x9b, 12: 192, 0, 2, 33}, true
		})},
		{name: "ipv6 IPv4-mapped ignored", q: minimalQuery + "&ipv6=::ffff:192.0.2.2", want: announce()},
		{name: "ipv6 IPv4 ignored", q: minimalQuery + "&ipv6=192.0.2.2", want: announce()},
		{name: "ipv6 zone ignored", q: minimalQuery + "&ipv6=fe80::1%25eth0", want: announce()},
		{name: "ipv6 junk after bracket ignored", q: minimalQuery + "&ipv6=[::1]x", want: announce()},
		{name: "libtorrent sends several ipv6", q: minimalQuery + "&ipv6=2001:db8::1&ipv6=2001:db8::2", want: with(func(a *Announce) {
			a.IPv6, a.HasIPv6 = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}, true
		})},
		{name: "ip value too long for the scratch buffer ignored", q: minimalQuery + "&ipv6=" + strings.Repeat("%30", 65), want: announce()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Announce
			if err := a.ParseQuery([]byte(tt.q)); err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.q, err)
			}
			if a != tt.want {
				t.Fatalf("ParseQuery(%q)\n got %+v\nwant %+v", tt.q, a, tt.want)
			}
		})
	}
}

func TestAnnounceParseQuery_Errors(t *testing.T) {
	const ih = "info_hash=%e0%d8%f2%b5%9ev%a1%ca%1b%83%17%20n%8c%d2%84y%a7%ca%82"
	const pid = "peer_id=-TR3000-fmgugti5ecv8"
	tests := []struct {
		name string
		q    string
		want error
	}{
		{name: "empty query", q: "", want: ErrMissingInfoHash},
		{name: "missing info_hash", q: pid + "&port=1", want: ErrMissingInfoHash},
		{name: "info_hash 19 bytes", q: "info_hash=aaaaaaaaaaaaaaaaaaa&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "info_hash 21 bytes", q: "info_hash=aaaaaaaaaaaaaaaaaaaaa&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "info_hash 60 bytes of hex", q: "info_hash=e0d8f2b59e76a1ca1b8317206e8cd28479a7ca82&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "info_hash bad escape", q: "info_hash=%zzaaaaaaaaaaaaaaaaaaa&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "info_hash truncated escape", q: "info_hash=aaaaaaaaaaaaaaaaaaa%4&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "info_hash empty", q: "info_hash=&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "invalid then valid info_hash", q: "info_hash=x&" + ih + "&" + pid + "&port=1", want: ErrBadInfoHash},
		{name: "missing peer_id", q: ih + "&port=1", want: ErrMissingPeerID},
		{name: "peer_id short", q: ih + "&peer_id=abc&port=1", want: ErrBadPeerID},
		{name: "peer_id bad escape", q: ih + "&peer_id=%g0aaaaaaaaaaaaaaaaaaa&port=1", want: ErrBadPeerID},
		{name: "missing port", q: ih + "&" + pid, want: ErrBadPort},
		{name: "port 0", q: ih + "&" + pid + "&port=0", want: ErrBadPort},
		{name: "port 65536", q: ih + "&" + pid + "&port=65536", want: ErrBadPort},
		{name: "port huge", q: ih + "&" + pid + "&port=99999999999999999999999", want: ErrBadPort},
		{name: "port negative", q: ih + "&" + pid + "&port=-1", want: ErrBadPort},
		{name: "port plus", q: ih + "&" + pid + "&port=+1", want: ErrBadPort},
		{name: "port empty", q: ih + "&" + pid + "&port=", want: ErrBadPort},
		{name: "port no value", q: ih + "&" + pid + "&port", want: ErrBadPort},
		{name: "port text", q: ih + "&" + pid + "&port=abc", want: ErrBadPort},
		{name: "port space", q: ih + "&" + pid + "&port=1%20", want: ErrBadPort},
		{name: "port bad escape", q: ih + "&" + pid + "&port=%3", want: ErrBadPort},
		{name: "errors come in query order", q: "port=0&" + pid, want: ErrBadPort},
		{name: "uploaded", q: ih + "&" + pid + "&port=1&uploaded=x", want: ErrBadUploaded},
		{name: "uploaded overflow", q: ih + "&" + pid + "&port=1&uploaded=18446744073709551616", want: ErrBadUploaded},
		{name: "downloaded negative", q: ih + "&" + pid + "&port=1&downloaded=-1", want: ErrBadDownloaded},
		{name: "left negative", q: ih + "&" + pid + "&port=1&left=-1", want: ErrBadLeft},
		{name: "left empty", q: ih + "&" + pid + "&port=1&left=", want: ErrBadLeft},
		{name: "event unknown", q: ih + "&" + pid + "&port=1&event=foo", want: ErrBadEvent},
		{name: "event case-sensitive", q: ih + "&" + pid + "&port=1&event=Started", want: ErrBadEvent},
		{name: "event bad escape", q: ih + "&" + pid + "&port=1&event=%", want: ErrBadEvent},
		{name: "compact 2", q: ih + "&" + pid + "&port=1&compact=2", want: ErrBadCompact},
		{name: "compact empty", q: ih + "&" + pid + "&port=1&compact=", want: ErrBadCompact},
		{name: "compact 01", q: ih + "&" + pid + "&port=1&compact=01", want: ErrBadCompact},
		{name: "numwant text", q: ih + "&" + pid + "&port=1&numwant=all", want: ErrBadNumWant},
		{name: "numwant empty", q: ih + "&" + pid + "&port=1&numwant=", want: ErrBadNumWant},
		{name: "numwant minus only", q: ih + "&" + pid + "&port=1&numwant=-", want: ErrBadNumWant},
		{name: "numwant plus", q: ih + "&" + pid + "&port=1&numwant=+5", want: ErrBadNumWant},
		{name: "numwant over int32", q: ih + "&" + pid + "&port=1&numwant=2147483648", want: ErrBadNumWant},
		{name: "numwant under int32", q: ih + "&" + pid + "&port=1&numwant=-2147483649", want: ErrBadNumWant},
		{name: "key over MaxKey", q: ih + "&" + pid + "&port=1&key=" + strings.Repeat("k", MaxKey+1), want: ErrBadKey},
		{name: "key bad escape", q: ih + "&" + pid + "&port=1&key=%x1", want: ErrBadKey},
		{name: "trackerid over MaxTrackerID", q: ih + "&" + pid + "&port=1&trackerid=" + strings.Repeat("t", MaxTrackerID+1), want: ErrBadTrackerID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Announce
			if err := a.ParseQuery([]byte(tt.q)); err != tt.want {
				t.Fatalf("ParseQuery(%q) = %v, want %v", tt.q, err, tt.want)
			}
		})
	}
}

// TestAnnounceParseQuery_Reuse checks that ParseQuery overwrites every
// field: an Announce reused after a rich query equals a fresh one.
func TestAnnounceParseQuery_Reuse(t *testing.T) {
	rich := minimalQuery + "&uploaded=1&downloaded=2&left=3&event=stopped&compact=0&no_peer_id=1&numwant=9" +
		"&key=" + strings.Repeat("k", MaxKey) + "&trackerid=" + strings.Repeat("t", MaxTrackerID) +
		"&ip=1.2.3.4&ipv4=5.6.7.8:9&ipv6=[::1]:10&event=paused"
	var reused Announce
	if err := reused.ParseQuery([]byte(rich)); err != nil {
		t.Fatal(err)
	}
	if err := reused.ParseQuery([]byte(minimalQuery)); err != nil {
		t.Fatal(err)
	}
	if reused != announce() {
		t.Fatalf("reused %+v", reused)
	}
}

func TestScrapeParseQuery(t *testing.T) {
	a, b, c := b20("aaaaaaaaaaaaaaaaaaaa"), b20("bbbbbbbbbbbbbbbbbbbb"), b20("cccccccccccccccccccc")
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "info_hash=" + strings.Repeat("%"+hex.EncodeToString([]byte{byte(i)}), 20)
		}
		return strings.Join(parts, "&")
	}
	tests := []struct {
		name string
		q    string
		want []([20]byte)
		err  error
	}{
		{name: "full scrape", q: "", want: nil},
		{name: "full scrape with other parameters", q: "passkey=x&peer_id=y", want: nil},
		{name: "captured Transmission scrape", q: string(fixtureQuery(t, "scrape_transmission_3.00.http")), want: [][20]byte{fixtureHash}},
		{name: "three, in order, duplicates kept", q: "info_hash=bbbbbbbbbbbbbbbbbbbb&x=1&info_hash=%61aaaaaaaaaaaaaaaaaaa&info_hash=cccccccccccccccccccc&info_hash=aaaaaaaaaaaaaaaaaaaa", want: [][20]byte{b, a, c, a}},
		{name: "plus is literal", q: "info_hash=++++++++++++++++++++", want: [][20]byte{b20("++++++++++++++++++++")}},
		{name: "MaxScrapeHashes", q: many(MaxScrapeHashes), want: nil},
		{name: "one too many", q: many(MaxScrapeHashes + 1), err: ErrTooManyHashes},
		{name: "bad hash", q: "info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=short", err: ErrBadInfoHash},
		{name: "empty hash", q: "info_hash", err: ErrBadInfoHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Start dirty: the previous parse filled every slot.
			s := new(Scrape)
			if err := s.ParseQuery([]byte(many(MaxScrapeHashes))); err != nil {
				t.Fatal(err)
			}
			err := s.ParseQuery([]byte(tt.q))
			if err != tt.err {
				t.Fatalf("ParseQuery = %v, want %v", err, tt.err)
			}
			want := new(Scrape)
			if tt.name == "MaxScrapeHashes" {
				for i := range MaxScrapeHashes {
					want.Hashes[i] = [20]byte(bytes.Repeat([]byte{byte(i)}, 20))
				}
				want.NHashes = MaxScrapeHashes
			} else {
				want.NHashes = copy(want.Hashes[:], tt.want)
			}
			if *s != *want {
				t.Fatalf("got NHashes %d %x\nwant NHashes %d %x", s.NHashes, s.Hashes[:s.NHashes], want.NHashes, want.Hashes[:want.NHashes])
			}
		})
	}
}

func TestScrapeParseQuery_HandSetCount(t *testing.T) {
	s := new(Scrape)
	s.Hashes[MaxScrapeHashes-1][0] = 1
	s.NHashes = -3 // nonsense: ParseQuery must still leave the tail zero
	if err := s.ParseQuery([]byte("info_hash=aaaaaaaaaaaaaaaaaaaa")); err != nil {
		t.Fatal(err)
	}
	want := Scrape{NHashes: 1}
	want.Hashes[0] = b20("aaaaaaaaaaaaaaaaaaaa")
	if *s != want {
		t.Fatalf("tail not cleared: %x", s.Hashes[MaxScrapeHashes-1])
	}
	s.Reset()
	if *s != (Scrape{}) {
		t.Fatal("Reset left data")
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{in: "0", want: 0, ok: true},
		{in: "18446744073709551615", want: 1<<64 - 1, ok: true},
		{in: "018446744073709551615", want: 1<<64 - 1, ok: true},
		{in: "18446744073709551616", ok: false},
		{in: "18446744073709551620", ok: false},
		{in: "99999999999999999999", ok: false},
		{in: "", ok: false},
		{in: "1a", ok: false},
		{in: "%31%38", want: 18, ok: true},
		{in: "%3", ok: false},
		{in: "%41", ok: false},
		{in: "/", ok: false},
		{in: ":", ok: false},
	}
	for _, tt := range tests {
		got, ok := parseUint([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseUint(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
