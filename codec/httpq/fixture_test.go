package httpq

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// readFixture reads testdata/name, a raw request head captured from a real
// client (see testdata/README.md), byte for byte.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("cannot read fixture: %v", err)
	}
	return b
}

// fixtures returns the names of the testdata/*.http captures, sorted.
func fixtures(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.http"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no .http fixtures in testdata: %v", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names
}

// fixtureQuery parses the captured head testdata/name and returns a copy of
// its query.
func fixtureQuery(tb testing.TB, name string) []byte {
	tb.Helper()
	var r Request
	b := readFixture(tb, name)
	if _, err := r.Parse(b); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return append([]byte(nil), r.Query...)
}
