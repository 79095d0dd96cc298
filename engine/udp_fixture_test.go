package engine

import (
	"testing"
	"time"

	"github.com/trackerd/trackerd/codec/udp"
	"github.com/trackerd/trackerd/swarm"
)

// handlerFixture is a udpHandler over a fresh table with valid requests
// from one client address.
type handlerFixture struct {
	h                         *udpHandler
	from                      endpoint
	now                       uint32
	connect, announce, scrape []byte
}

func newHandlerFixture(t testing.TB) *handlerFixture {
	t.Helper()
	e, err := New(testConfig(BackendMmsg), swarm.New(swarm.Config{Shards: 16}), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &handlerFixture{h: newUDPHandler(e, new(Counters)), now: uint32(time.Now().Unix())}
	f.from.set4([4]byte{127, 0, 0, 1}, 40000)
	f.connect = udp.AppendRequest(nil, &udp.Request{ConnID: udp.ProtocolID, Action: udp.ActionConnect, TxID: 1})
	f.reconnect()
	return f
}

// reconnect makes requests with a connection id for f.from and returns the
// announce.
func (f *handlerFixture) reconnect() []byte {
	id := f.h.ids.Make(&f.from.addr, f.now)
	a := &udp.Request{ConnID: id, Action: udp.ActionAnnounce, TxID: 2}
	a.Announce.InfoHash[0] = 7
	a.Announce.Port = 6881
	a.Announce.Left = 100
	a.Announce.NumWant = 50
	f.announce = udp.AppendRequest(nil, a)
	s := &udp.Request{ConnID: id, Action: udp.ActionScrape, TxID: 3, NHashes: 3}
	s.Hashes[0][0], s.Hashes[1][0], s.Hashes[2][0] = 7, 8, 9
	f.scrape = udp.AppendRequest(nil, s)
	return f.announce
}
