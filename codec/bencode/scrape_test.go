package bencode

import (
	"reflect"
	"slices"
	"testing"
)

// Hashes of the golden tests. hHigh holds bytes >= 0x80 and 0x00: raw
// byte order puts it last; a signed compare would put it first, and a UTF-8
// encoder would lengthen it.
const (
	hZero = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	hMid  = "\x7fabcdefghijklmnopqrs"
	hHigh = "\xff\x80\x00\x01\xc3\xa9\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xfe"
)

type scrapeCase struct {
	name  string
	files []ScrapeFile
	want  string
}

func scrapeGolden(tb testing.TB) []scrapeCase {
	entry := func(c, d, i string) string {
		return "d8:completei" + c + "e10:downloadedi" + d + "e10:incompletei" + i + "ee"
	}
	return []scrapeCase{
		{name: "no files", files: nil, want: "d5:filesdee"},
		{
			name:  "one file",
			files: []ScrapeFile{{InfoHash: hash(tb, hMid), Complete: 1, Downloaded: 2, Incomplete: 3}},
			want:  "d5:filesd20:" + hMid + entry("1", "2", "3") + "ee",
		},
		{
			name: "unsorted, duplicate, raw high and zero bytes",
			files: []ScrapeFile{
				{InfoHash: hash(tb, hHigh), Complete: 10, Downloaded: 20, Incomplete: 30},
				{InfoHash: hash(tb, hZero)}, // unknown torrent: zeros
				{InfoHash: hash(tb, hMid), Complete: 1, Downloaded: 2, Incomplete: 3},
				{InfoHash: hash(tb, hHigh), Complete: 99, Downloaded: 99, Incomplete: 99},
			},
			want: "d5:filesd" +
				"20:" + hZero + entry("0", "0", "0") +
				"20:" + hMid + entry("1", "2", "3") +
				"20:" + hHigh + entry("10", "20", "30") + // first occurrence wins
				"ee",
		},
	}
}

func TestAppendScrape_Golden(t *testing.T) {
	for _, tt := range scrapeGolden(t) {
		t.Run(tt.name, func(t *testing.T) {
			files := slices.Clone(tt.files)
			got := AppendScrape(nil, files)
			checkGolden(t, got, tt.want)
			if !slices.IsSortedFunc(files, compareInfoHash) {
				t.Fatalf("files not sorted in place: %x", files)
			}
		})
	}
}

func TestAppendScrape_KeepsDst(t *testing.T) {
	checkGolden(t, AppendScrape([]byte("x"), nil), "xd5:filesdee")
}

// TestAppendScrape_RoundTrip decodes every golden reply and a 74-file one
// (the UDP bound, BEP 15) and checks the files, keyed by the raw hashes.
func TestAppendScrape_RoundTrip(t *testing.T) {
	cases := scrapeGolden(t)
	var many []ScrapeFile
	for i := range 74 {
		var h [20]byte
		h[0], h[19] = byte(i*37), byte(i) // unsorted, distinct
		many = append(many, ScrapeFile{InfoHash: h, Complete: int64(i), Downloaded: int64(i * 100), Incomplete: -int64(i)})
	}
	cases = append(cases, scrapeCase{name: "74 files", files: many})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			files := slices.Clone(tt.files)
			checkScrape(t, files, AppendScrape(nil, files))
		})
	}
}

// checkScrape decodes enc, an encoding of files, and checks that it holds
// one entry per distinct hash, with the counts of its first occurrence.
func checkScrape(t *testing.T, files []ScrapeFile, enc []byte) {
	t.Helper()
	want := map[string]any{}
	for _, f := range files {
		if _, dup := want[string(f.InfoHash[:])]; dup {
			continue
		}
		want[string(f.InfoHash[:])] = map[string]any{
			"complete": f.Complete, "downloaded": f.Downloaded, "incomplete": f.Incomplete,
		}
	}
	got := mustDecode(t, enc)
	if w := map[string]any{"files": want}; !reflect.DeepEqual(got, w) {
		t.Fatalf("decoded\n %q\nwant\n %q", got, w)
	}
}
