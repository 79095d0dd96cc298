package swarm

import (
	"math/rand/v2"
	"testing"
)

// TestArena_NoOverlap allocates and frees blocks of every class at random,
// filling each with its own byte, and checks that no block ever overwrites
// another and that freed blocks are reused.
func TestArena_NoOverlap(t *testing.T) {
	var a arena
	a.init()
	type blk struct {
		addr     uint32
		fam, cls int
		fill     byte
	}
	var live []blk
	r := rand.New(rand.NewPCG(5, 5))
	verify := func(b blk) {
		t.Helper()
		for i, c := range a.block(b.addr, blockBytes(b.fam, b.cls)) {
			if c != b.fill {
				t.Fatalf("block %d/%d at %#x: byte %d is %d, want %d", b.fam, b.cls, b.addr, i, c, b.fill)
			}
		}
	}
	for step := range 20000 {
		if len(live) > 0 && r.IntN(3) == 0 {
			i := r.IntN(len(live))
			b := live[i]
			verify(b)
			a.release(b.fam, b.cls, b.addr)
			live[i] = live[len(live)-1]
			live = live[:len(live)-1]
			continue
		}
		b := blk{fam: r.IntN(2), cls: r.IntN(numClasses), fill: byte(step)}
		b.addr = a.alloc(b.fam, b.cls)
		blk := a.block(b.addr, blockBytes(b.fam, b.cls))
		for i := range blk {
			blk[i] = b.fill
		}
		live = append(live, b)
	}
	for _, b := range live {
		verify(b)
		a.release(b.fam, b.cls, b.addr)
	}
	if a.blocks != ([2][numClasses]int{}) {
		t.Fatalf("blocks left: %v", a.blocks)
	}
	// Everything is free now: the same mix again needs no new chunk.
	chunks := len(a.chunks)
	for range 100 {
		a.alloc(fam4, 0)
	}
	if len(a.chunks) != chunks {
		t.Fatalf("free blocks not reused: %d chunks, was %d", len(a.chunks), chunks)
	}
}

func TestArena_BlockSizes(t *testing.T) {
	for fam := range 2 {
		for cls := range numClasses {
			if sz := blockBytes(fam, cls); sz%4 != 0 || sz > chunkBytes/4 {
				t.Errorf("class %d of family %d: %d-byte blocks (need a multiple of 4, at most a quarter chunk)", cls, fam, sz)
			}
		}
	}
	if classCap[numClasses-1] != maxPooled {
		t.Errorf("last class holds %d peers, maxPooled is %d", classCap[numClasses-1], maxPooled)
	}
}
