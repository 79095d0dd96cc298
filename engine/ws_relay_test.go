package engine

import (
	"bytes"
	"sync"
	"testing"

	"github.com/trackerd/trackerd/swarm"
)

func TestInbox(t *testing.T) {
	var in inbox
	wake, ok := in.push(swarm.MakeConn(1, 2, 3), []byte("first"))
	if !wake || !ok {
		t.Fatalf("first push: wake %v ok %v", wake, ok)
	}
	if wake, _ := in.push(swarm.MakeConn(1, 5, 0), []byte("second")); wake {
		t.Fatal("second push asked for another wake-up")
	}
	var got []string
	for b := in.take(nil); ; {
		h, f, rest, ok := nextFrame(b)
		if !ok {
			break
		}
		got = append(got, string(f))
		if h.Loop() != 1 {
			t.Fatalf("handle loop %d", h.Loop())
		}
		b = rest
	}
	if len(got) != 2 || got[0] != "first" || got[1] != "second" {
		t.Fatalf("frames %q", got)
	}
	if wake, _ := in.push(swarm.MakeConn(1, 2, 3), []byte("x")); !wake {
		t.Fatal("push after take did not ask to wake the owner")
	}
	if _, ok := in.push(1, make([]byte, maxInbox)); ok {
		t.Fatal("inbox accepted more than maxInbox")
	}
}

func TestInbox_Concurrent(t *testing.T) {
	var in inbox
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				in.push(swarm.MakeConn(uint16(w), uint32(i), 0), bytes.Repeat([]byte{byte(w)}, i%50))
			}
		})
	}
	n := 0
	for done := false; !done; {
		wg.Wait()
		done = true
		for b := in.take(nil); ; {
			h, f, rest, ok := nextFrame(b)
			if !ok {
				break
			}
			if len(f) != int(h.Slot())%50 || (len(f) > 0 && f[0] != byte(h.Loop())) {
				t.Fatalf("frame %x for handle %x", f, h)
			}
			n++
			b = rest
		}
	}
	if n != 4000 {
		t.Fatalf("%d frames, want 4000", n)
	}
}

func TestWSSlots(t *testing.T) {
	var s wsSlots
	a, b := &httpConn{}, &httpConn{}
	ha := s.add(7, a)
	hb := s.add(7, b)
	if s.lookup(ha) != a || s.lookup(hb) != b || ha.Loop() != 7 {
		t.Fatal("lookup of live handles")
	}
	s.remove(ha)
	if s.lookup(ha) != nil {
		t.Fatal("removed handle still resolves")
	}
	c := &httpConn{}
	hc := s.add(7, c)
	if hc.Slot() != ha.Slot() || s.lookup(ha) != nil || s.lookup(hc) != c {
		t.Fatal("a reused slot resolves the old handle")
	}
	s.remove(ha) // stale: must not free c's slot
	if s.lookup(hc) != c {
		t.Fatal("removing a stale handle freed a live slot")
	}
}
