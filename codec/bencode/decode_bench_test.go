package bencode

import "testing"

// BenchmarkDecodeAnnounce decodes a compact=0 reply with 50 peers, the
// load generator's heaviest validation.
func BenchmarkDecodeAnnounce(b *testing.B) {
	enc := AppendAnnounce(nil, &Announce{
		Complete: 1234, Downloaded: 99999, Incomplete: 567, Interval: 1800, MinInterval: 900,
		Peers4: makePeers(50, PeerSizeV4, 1), PeerIDs4: makeIDs(50, 3),
	})
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
