package bencode

import "testing"

func benchAnnounce(b *testing.B, a *Announce) {
	b.Helper()
	dst := AppendAnnounce(nil, a)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendAnnounce(dst[:0], a)
	}
}

// BenchmarkAppendAnnounce_Compact50 is the common reply: 50 IPv4 peers,
// compact (BEP 23).
func BenchmarkAppendAnnounce_Compact50(b *testing.B) {
	benchAnnounce(b, &Announce{
		Complete: 1234, Downloaded: 99999, Incomplete: 567, Interval: 1800, MinInterval: 900,
		Compact: true, Peers4: makePeers(50, PeerSizeV4, 1),
	})
}

// BenchmarkAppendAnnounce_NonCompact50 is a compact=0 reply with 50 IPv4
// peers and their peer ids: text addresses and one dict per peer.
func BenchmarkAppendAnnounce_NonCompact50(b *testing.B) {
	benchAnnounce(b, &Announce{
		Complete: 1234, Downloaded: 99999, Incomplete: 567, Interval: 1800, MinInterval: 900,
		Peers4: makePeers(50, PeerSizeV4, 1), PeerIDs4: makeIDs(50, 3),
	})
}

// BenchmarkAppendAnnounce_NonCompact50V6 is the same with 50 IPv6 peers,
// whose text form is the costlier one.
func BenchmarkAppendAnnounce_NonCompact50V6(b *testing.B) {
	benchAnnounce(b, &Announce{
		Complete: 1234, Downloaded: 99999, Incomplete: 567, Interval: 1800, MinInterval: 900,
		Peers6: makePeers(50, PeerSizeV6, 2), PeerIDs6: makeIDs(50, 4),
	})
}

func BenchmarkAppendFailure(b *testing.B) {
	dst := AppendFailure(nil, "unregistered torrent", 300)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		dst = AppendFailure(dst[:0], "unregistered torrent", 300)
	}
}
