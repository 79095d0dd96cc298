package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/trackerd/trackerd/codec/wt"
)

// benchWSPeer returns an active simulated browser of the torrents hashes,
// whose frames are queued and never written, its first info hash and the
// peer id of another browser.
func benchWSPeer(b *testing.B, hashes [][20]byte) (p *wsPeer, ih, other [20]byte) {
	b.Helper()
	cfg := DefaultWSConfig()
	w := &Workload{Hashes: hashes}
	p = newWSPeer(&cfg, w, &recorder{}, 1, 0, recentOffers)
	p.loop = &wsLoop{}
	p.c = &rawWS{fd: -1, rng: rand.New(rand.NewPCG(1, 2))}
	p.m.Known = newWTKnown(w.Hashes)
	return p, w.Hashes[0], peerID(2)
}

// BenchmarkWSPeerHandle is the generator's work for each message the
// tracker sends in the ws rows of make bench: an offer relayed to a
// browser, which it answers; an answer to one of its offers; the reply to
// its announce, after which it announces again. Offer ids are random bytes,
// as in the load, and differ from message to message (the same message
// over and over would let the branch predictor learn it); info hashes are
// those of 10 random torrents.
func BenchmarkWSPeerHandle(b *testing.B) {
	const kinds = 4096
	rng := rand.New(rand.NewPCG(3, 4))
	random20 := func() (v [20]byte) {
		for i := range v {
			v[i] = byte(rng.Uint32())
		}
		return v
	}
	hashes := make([][20]byte, 10) // the torrents a browser of the load announces on
	for i := range hashes {
		hashes[i] = random20()
	}
	b.Run("offer", func(b *testing.B) {
		p, _, other := benchWSPeer(b, hashes)
		msgs := make([][]byte, kinds)
		for i := range msgs {
			ih, offerID := hashes[i%len(hashes)], random20()
			msgs[i] = wt.AppendOffer(nil, &ih, &other, &offerID, []byte(`{"type":"offer","sdp":"`+wtSDP+`"}`))
		}
		benchHandle(b, p, msgs)
	})
	b.Run("answer", func(b *testing.B) {
		p, _, other := benchWSPeer(b, hashes)
		msgs := make([][]byte, kinds)
		for i := range msgs {
			ih, offerID := hashes[i%len(hashes)], p.newOfferID()
			msgs[i] = wt.AppendAnswer(nil, &ih, &other, &offerID, []byte(`{"type":"answer","sdp":"`+wtSDP+`"}`))
		}
		benchHandle(b, p, msgs)
	})
	b.Run("announce_reply", func(b *testing.B) {
		p, ih, _ := benchWSPeer(b, hashes[:1])
		msg := wt.AppendAnnounceReply(nil, &ih, 5, 11, 120)
		p.cfg.Torrents = 1
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			p.pending = true
			p.handle(msg)
			p.c.out, p.loop.dirty = p.c.out[:0], p.loop.dirty[:0]
		}
	})
}

func benchHandle(b *testing.B, p *wsPeer, msgs [][]byte) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(msgs[0])))
	n := 0
	for b.Loop() {
		p.handle(msgs[n%len(msgs)])
		p.c.out, p.loop.dirty = p.c.out[:0], p.loop.dirty[:0]
		n++
	}
	if p.rec.c[cInvalid].Load() != 0 || p.rec.c[cLate].Load() != 0 || p.rec.c[cErrors].Load() != 0 {
		b.Fatalf("a message was not taken as valid: %v", *p.rec.firstInvalid.Load())
	}
}
