package httpq

import (
	"strings"
	"testing"
)

// benchHeads are the captured heads the parse benchmarks run on.
var benchHeads = []struct{ name, file string }{
	{name: "qbittorrent", file: "announce_qbittorrent_4.5.2_started.http"},
	{name: "transmission", file: "announce_transmission_3.00_started.http"},
	{name: "aria2", file: "announce_aria2_1.36.0_started.http"},
}

// BenchmarkParse parses one captured announce head per op.
func BenchmarkParse(b *testing.B) {
	for _, h := range benchHeads {
		b.Run(h.name, func(b *testing.B) {
			head := readFixture(b, h.file)
			var r Request
			b.ReportAllocs()
			b.SetBytes(int64(len(head)))
			for b.Loop() {
				if _, err := r.Parse(head); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParsePipelined16 parses 16 pipelined requests (every capture
// plus hand-written ones) from one buffer per op, as one OnTraffic would.
func BenchmarkParsePipelined16(b *testing.B) {
	buf, _ := pipeline(b)
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		for p := buf; len(p) > 0; {
			n, err := r.Parse(p)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
	}
}

// BenchmarkParsePartialLimit is the worst re-scan: an incomplete head one
// byte short of the limits (an 8 KiB request line, 16 KiB of headers, 100
// header lines), which a slow client can make Parse scan once per segment
// it sends: with 100 equal lines, and with 99 short lines and one long one.
func BenchmarkParsePartialLimit(b *testing.B) {
	line := "GET /" + strings.Repeat("a", MaxRequestLine-len("GET / HTTP/1.1\r\n")) + " HTTP/1.1\r\n"
	long := "X-Pad: " + strings.Repeat("p", MaxHeaderBytes/MaxHeaderLines+1-len("X-Pad: \r\n")) + "\r\n"
	short := strings.Repeat("a:\n", MaxHeaderLines-1)
	for _, c := range []struct{ name, hdrs string }{
		{name: "100-lines", hdrs: strings.Repeat(long, MaxHeaderLines)},
		{name: "99-short-lines", hdrs: short + "X-Pad: " + strings.Repeat("p", MaxHeaderBytes)},
	} {
		b.Run(c.name, func(b *testing.B) {
			head := []byte(line + c.hdrs[:MaxHeaderBytes-1])
			var r Request
			if _, err := r.Parse(head); err != ErrNeedMore {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(head)))
			for b.Loop() {
				_, _ = r.Parse(head)
			}
		})
	}
}

// BenchmarkAnnounce is the codec's whole share of an HTTP announce: parse
// the captured qBittorrent head, decode its query, append the reply head.
func BenchmarkAnnounce(b *testing.B) {
	head := readFixture(b, "announce_qbittorrent_4.5.2_started.http")
	var r Request
	var a Announce
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if _, err := r.Parse(head); err != nil {
			b.Fatal(err)
		}
		if err := a.ParseQuery(r.Query); err != nil {
			b.Fatal(err)
		}
		dst = r.AppendResponseHead(dst[:0], 200, "text/plain", 120)
	}
}
