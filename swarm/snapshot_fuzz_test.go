package swarm

import (
	"bytes"
	"os"
	"runtime"
	"testing"
)

// FuzzReadSnapshot feeds ReadSnapshot arbitrary bytes, as they are and with
// the checksum recomputed (so that mutations get past it into the record
// parser). ReadSnapshot must never panic, nor allocate much more than the
// input's size; whatever it accepts must be a
// consistent table that writes back to a snapshot reading back the same.
func FuzzReadSnapshot(f *testing.F) {
	const now = t0 + 10
	cfg := Config{Shards: 4, PeerTimeoutSec: 100}
	seed := func(build func(t *Table)) {
		t := New(cfg)
		build(t)
		var b bytes.Buffer
		if _, err := t.WriteSnapshot(&b, now); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	seed(func(*Table) {})
	seed(func(t *Table) {
		for i := range 12 {
			ann(f, t, ihOf(i%4), peer4(i, i%3 == 0), EventCompleted, 0, false, t0+uint32(i))
			ann(f, t, ihOf(i%5), peer6(i, i%2 == 0), EventStarted, 0, false, t0)
		}
	})
	seed(func(t *Table) { // a big swarm
		for i := range maxPooled + 3 {
			ann(f, t, ihOf(1), peer4(i, i%2 == 0), EventStarted, 0, false, t0)
		}
	})
	if b, err := os.ReadFile("testdata/snapshot-v1.bin"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(snapMagic))
	f.Add([]byte("not a snapshot at all"))

	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(b []byte) {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			got, st, err := ReadSnapshot(bytes.NewReader(b), cfg, now)
			runtime.ReadMemStats(&m1)
			// The table, the buffer and what the bytes present can fill;
			// never what a count in the file claims.
			if d := m1.TotalAlloc - m0.TotalAlloc; d > 1<<20+uint64(100*len(b)) {
				t.Fatalf("reading %d bytes allocated %d", len(b), d)
			}
			if err != nil {
				return
			}
			if err := got.checkErr(); err != nil {
				t.Fatalf("accepted %x into a broken table: %v", b, err)
			}
			if st.Bytes != int64(len(b)) {
				t.Fatalf("accepted %d of %d bytes", st.Bytes, len(b))
			}
			var again bytes.Buffer
			if _, err := got.WriteSnapshot(&again, now); err != nil {
				t.Fatal(err)
			}
			back, _, err := ReadSnapshot(&again, cfg, now)
			if err != nil {
				t.Fatalf("a loaded table's snapshot does not read back: %v", err)
			}
			sameDump(t, back.dump(now), got.dump(now))
		}
		check(b)
		check(reseal(bytes.Clone(b)))
	})
}
