package swarm

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"testing"
)

// peerState is what a snapshot must keep of a peer.
type peerState struct {
	exp    uint32
	seeder bool
}

// torrentState is what a snapshot must keep of a torrent.
type torrentState struct {
	downloaded uint32
	peers      map[string]peerState // by compact peer; IPv4 keys are 6 bytes
}

// dump returns the live contents of t at now, keyed by info hash.
func (t *Table) dump(now uint32) map[InfoHash]torrentState {
	out := map[InfoHash]torrentState{}
	for si := range t.shards {
		s := &t.shards[si]
		s.mu.Lock()
		for i := range s.slab {
			tr := &s.slab[i]
			if tr.expire <= now {
				continue
			}
			ts := torrentState{downloaded: tr.downloaded, peers: map[string]peerState{}}
			for fam := range 2 {
				var l plist
				s.view(&l, tr, fam)
				for p := range l.n {
					if l.expiry(p) > now {
						ts.peers[string(l.key(p))] = peerState{exp: l.expiry(p), seeder: p >= l.nl}
					}
				}
			}
			out[tr.ih] = ts
		}
		s.mu.Unlock()
	}
	return out
}

func sameDump(tb testing.TB, got, want map[InfoHash]torrentState) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d torrents, want %d", len(got), len(want))
	}
	for ih, w := range want {
		g, ok := got[ih]
		if !ok {
			tb.Fatalf("torrent %x missing", ih)
		}
		if g.downloaded != w.downloaded || len(g.peers) != len(w.peers) {
			tb.Fatalf("torrent %x: downloaded %d, %d peers; want %d, %d", ih, g.downloaded, len(g.peers), w.downloaded, len(w.peers))
		}
		for k, wp := range w.peers {
			if gp, ok := g.peers[k]; !ok || gp != wp {
				tb.Fatalf("torrent %x peer %x: %+v (present %v), want %+v", ih, k, gp, ok, wp)
			}
		}
	}
}

func snapshot(tb testing.TB, t *Table, now uint32) ([]byte, SnapshotStats) {
	tb.Helper()
	var b bytes.Buffer
	st, err := t.WriteSnapshot(&b, now)
	if err != nil {
		tb.Fatal(err)
	}
	if st.Bytes != int64(b.Len()) {
		tb.Fatalf("stats say %d bytes, wrote %d", st.Bytes, b.Len())
	}
	return b.Bytes(), st
}

// sampleTable has every storage state in both families: inline, arena
// classes, big swarms, seeders and leechers, completions, peers announced
// at different times and torrents left without peers.
func sampleTable(tb testing.TB, cfg Config) *Table {
	t := New(cfg)
	for i := range 200 { // small torrents, mixed
		ih := ihOf(i)
		for j := range i % 7 {
			ann(tb, t, ih, peer4(i*10+j, j%3 == 0), EventStarted, 0, false, t0+uint32(j))
		}
		for j := range i % 5 {
			ann(tb, t, ih, peer6(i*10+j, j%2 == 0), EventStarted, 0, false, t0+uint32(j*7))
		}
		if i%4 == 0 && i%7 > 1 {
			ann(tb, t, ih, peer4(i*10+1, true), EventCompleted, 0, false, t0+20)
		}
	}
	for j := range 1000 { // a big IPv4 swarm
		ann(tb, t, ihOf(1000), peer4(j, j%4 == 0), EventStarted, 0, false, t0+uint32(j%60))
	}
	for j := range 300 { // a big IPv6 swarm, just past maxPooled
		ann(tb, t, ihOf(1001), peer6(j, j%2 == 0), EventStarted, 0, false, t0+uint32(j%30))
	}
	for j := range 40 {
		ann(tb, t, ihOf(1001), peer6(j, true), EventCompleted, 0, false, t0+50)
	}
	// A torrent whose only peer stopped: no peers, a downloaded count, and
	// still kept until its last announce times out.
	ann(tb, t, ihOf(1002), peer4(1, false), EventStarted, 0, false, t0)
	ann(tb, t, ihOf(1002), peer4(1, true), EventCompleted, 0, false, t0)
	ann(tb, t, ihOf(1002), peer4(1, true), EventStopped, 0, false, t0)
	t.check(tb)
	return t
}

func TestSnapshot_RoundTrip(t *testing.T) {
	cfg := Config{Shards: 8, PeerTimeoutSec: 600}
	src := sampleTable(t, cfg)
	now := uint32(t0 + 100)
	b, wst := snapshot(t, src, now)
	want := src.dump(now)
	if wst.Torrents != uint64(len(want)) || wst.CreatedUnix != now || wst.PeerTimeoutSec != 600 {
		t.Fatalf("write stats %+v, %d torrents live", wst, len(want))
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		now  uint32
	}{
		{"same config", cfg, now},
		{"other shards", Config{Shards: 64, PeerTimeoutSec: 600}, now},
		{"one shard", Config{Shards: 1, PeerTimeoutSec: 600}, now},
		{"later", cfg, now + 30}, // some peers expired meanwhile
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, rst, err := ReadSnapshot(bytes.NewReader(b), tc.cfg, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			got.check(t)
			sameDump(t, got.dump(tc.now), src.dump(tc.now))
			if rst.Bytes != int64(len(b)) || rst.CreatedUnix != now || rst.Peers+rst.Expired != wst.Peers {
				t.Fatalf("read stats %+v, write stats %+v", rst, wst)
			}
			if tc.now == now && rst.Expired != 0 {
				t.Fatalf("%d peers expired at the same instant", rst.Expired)
			}
			for i := range 1003 {
				ih := ihOf(i)
				if g, w := got.Scrape(&ih, tc.now), src.Scrape(&ih, tc.now); g != w {
					t.Fatalf("torrent %d: scrape %+v, want %+v", i, g, w)
				}
			}
			if got.Stats() != src.statsLive(tc.now) {
				t.Fatalf("stats %+v, want %+v", got.Stats(), src.statsLive(tc.now))
			}
			// The loaded table serves: a new leecher gets the old peers.
			v4, _, c := ann(t, got, ihOf(1000), peer4(5000, false), EventStarted, 50, false, tc.now)
			if len(v4) != 50 || c.Seeders+c.Leechers < 900 {
				t.Fatalf("announce after load: %d peers, counts %+v", len(v4), c)
			}
			got.check(t)
			// And written again, it reads back the same.
			b2, _ := snapshot(t, got, tc.now)
			again, _, err := ReadSnapshot(bytes.NewReader(b2), tc.cfg, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			sameDump(t, again.dump(tc.now), got.dump(tc.now))
		})
	}
}

// statsLive is Stats after a full Clean at now, without changing t.
func (t *Table) statsLive(now uint32) Stats {
	var st Stats
	for ih, ts := range t.dump(now) {
		_ = ih
		st.Torrents++
		for k, p := range ts.peers {
			switch {
			case len(k) == 6 && p.seeder:
				st.Seeders4++
			case len(k) == 6:
				st.Leechers4++
			case p.seeder:
				st.Seeders6++
			default:
				st.Leechers6++
			}
		}
	}
	return st
}

func TestSnapshot_Empty(t *testing.T) {
	b, st := snapshot(t, New(Config{}), t0)
	if st.Torrents != 0 || st.Peers != 0 || len(b) != snapHeaderSize+snapTrailerSize {
		t.Fatalf("empty table: %+v, %d bytes", st, len(b))
	}
	got, _, err := ReadSnapshot(bytes.NewReader(b), Config{}, t0+1)
	if err != nil || got.Stats() != (Stats{}) {
		t.Fatalf("%v, %+v", err, got)
	}
}

// TestSnapshot_Expiry: peers keep their remaining lifetime, expired ones
// are skipped, a shorter timeout cuts the stamps, and a snapshot a whole
// peer timeout old is refused.
func TestSnapshot_Expiry(t *testing.T) {
	src := New(Config{PeerTimeoutSec: 1000})
	ih := ihOf(1)
	ann(t, src, ih, peer4(1, false), EventStarted, 0, false, t0)     // expires t0+1000
	ann(t, src, ih, peer4(2, true), EventStarted, 0, false, t0+500)  // t0+1500
	ann(t, src, ih, peer6(3, false), EventStarted, 0, false, t0+800) // t0+1800
	b, _ := snapshot(t, src, t0+900)

	got, st, err := ReadSnapshot(bytes.NewReader(b), Config{PeerTimeoutSec: 1000}, t0+1200)
	if err != nil {
		t.Fatal(err)
	}
	if st.Peers != 2 || st.Expired != 1 {
		t.Fatalf("stats %+v, want 2 peers and 1 expired", st)
	}
	want := map[InfoHash]torrentState{ih: {peers: map[string]peerState{
		compact(peer4(2, true)):  {exp: t0 + 1500, seeder: true},
		compact(peer6(3, false)): {exp: t0 + 1800},
	}}}
	sameDump(t, got.dump(t0+1200), want)

	// A shorter timeout on the reader cuts the stamps to now + timeout.
	got, _, err = ReadSnapshot(bytes.NewReader(b), Config{PeerTimeoutSec: 400}, t0+1200)
	if err != nil {
		t.Fatal(err)
	}
	want[ih].peers[compact(peer6(3, false))] = peerState{exp: t0 + 1600}
	sameDump(t, got.dump(t0+1200), want)

	// One timeout (the reader's) after writing, the file is stale.
	for _, tc := range []struct {
		timeout, now uint32
		stale        bool
	}{
		{1000, t0 + 1899, false},
		{1000, t0 + 1900, true},
		{100, t0 + 1000, true},
		{5000, t0 + 1900, false}, // every peer expired, but the file is young
	} {
		_, st, err := ReadSnapshot(bytes.NewReader(b), Config{PeerTimeoutSec: tc.timeout}, tc.now)
		if errors.Is(err, ErrSnapshotStale) != tc.stale || (!tc.stale && err != nil) {
			t.Errorf("timeout %d, now t0+%d: %v, stale %v", tc.timeout, tc.now-t0, err, tc.stale)
		}
		if st.CreatedUnix != t0+900 {
			t.Errorf("stats %+v do not carry the creation time", st)
		}
	}
}

// reseal recomputes the checksum of a snapshot after an edit.
func reseal(b []byte) []byte {
	if len(b) >= 4 {
		le.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	}
	return b
}

func TestSnapshot_Corrupt(t *testing.T) {
	src := New(Config{Shards: 2})
	for i := range 20 {
		ann(t, src, ihOf(i%3), peer4(i, i%2 == 0), EventStarted, 0, false, t0)
		ann(t, src, ihOf(i%3), peer6(i, i%2 == 0), EventStarted, 0, false, t0)
	}
	good, _ := snapshot(t, src, t0)
	read := func(b []byte) error {
		_, _, err := ReadSnapshot(bytes.NewReader(b), Config{Shards: 2}, t0+1)
		return err
	}
	if err := read(good); err != nil {
		t.Fatal(err)
	}

	t.Run("every byte flipped", func(t *testing.T) {
		for i := range good {
			b := bytes.Clone(good)
			b[i] ^= 0x5a
			if err := read(b); err == nil {
				t.Fatalf("byte %d flipped: no error", i)
			}
		}
	})
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(good) {
			if err := read(good[:n]); !errors.Is(err, ErrSnapshotCorrupt) && !(n < len(snapMagic) && errors.Is(err, ErrSnapshotForeign)) {
				t.Fatalf("%d of %d bytes: %v", n, len(good), err)
			}
		}
	})

	torrent := snapHeaderSize // the first torrent record
	f := func(name string, edit func(b []byte) []byte, want error) {
		t.Helper()
		err := read(edit(bytes.Clone(good)))
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
		t.Logf("%s: %v", name, err)
	}
	f("foreign", func(b []byte) []byte { return []byte("d8:announce...") }, ErrSnapshotForeign)
	f("empty", func(b []byte) []byte { return nil }, ErrSnapshotCorrupt)
	f("version 2", func(b []byte) []byte { b[len(snapMagic)] = 2; return b }, ErrSnapshotVersion)
	f("trailing byte", func(b []byte) []byte { return append(b, 0) }, ErrSnapshotCorrupt)
	f("bad tag", func(b []byte) []byte { b[torrent] = 'X'; return reseal(b) }, ErrSnapshotCorrupt)
	f("leechers > peers", func(b []byte) []byte {
		le.PutUint32(b[torrent+33:], 1000)
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("huge peer count", func(b []byte) []byte {
		le.PutUint32(b[torrent+29:], 1<<31)
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("peer count too high for the file", func(b []byte) []byte {
		le.PutUint32(b[torrent+29:], le.Uint32(b[torrent+29:])+1)
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("expiry beyond the timeout", func(b []byte) []byte {
		le.PutUint32(b[torrent+snapTorrentSize+6:], t0+DefaultPeerTimeoutSec+1)
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("repeated peer", func(b []byte) []byte {
		p := b[torrent+snapTorrentSize:]
		copy(p[rec4:2*rec4], p[:rec4])
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("repeated torrent", func(b []byte) []byte {
		// Make the second torrent's info hash the first's.
		n4, n6 := int(le.Uint32(b[torrent+29:])), int(le.Uint32(b[torrent+37:]))
		second := torrent + snapTorrentSize + n4*rec4 + n6*rec6
		if b[second] != snapTagTorrent {
			t.Fatalf("no second torrent at %d", second)
		}
		copy(b[second+1:second+21], b[torrent+1:torrent+21])
		return reseal(b)
	}, ErrSnapshotCorrupt)
	f("trailer counts", func(b []byte) []byte {
		b[len(b)-snapTrailerSize+1]++
		return reseal(b)
	}, ErrSnapshotCorrupt)
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(b)
	return len(b), nil
}

func TestSnapshot_WriteError(t *testing.T) {
	src := sampleTable(t, Config{})
	for _, n := range []int{0, 10, 5000} {
		if _, err := src.WriteSnapshot(&failWriter{n: n}, t0); !errors.Is(err, errDiskFull) {
			t.Errorf("after %d bytes: %v", n, err)
		}
	}
}

// errReader fails with a non-EOF error after its bytes.
type errReader struct{ r io.Reader }

func (e errReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if err == io.EOF {
		return n, errDiskFull
	}
	return n, err
}

func TestSnapshot_ReadError(t *testing.T) {
	good, _ := snapshot(t, sampleTable(t, Config{}), t0)
	for _, n := range []int{0, 5, snapHeaderSize, len(good) / 2, len(good)} {
		_, _, err := ReadSnapshot(errReader{bytes.NewReader(good[:n])}, Config{}, t0)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("read error after %d bytes: %v", n, err)
		}
	}
}

// TestSnapshot_Concurrent writes snapshots while announces and Clean run:
// every snapshot must read back, each torrent whole.
func TestSnapshot_Concurrent(t *testing.T) {
	src := New(Config{Shards: 4, PeerTimeoutSec: 100})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20000 {
			now := uint32(t0 + i/200)
			ev := EventStarted
			if i%5 == 0 {
				ev = EventStopped
			}
			a := AnnounceArgs{InfoHash: ihOf(i % 37), Peer: peer4(i%600, i%3 == 0), Event: ev}
			src.Announce(nil, nil, &a, now)
			if i%100 == 0 {
				src.Clean(now, 10)
			}
		}
	}()
	for k := 0; ; k++ {
		select {
		case <-done:
			if k == 0 {
				t.Log("the announces finished before the first snapshot")
			}
			return
		default:
		}
		b, _ := snapshot(t, src, t0+100) // the clock of the announces ends at t0+99
		got, _, err := ReadSnapshot(bytes.NewReader(b), Config{PeerTimeoutSec: 100}, t0+100)
		if err != nil {
			t.Fatalf("snapshot %d: %v", k, err)
		}
		got.check(t)
	}
}

func ExampleTable_WriteSnapshot() {
	t := New(Config{})
	a := AnnounceArgs{InfoHash: InfoHash{1}, Peer: Peer{Addr: [16]byte{192, 0, 2, 1}, Port: 6881, Seeder: true}, Event: EventCompleted}
	t.Announce(nil, nil, &a, t0)

	var file bytes.Buffer
	wst, err := t.WriteSnapshot(&file, t0+10)
	if err != nil {
		panic(err)
	}
	loaded, rst, err := ReadSnapshot(&file, Config{}, t0+20)
	if err != nil {
		panic(err)
	}
	fmt.Println(wst.Torrents, wst.Peers, wst.Bytes, rst.Peers, loaded.Scrape(&a.InfoHash, t0+20))
	// Output: 1 1 100 1 {1 0 1}
}

var updateGolden = flag.Bool("update", false, "rewrite testdata/snapshot-v1.bin")

// goldenTable is the table stored in testdata/snapshot-v1.bin, written at
// t0 with a peer timeout of 600 s.
func goldenTable(tb testing.TB) *Table {
	t := New(Config{PeerTimeoutSec: 600})
	for i := range 5 {
		ann(tb, t, ihOf(i), peer4(i, i%2 == 0), EventCompleted, 0, false, t0-uint32(i))
		ann(tb, t, ihOf(i), peer6(i, false), EventStarted, 0, false, t0-100)
	}
	for i := range maxPooled + 4 {
		ann(tb, t, ihOf(9), peer4(i, i%3 == 0), EventStarted, 0, false, t0-uint32(i%50))
	}
	return t
}

// TestSnapshot_Golden reads a version 1 snapshot written by an earlier
// build: a change to the format must bump snapVersion, not break old files
// silently. It also seeds FuzzReadSnapshot.
func TestSnapshot_Golden(t *testing.T) {
	const path = "testdata/snapshot-v1.bin"
	want := goldenTable(t)
	if *updateGolden {
		b, _ := snapshot(t, want, t0)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, st, err := ReadSnapshot(bytes.NewReader(b), Config{PeerTimeoutSec: 600}, t0+1)
	if err != nil {
		t.Fatal(err)
	}
	if st.CreatedUnix != t0 || st.PeerTimeoutSec != 600 || st.Torrents != 6 {
		t.Fatalf("stats %+v", st)
	}
	got.check(t)
	sameDump(t, got.dump(t0+1), want.dump(t0+1))
}
