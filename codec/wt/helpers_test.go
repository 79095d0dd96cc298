package wt

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// readFixture reads testdata/name, a message written by testdata/gen.mjs.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("cannot read fixture: %v", err)
	}
	return b
}

// fixtures returns the names of the testdata/*.json fixtures, sorted.
func fixtures(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no .json fixtures in testdata: %v", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names
}

// id20 decodes 40 hex digits.
func id20(tb testing.TB, s string) [20]byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 20 {
		tb.Fatalf("bad id %q", s)
	}
	return [20]byte(b)
}

// jsBin returns b as a JSON binary string (one character U+0000-U+00FF per
// byte), written by encoding/json, independently of AppendBinaryString. It
// escapes <, > and & as \u003c etc., which decodes the same.
func jsBin(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	out, err := json.Marshal(string(rs))
	if err != nil {
		panic(err)
	}
	return string(out)
}

// obj returns a JSON object of the given members, each `"name":value`.
func obj(members ...string) []byte {
	return []byte("{" + strings.Join(members, ",") + "}")
}

// Ids used in hand-written messages; ih holds every character class
// JSON.stringify escapes differently.
var (
	ihHex  = "00081f22275c2f3c3e267f80a0c3ff0d0a09e2a8"
	pidHex = "2d5757303230382da1b2c3d4e5f60718293a4b5c"
	toHex  = "2d5757303230382d00ff22805c7f0a1b2c3d4e5f"
	oidHex = "03c0ffee225c7f80ff0102030405060799999999"
)

func hexBin(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return jsBin(b)
}

// Members of a minimal valid announce, for error tables.
var (
	mAction = `"action":"announce"`
	mIH     = `"info_hash":` + hexBin(ihHex)
	mPID    = `"peer_id":` + hexBin(pidHex)
	mTo     = `"to_peer_id":` + hexBin(toHex)
	mOID    = `"offer_id":` + hexBin(oidHex)
	sdp     = `{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}`
)

// offerJSON returns one element of "offers" with offer id byte i.
func offerJSON(i int) string {
	id := make([]byte, 20)
	id[0] = byte(i)
	return `{"offer":` + sdp + `,"offer_id":` + jsBin(id) + `}`
}

// offersJSON returns an "offers" member with n offers.
func offersJSON(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = offerJSON(i)
	}
	return `"offers":[` + strings.Join(parts, ",") + `]`
}

// hashesJSON returns a scrape "info_hash" array of n hashes, hash i filled
// with byte i.
func hashesJSON(n int) string {
	parts := make([]string, n)
	for i := range parts {
		h := make([]byte, 20)
		for j := range h {
			h[j] = byte(i)
		}
		parts[i] = jsBin(h)
	}
	return `"info_hash":[` + strings.Join(parts, ",") + `]`
}
