package bench

import (
	"testing"

	"github.com/trackerd/trackerd/codec/bencode"
)

// depth returns the nesting depth of a value decoded by codec/bencode.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

// FuzzBDict: the load generator's reader never panics, and accepts every
// dict that codec/bencode's strict decoder (the reference) accepts within
// its nesting bound; the announce and scrape checks never panic either.
func FuzzBDict(f *testing.F) {
	f.Add([]byte("d8:completei1e10:incompletei2e8:intervali1800e5:peers6:abcdefe"))
	f.Add([]byte("d5:filesd20:aaaaaaaaaaaaaaaaaaaad8:completei0e10:downloadedi0e10:incompletei0eeee"))
	f.Add([]byte("d14:failure reason4:nopee"))
	f.Add([]byte("d5:peersld2:ip9:127.0.0.14:porti1eeee"))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := bdict(b, func(_, _ []byte) {})
		checkAnnounceBody(b, 30)
		checkScrapeBody(b, 1)
		v, rerr := bencode.Decode(b)
		if _, isDict := v.(map[string]any); rerr == nil && isDict && depth(v) <= maxBencodeDepth && err != nil {
			t.Fatalf("bdict refused %q, which the reference decodes: %v", b, err)
		}
	})
}
