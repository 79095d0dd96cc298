package httpq

import (
	"bytes"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseQuery checks that Announce.ParseQuery and Scrape.ParseQuery never
// panic, return only *Error sentinels, agree exactly (result and error) with
// a reference decoder built on net/url.QueryUnescape, strconv and
// net/netip (with '+' escaped first: the documented rule that '+' is a
// literal byte), give the same result in a reused value as in a fresh one,
// and allocate nothing on re-parse (not under -race).
//
// Seeds: the query of every testdata/*.http capture and edge cases from
// query_test.go.
func FuzzParseQuery(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(fixtureQuery(f, name))
	}
	for _, s := range []string{
		"",
		minimalQuery,
		minimalQuery + "&event=paused&compact=0&no_peer_id&numwant=-2147483648&key=%ff&trackerid=x",
		minimalQuery + "&ip=2001%3Adb8%3A%3A1&ipv4=192.0.2.2%3A6882&ipv6=%5B::ffff:1.2.3.4%5D:1&ipv6=[64:ff9b::1.2.3.4]:65535",
		minimalQuery + "&port=%36%35%35%33%35&left=18446744073709551615&uploaded=0018446744073709551615",
		"info_hash=++++++++++++++++++++&info%5Fhash=aaaaaaaaaaaaaaaaaaaa&info_hash=%zz",
		"p%6Frt=1&&x=%&peer_id=%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D%2D;&port=0",
	} {
		f.Add([]byte(s))
	}

	var dirtyA Announce
	if err := dirtyA.ParseQuery([]byte(minimalQuery + "&key=" + strings.Repeat("k", MaxKey) +
		"&trackerid=" + strings.Repeat("t", MaxTrackerID) + "&ip=1.2.3.4&ipv4=5.6.7.8:9&ipv6=[::1]:10&event=paused&compact=0&numwant=3")); err != nil {
		f.Fatal(err)
	}
	var dirtyS Scrape
	if err := dirtyS.ParseQuery([]byte(strings.Repeat("info_hash=aaaaaaaaaaaaaaaaaaaa&", MaxScrapeHashes))); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, q []byte) {
		a, s := new(Announce), new(Scrape)
		aerr := a.ParseQuery(q)
		serr := s.ParseQuery(q)
		for _, err := range []error{aerr, serr} {
			if _, ok := err.(*Error); err != nil && !ok {
				t.Fatalf("non-sentinel error %v", err)
			}
		}

		ref, referr := refAnnounce(string(q))
		if aerr != referr || (aerr == nil && *a != ref) {
			t.Fatalf("Announce.ParseQuery(%q) = %v\n%+v\nreference: %v\n%+v", q, aerr, *a, referr, ref)
		}
		sref, sreferr := refScrape(string(q))
		if serr != sreferr || *s != *sref {
			t.Fatalf("Scrape.ParseQuery(%q) = %v, %d hashes; reference: %v, %d", q, serr, s.NHashes, sreferr, sref.NHashes)
		}

		agreeWithParseQuery(t, q, a, aerr, s, serr)

		da, ds := dirtyA, new(Scrape)
		*ds = dirtyS
		if err := da.ParseQuery(q); err != aerr || (err == nil && da != *a) {
			t.Fatalf("reused Announce differs: %v %+v", err, da)
		}
		if err := ds.ParseQuery(q); err != serr || *ds != *s {
			t.Fatalf("reused Scrape differs: %v, %d hashes", err, ds.NHashes)
		}

		if !raceEnabled {
			if n := testing.AllocsPerRun(1, func() { _ = a.ParseQuery(q); _ = s.ParseQuery(q) }); n != 0 {
				t.Fatalf("re-parse allocated %v times", n)
			}
		}
	})
}

// agreeWithParseQuery checks the decoded raw bytes against
// net/url.ParseQuery itself (after escaping '+'): the last info_hash,
// peer_id, port, numwant and counters of an accepted announce, and every
// info_hash of an accepted scrape. ParseQuery drops a whole pair that
// contains ';', which ParseQuery here reads as data, so queries with ';'
// are left to the per-pair reference.
func agreeWithParseQuery(t *testing.T, q []byte, a *Announce, aerr error, s *Scrape, serr error) {
	t.Helper()
	if bytes.IndexByte(q, ';') >= 0 {
		return
	}
	vals, _ := url.ParseQuery(strings.ReplaceAll(string(q), "+", "%2B"))
	last := func(k string) (string, bool) {
		v := vals[k]
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	}
	if aerr == nil {
		ih, _ := last("info_hash")
		pid, _ := last("peer_id")
		port, _ := last("port")
		pn, perr := strconv.ParseUint(port, 10, 16)
		if ih != string(a.InfoHash[:]) || pid != string(a.PeerID[:]) || perr != nil || pn != uint64(a.Port) {
			t.Fatalf("net/url: info_hash %q peer_id %q port %q; httpq %q %q %d", ih, pid, port, a.InfoHash, a.PeerID, a.Port)
		}
		for k, want := range map[string]uint64{"uploaded": a.Uploaded, "downloaded": a.Downloaded, "left": a.Left} {
			if v, ok := last(k); ok {
				if n, err := strconv.ParseUint(v, 10, 64); err != nil || n != want {
					t.Fatalf("net/url: %s=%q; httpq %d", k, v, want)
				}
			}
		}
		if v, ok := last("numwant"); ok {
			if n, err := strconv.ParseInt(v, 10, 32); err != nil || int32(n) != a.NumWant {
				t.Fatalf("net/url: numwant=%q; httpq %d", v, a.NumWant)
			}
		} else if a.NumWant != -1 {
			t.Fatalf("net/url: no numwant; httpq %d", a.NumWant)
		}
	}
	if serr == nil {
		hashes := vals["info_hash"]
		if len(hashes) != s.NHashes {
			t.Fatalf("net/url: %d info_hash; httpq %d", len(hashes), s.NHashes)
		}
		for i, h := range hashes {
			if h != string(s.Hashes[i][:]) {
				t.Fatalf("net/url: info_hash %d %q; httpq %q", i, h, s.Hashes[i])
			}
		}
	}
}

// FuzzParseAddr checks the address parser against net/netip.ParseAddr.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "fe80::1%eth0", "1.2.3.04", "64:ff9b::1.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) { checkAddr(t, s) })
}

// queryPairs splits q as ParseQuery does and unescapes names and values
// with net/url, after escaping '+' (a literal byte here, a space for
// net/url). Pairs whose name does not unescape are dropped, as net/url's
// ParseQuery drops them.
func queryPairs(q string) (names, values []string, valueOK []bool) {
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(strings.ReplaceAll(k, "+", "%2B"))
		if err != nil {
			continue
		}
		uv, err := url.QueryUnescape(strings.ReplaceAll(v, "+", "%2B"))
		names, values, valueOK = append(names, k), append(values, uv), append(valueOK, err == nil)
	}
	return names, values, valueOK
}

// refAnnounce is the reference for Announce.ParseQuery, written from its
// documentation with the standard library.
func refAnnounce(q string) (Announce, error) {
	a := Announce{Compact: -1, NumWant: -1}
	var hasIH, hasPID, hasPort bool
	names, values, valueOK := queryPairs(q)
	for i, k := range names {
		v, ok := values[i], valueOK[i]
		u, uerr := strconv.ParseUint(v, 10, 64)
		num := ok && uerr == nil
		switch k {
		case "info_hash":
			if !ok || len(v) != 20 {
				return a, ErrBadInfoHash
			}
			a.InfoHash, hasIH = [20]byte([]byte(v)), true
		case "peer_id":
			if !ok || len(v) != 20 {
				return a, ErrBadPeerID
			}
			a.PeerID, hasPID = [20]byte([]byte(v)), true
		case "port":
			if !num || u == 0 || u > 65535 {
				return a, ErrBadPort
			}
			a.Port, hasPort = uint16(u), true
		case "uploaded":
			if !num {
				return a, ErrBadUploaded
			}
			a.Uploaded = u
		case "downloaded":
			if !num {
				return a, ErrBadDownloaded
			}
			a.Downloaded = u
		case "left":
			if !num {
				return a, ErrBadLeft
			}
			a.Left, a.HasLeft = u, true
		case "event":
			e := map[string]Event{"": EventNone, "empty": EventNone, "started": EventStarted,
				"completed": EventCompleted, "stopped": EventStopped, "paused": EventNone}
			ev, known := e[v]
			if !ok || !known {
				return a, ErrBadEvent
			}
			a.Event, a.Paused = ev, v == "paused"
		case "compact":
			if !ok || (v != "0" && v != "1") {
				return a, ErrBadCompact
			}
			a.Compact = int8(v[0] - '0')
		case "no_peer_id":
			a.NoPeerID = !ok || v != "0"
		case "numwant":
			n, err := strconv.ParseInt(v, 10, 32)
			if !ok || err != nil || strings.HasPrefix(v, "+") {
				return a, ErrBadNumWant
			}
			a.NumWant = int32(n)
		case "key":
			if !ok || len(v) > MaxKey {
				return a, ErrBadKey
			}
			a.Key = [MaxKey]byte{}
			a.KeyLen = uint8(copy(a.Key[:], v))
		case "trackerid":
			if !ok || len(v) > MaxTrackerID {
				return a, ErrBadTrackerID
			}
			a.TrackerID = [MaxTrackerID]byte{}
			a.TrackerIDLen = uint8(copy(a.TrackerID[:], v))
		case "ip":
			if ip, err := netip.ParseAddr(v); ok && err == nil && ip.Zone() == "" {
				a.IP, a.HasIP = ip.As16(), true
			}
		case "ipv4":
			host, port, hasPort := strings.Cut(v, ":")
			p, pok := refPort(port)
			if ip, err := netip.ParseAddr(host); ok && err == nil && ip.Is4() && (!hasPort || pok) {
				a.IPv4, a.IPv4Port, a.HasIPv4 = ip.As16(), p, true
			}
		case "ipv6":
			host, p, good := v, uint16(0), ok
			if strings.HasPrefix(v, "[") {
				end := strings.IndexByte(v, ']')
				good = good && end >= 0
				if good {
					host = v[1:end]
					if rest := v[end+1:]; rest != "" {
						var pok bool
						p, pok = refPort(strings.TrimPrefix(rest, ":"))
						good = pok && rest[0] == ':'
					}
				}
			}
			if ip, err := netip.ParseAddr(host); good && err == nil && ip.Is6() && !ip.Is4In6() && ip.Zone() == "" {
				a.IPv6, a.IPv6Port, a.HasIPv6 = ip.As16(), p, true
			}
		}
	}
	switch {
	case !hasIH:
		return a, ErrMissingInfoHash
	case !hasPID:
		return a, ErrMissingPeerID
	case !hasPort:
		return a, ErrBadPort
	}
	return a, nil
}

// refPort is the reference for an endpoint's port: 1 to 5 digits, 1..65535.
func refPort(s string) (uint16, bool) {
	if len(s) == 0 || len(s) > 5 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	p, _ := strconv.Atoi(s)
	return uint16(p), p > 0 && p <= 65535
}

// refScrape is the reference for Scrape.ParseQuery.
func refScrape(q string) (*Scrape, error) {
	s := new(Scrape)
	names, values, valueOK := queryPairs(q)
	for i, k := range names {
		if k != "info_hash" {
			continue
		}
		if s.NHashes == MaxScrapeHashes {
			return new(Scrape), ErrTooManyHashes
		}
		if !valueOK[i] || len(values[i]) != 20 {
			return new(Scrape), ErrBadInfoHash
		}
		s.Hashes[s.NHashes] = [20]byte([]byte(values[i]))
		s.NHashes++
	}
	return s, nil
}
