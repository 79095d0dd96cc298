package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/trackerd/trackerd/swarm"
)

// BenchmarkHTTPServe measures the transport-independent HTTP handler:
// framing, query decoding, swarm and bencode, without sockets.
func BenchmarkHTTPServe(b *testing.B) {
	e, err := New(httpConfig("127.0.0.1:0"), swarm.New(swarm.Config{Shards: 16}), testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	h := newHTTPHandler(e, new(Counters))
	now := uint32(time.Now().Unix())
	var remote endpoint
	for i := range 100 { // 100 leechers: replies carry numwant peers
		remote.set4([4]byte{10, 0, 0, byte(i)}, 1000)
		h.serve(nil, []byte("GET "+announceTarget(9, 6881, 10, "")+" HTTP/1.1\r\n\r\n"), &remote, now)
	}
	one := "GET " + announceTarget(9, 6881, 10, "&numwant=30&compact=1&event=started&key=1a2b3c4d") +
		" HTTP/1.1\r\nHost: tracker.example:6969\r\nUser-Agent: qBittorrent/4.5.2\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
	one = strings.Replace(one, "Connection: close\r\n", "", 1)
	for _, tc := range []struct {
		name string
		in   string
	}{
		{name: "announce", in: one},
		{name: "pipelined16", in: strings.Repeat(one, 16)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := []byte(tc.in)
			out := make([]byte, 0, 64<<10)
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				var used int
				out, used, _ = h.serve(out[:0], in, &remote, now)
				if used != len(in) {
					b.Fatalf("used %d of %d", used, len(in))
				}
			}
		})
	}
}
