package swarm

import (
	"encoding/binary"
	"fmt"
	"testing"
	"unsafe"
)

// Test helpers: peers and info hashes from integers, reply decoding and a
// full invariant check of the table's internals.

func ihOf(i int) InfoHash {
	var ih InfoHash
	binary.BigEndian.PutUint64(ih[:], uint64(i)*0x9E3779B97F4A7C15+1)
	binary.BigEndian.PutUint32(ih[16:], uint32(i))
	return ih
}

// peer4 returns IPv4 peer i: address 10.x.y.z from i, port 6881+i%1000.
func peer4(i int, seeder bool) Peer {
	p := Peer{Port: uint16(6881 + i%1000), Seeder: seeder}
	binary.BigEndian.PutUint32(p.Addr[:4], 10<<24|uint32(i))
	return p
}

// peer6 returns IPv6 peer i in 2001:db8::/32.
func peer6(i int, seeder bool) Peer {
	p := Peer{Port: uint16(6881 + i%1000), V6: true, Seeder: seeder}
	p.Addr[0], p.Addr[1], p.Addr[2], p.Addr[3] = 0x20, 0x01, 0x0d, 0xb8
	binary.BigEndian.PutUint64(p.Addr[8:], uint64(i))
	return p
}

// compact returns p in the compact form a reply carries.
func compact(p Peer) string {
	n := 4
	if p.V6 {
		n = 16
	}
	return string(binary.BigEndian.AppendUint16(append([]byte(nil), p.Addr[:n]...), p.Port))
}

// split returns the compact peers of b (size bytes each) as strings,
// failing on a repeat.
func split(tb testing.TB, b []byte, size int) []string {
	tb.Helper()
	if len(b)%size != 0 {
		tb.Fatalf("reply of %d bytes is not a multiple of %d", len(b), size)
	}
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(b); i += size {
		k := string(b[i : i+size])
		if seen[k] {
			tb.Fatalf("peer %x returned twice", k)
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

func contains(list []string, k string) bool {
	for _, s := range list {
		if s == k {
			return true
		}
	}
	return false
}

// ann announces p on ih and returns the decoded IPv4 and IPv6 peers and the
// counts.
func ann(tb testing.TB, t *Table, ih InfoHash, p Peer, ev Event, numWant int, both bool, now uint32) (v4, v6 []string, c Counts) {
	tb.Helper()
	a := AnnounceArgs{InfoHash: ih, Peer: p, Event: ev, NumWant: numWant, BothFamilies: both}
	d4, d6, c := t.Announce(nil, nil, &a, now)
	return split(tb, d4, 6), split(tb, d6, 18), c
}

// check verifies every invariant of t's internals.
func (t *Table) check(tb testing.TB) {
	tb.Helper()
	if err := t.checkErr(); err != nil {
		tb.Fatal(err)
	}
}

func (t *Table) checkErr() error {
	for si := range t.shards {
		s := &t.shards[si]
		s.mu.Lock()
		err := s.checkErr()
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("shard %d: %w", si, err)
		}
	}
	return nil
}

func (s *shard) checkErr() error {
	if len(s.torrents) != len(s.slab) {
		return fmt.Errorf("map has %d torrents, slab %d", len(s.torrents), len(s.slab))
	}
	var leechers, seeders [2]int
	var blocks [2][numClasses]int
	bigs := 0
	for i := range s.slab {
		tr := &s.slab[i]
		if ti, ok := s.torrents[tr.ih]; !ok || int(ti) != i {
			return fmt.Errorf("torrent %d: map says %d, %v", i, ti, ok)
		}
		for fam := range 2 {
			n, nl, st := int(tr.n[fam]), int(tr.nl[fam]), tr.st[fam]
			leechers[fam] += nl
			seeders[fam] += n - nl
			if nl > n {
				return fmt.Errorf("torrent %d fam %d: nl %d > n %d", i, fam, nl, n)
			}
			switch {
			case st == stEmpty && n != 0:
				return fmt.Errorf("torrent %d fam %d: %d peers, no storage", i, fam, n)
			case st == stInline && fam != fam4:
				return fmt.Errorf("torrent %d: inline IPv6", i)
			case st == stBig:
				bigs++
			case st >= stArena:
				blocks[fam][st-stArena]++
			}
			var l plist
			s.view(&l, tr, fam)
			if n > l.cap() {
				return fmt.Errorf("torrent %d fam %d: %d peers, cap %d", i, fam, n, l.cap())
			}
			keys := map[string]bool{}
			for p := range n {
				k := string(l.key(p))
				if keys[k] {
					return fmt.Errorf("torrent %d fam %d: peer %x twice", i, fam, k)
				}
				keys[k] = true
				if l.idx != nil && l.lookup(l.key(p)) != p {
					return fmt.Errorf("torrent %d fam %d: index finds %d at %d", i, fam, p, l.lookup(l.key(p)))
				}
			}
			if l.idx != nil {
				used := 0
				for _, v := range l.idx {
					if v != 0 {
						used++
						if int(v) > n {
							return fmt.Errorf("torrent %d fam %d: index slot to %d, n %d", i, fam, v-1, n)
						}
					}
				}
				if used != n {
					return fmt.Errorf("torrent %d fam %d: index holds %d, n %d", i, fam, used, n)
				}
			}
		}
	}
	if leechers != s.leechers || seeders != s.seeders {
		return fmt.Errorf("totals %v/%v, torrents say %v/%v", s.leechers, s.seeders, leechers, seeders)
	}
	if blocks != s.arena.blocks {
		return fmt.Errorf("arena blocks %v, torrents use %v", s.arena.blocks, blocks)
	}
	if bigs != len(s.bigs)-len(s.bigFree) {
		return fmt.Errorf("%d bigLists used, %d slots, %d free", bigs, len(s.bigs), len(s.bigFree))
	}
	return nil
}

func unsafeSizeofShard() uintptr { return unsafe.Sizeof(shard{}) }
