package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// scrapeTimeout bounds one scrape exchange.
const scrapeTimeout = 2 * time.Second

// Scrape asks the tracker of announceURL (udp:// or http(s)://) how many
// seeders it counts for infoHash. The scrape URL of an HTTP tracker is
// derived by the BEP 48 convention (last path segment "announce" becomes
// "scrape"); a UDP tracker is scraped at the same address (BEP 15).
func Scrape(announceURL string, infoHash [20]byte) (seeders int, err error) {
	u, err := url.Parse(announceURL)
	if err != nil {
		return 0, err
	}
	switch u.Scheme {
	case "udp":
		return scrapeUDP(u.Host, infoHash)
	case "http", "https":
		return scrapeHTTP(u, infoHash)
	}
	return 0, fmt.Errorf("scrape: unsupported scheme in %q", announceURL)
}

// scrapeUDP does a BEP 15 connect and scrape of one info hash.
func scrapeUDP(hostport string, infoHash [20]byte) (int, error) {
	conn, err := net.DialTimeout("udp", hostport, scrapeTimeout)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(scrapeTimeout)); err != nil {
		return 0, err
	}
	exchange := func(req []byte, action uint32, minLen int) ([]byte, error) {
		txid := binary.BigEndian.Uint32(req[12:16])
		if _, err := conn.Write(req); err != nil {
			return nil, err
		}
		resp := make([]byte, 1500)
		n, err := conn.Read(resp)
		if err != nil {
			return nil, err
		}
		resp = resp[:n]
		switch {
		case n >= 8 && binary.BigEndian.Uint32(resp) == 3:
			return nil, fmt.Errorf("udp tracker error: %q", resp[8:])
		case n < minLen || binary.BigEndian.Uint32(resp) != action || binary.BigEndian.Uint32(resp[4:]) != txid:
			return nil, fmt.Errorf("bad udp tracker reply % x", resp)
		}
		return resp, nil
	}
	// connect: protocol_id | action 0 | txid
	req := binary.BigEndian.AppendUint64(nil, 0x41727101980)
	req = binary.BigEndian.AppendUint32(req, 0)
	req = append(req, randomBytes(4)...)
	resp, err := exchange(req, 0, 16)
	if err != nil {
		return 0, err
	}
	// scrape: connection_id | action 2 | txid | info_hash
	req = append(resp[8:16:16], 0, 0, 0, 2)
	req = append(req, randomBytes(4)...)
	req = append(req, infoHash[:]...)
	resp, err = exchange(req, 2, 20)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint32(resp[8:])), nil
}

// scrapeHTTP does a BEP 48 scrape of one info hash.
func scrapeHTTP(announce *url.URL, infoHash [20]byte) (int, error) {
	u := *announce
	i := strings.LastIndexByte(u.Path, '/')
	if !strings.HasPrefix(u.Path[i+1:], "announce") {
		return 0, fmt.Errorf("no scrape URL for %s (BEP 48)", announce)
	}
	u.Path = u.Path[:i+1] + "scrape" + u.Path[i+1+len("announce"):]
	u.RawPath = ""
	q := "info_hash=" + percentEncode(infoHash[:])
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	client := http.Client{Timeout: scrapeTimeout}
	resp, err := client.Get(u.String())
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("scrape %s: %s: %q", u.String(), resp.Status, body)
	}
	v, _, err := bdecode(body, 0)
	if err != nil {
		return 0, fmt.Errorf("scrape reply %q: %v", body, err)
	}
	d, _ := v.(map[string]any)
	if reason, ok := d["failure reason"].(string); ok {
		return 0, fmt.Errorf("scrape failure: %s", reason)
	}
	files, _ := d["files"].(map[string]any)
	file, _ := files[string(infoHash[:])].(map[string]any)
	complete, ok := file["complete"].(int64)
	if !ok {
		return 0, fmt.Errorf("scrape reply without files/<info_hash>/complete: %q", body)
	}
	return int(complete), nil
}

// percentEncode escapes every byte of b as %XX. url.QueryEscape would turn
// 0x20 into "+", which trackers that do not form-decode (opentracker) read
// as a literal '+' and so as another info hash.
func percentEncode(b []byte) string {
	const hex = "0123456789ABCDEF"
	s := make([]byte, 0, 3*len(b))
	for _, c := range b {
		s = append(s, '%', hex[c>>4], hex[c&15])
	}
	return string(s)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// bdecode decodes the bencoded value at b[i:] into an int64, string,
// []any or map[string]any and returns the offset after it. It is small and
// strict enough for tests; it does not check key order.
func bdecode(b []byte, i int) (v any, next int, err error) {
	if i >= len(b) {
		return nil, i, io.ErrUnexpectedEOF
	}
	switch c := b[i]; {
	case c == 'i':
		end := bytes.IndexByte(b[i:], 'e')
		if end < 0 {
			return nil, i, io.ErrUnexpectedEOF
		}
		n, err := strconv.ParseInt(string(b[i+1:i+end]), 10, 64)
		return n, i + end + 1, err
	case c == 'l':
		var l []any
		for i++; i < len(b) && b[i] != 'e'; {
			if v, i, err = bdecode(b, i); err != nil {
				return nil, i, err
			}
			l = append(l, v)
		}
		if i >= len(b) {
			return nil, i, io.ErrUnexpectedEOF
		}
		return l, i + 1, nil
	case c == 'd':
		d := map[string]any{}
		for i++; i < len(b) && b[i] != 'e'; {
			var k any
			if k, i, err = bdecode(b, i); err != nil {
				return nil, i, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, i, errors.New("bencode: dictionary key is not a string")
			}
			if d[key], i, err = bdecode(b, i); err != nil {
				return nil, i, err
			}
		}
		if i >= len(b) {
			return nil, i, io.ErrUnexpectedEOF
		}
		return d, i + 1, nil
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(b[i:], ':')
		if colon < 0 {
			return nil, i, io.ErrUnexpectedEOF
		}
		n, err := strconv.Atoi(string(b[i : i+colon]))
		start := i + colon + 1
		if err != nil || n < 0 || n > len(b)-start {
			return nil, i, fmt.Errorf("bencode: bad string length at %d", i)
		}
		return string(b[start : start+n]), start + n, nil
	}
	return nil, i, fmt.Errorf("bencode: unexpected %q at %d", b[i], i)
}
