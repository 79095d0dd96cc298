package swarm

import (
	"bytes"
	"io"
	"testing"
)

// snapshotTable returns a table of 1M peers: spread over small swarms (4
// peers each, one in ten IPv6, a quarter seeders), or in ten big swarms.
func snapshotTable(tb testing.TB, big bool) *Table {
	t := New(Config{Shards: 64})
	a := AnnounceArgs{}
	for i := range 1_000_000 {
		if big {
			a.InfoHash = ihOf(i % 10)
		} else {
			a.InfoHash = ihOf(i / 4)
		}
		if i%10 == 9 {
			a.Peer = peer6(i, i%4 == 0)
		} else {
			a.Peer = peer4(i, i%4 == 0)
		}
		t.Announce(nil, nil, &a, t0)
	}
	if st := t.Stats(); st.Seeders4+st.Leechers4+st.Seeders6+st.Leechers6 != 1_000_000 {
		tb.Fatalf("table holds %+v", st)
	}
	return t
}

// BenchmarkSnapshot writes and reads a snapshot of 1M peers, reporting the
// cost per peer and the file size per peer.
func BenchmarkSnapshot(b *testing.B) {
	for _, big := range []bool{false, true} {
		name := "small-swarms"
		if big {
			name = "big-swarms"
		}
		t := snapshotTable(b, big)
		var file bytes.Buffer
		st, err := t.WriteSnapshot(&file, t0+1)
		if err != nil {
			b.Fatal(err)
		}
		perPeer := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(st.Peers), "ns/peer")
			b.ReportMetric(float64(st.Bytes)/float64(st.Peers), "file-B/peer")
		}
		b.Run(name+"/write", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.Bytes)
			for b.Loop() {
				if _, err := t.WriteSnapshot(io.Discard, t0+1); err != nil {
					b.Fatal(err)
				}
			}
			perPeer(b)
		})
		b.Run(name+"/read", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.Bytes)
			for b.Loop() {
				if _, _, err := ReadSnapshot(bytes.NewReader(file.Bytes()), Config{Shards: 64}, t0+2); err != nil {
					b.Fatal(err)
				}
			}
			perPeer(b)
		})
	}
}
