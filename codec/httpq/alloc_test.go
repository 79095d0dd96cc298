//go:build !race

package httpq

import (
	"strings"
	"testing"
)

// allocRuns is the number of runs testing.AllocsPerRun averages over.
const allocRuns = 1000

// raceEnabled tells the fuzz targets whether they may count allocations:
// the race detector's instrumentation makes the counts meaningless.
const raceEnabled = false

func assertNoAllocs(t *testing.T, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(allocRuns, f); n != 0 {
		t.Fatalf("allocs per run = %v, want 0", n)
	}
}

func TestAllocs_Parse(t *testing.T) {
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			b := readFixture(t, name)
			var r Request
			assertNoAllocs(t, func() {
				if _, err := r.Parse(b); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
	t.Run("pipelined", func(t *testing.T) {
		buf, _ := pipeline(t)
		var r Request
		assertNoAllocs(t, func() {
			for b := buf; len(b) > 0; {
				n, err := r.Parse(b)
				if err != nil {
					t.Fatal(err)
				}
				b = b[n:]
			}
		})
	})
	t.Run("every header kind", func(t *testing.T) {
		b := []byte("GET http://h/a?b HTTP/1.0\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n" +
			"X-Forwarded-For: 1.1.1.1\r\nX-Real-IP: 2.2.2.2\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n" +
			"Sec-WebSocket-Extensions: e\r\nContent-Length: 9, 9\r\n\r\n")
		var r Request
		assertNoAllocs(t, func() {
			if _, err := r.ParseLimits(b, Limits{RequestLine: 100, HeaderBytes: 1000}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestAllocs_ParseErrors(t *testing.T) {
	inputs := []string{
		"",
		"GET / HTTP/1.1\r\nHost: x\r\n",
		"\x16\x03\x01\x02\x00",
		"GET / HTTP/2.0\r\n\r\n",
		"GET announce HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\n\r\n",
		"GET /" + strings.Repeat("a", MaxRequestLine),
		"GET / HTTP/1.1\r\n" + strings.Repeat("a", MaxHeaderBytes),
	}
	bufs := make([][]byte, len(inputs))
	for i, in := range inputs {
		bufs[i] = []byte(in)
	}
	var r Request
	assertNoAllocs(t, func() {
		for _, b := range bufs {
			_, err := r.Parse(b)
			if err == nil {
				t.Fatal("no error")
			}
			_ = Status(err)
			_ = ErrorMessage(err)
		}
	})
}

func TestAllocs_AnnounceParseQuery(t *testing.T) {
	queries := map[string][]byte{}
	for _, name := range fixtures(t) {
		if strings.HasPrefix(name, "announce") {
			queries[name] = fixtureQuery(t, name)
		}
	}
	queries["every parameter, escaped names and values"] = []byte(minimalQuery +
		"&upl%6Faded=1&downloaded=2&left=%33&event=%73topped&compact=%30&no_peer_id=%31&numwant=%2D9" +
		"&key=" + strings.Repeat("%6b", MaxKey) + "&trackerid=" + strings.Repeat("t", MaxTrackerID) +
		"&ip=host.example&ip=1.2.3.4&ipv4=5.6.7.8%3A9&ipv6=%5B2001%3Adb8%3A%3A1%5D%3A10&ipv6=garbage&x=%zz")
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			var a Announce
			assertNoAllocs(t, func() {
				if err := a.ParseQuery(q); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
	t.Run("errors", func(t *testing.T) {
		bad := [][]byte{[]byte(""), []byte("info_hash=x"), []byte(minimalQuery + "&event=x"), []byte(minimalQuery + "&numwant=x")}
		var a Announce
		assertNoAllocs(t, func() {
			for _, q := range bad {
				if err := a.ParseQuery(q); err == nil {
					t.Fatal("no error")
				}
			}
		})
	})
}

func TestAllocs_ScrapeParseQuery(t *testing.T) {
	one := fixtureQuery(t, "scrape_transmission_3.00.http")
	full := []byte(strings.Repeat(string(one)+"&", MaxScrapeHashes))
	full = full[:len(full)-1]
	tooMany := append(append(full, '&'), one...)
	var s Scrape
	assertNoAllocs(t, func() {
		if err := s.ParseQuery(one); err != nil {
			t.Fatal(err)
		}
		if err := s.ParseQuery(full); err != nil {
			t.Fatal(err)
		}
		if err := s.ParseQuery(tooMany); err != ErrTooManyHashes {
			t.Fatal(err)
		}
	})
}

func TestAllocs_AppendResponseHead(t *testing.T) {
	dst := make([]byte, 0, 256)
	var r Request
	if _, err := r.Parse([]byte("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	assertNoAllocs(t, func() {
		dst = AppendResponseHead(dst[:0], 200, "text/plain", 1234, true)
		dst = AppendResponseHead(dst, 405, "", 0, false)
		dst = AppendResponseHead(dst, 299, "", 0, false)
		dst = r.AppendResponseHead(dst, 200, "text/plain", 1234)
	})
}
