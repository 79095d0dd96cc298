package bencode

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// FuzzAppendScrape checks that for any list of hashes (cut from b, with
// duplicates likely when b repeats itself) AppendScrape sorts files in
// place, writes each distinct hash once with its first occurrence's counts,
// and produces canonical bencode; and that encoding the sorted files again
// gives the same bytes.
func FuzzAppendScrape(f *testing.F) {
	f.Add([]byte(hHigh+hZero+hMid+hHigh), int64(7))
	f.Add([]byte{}, int64(0))
	f.Add(bytes.Repeat([]byte{0x80}, 20*5), int64(-1))

	f.Fuzz(func(t *testing.T, b []byte, seed int64) {
		var files []ScrapeFile
		for i := 0; len(b) >= 20 && i < 200; i++ {
			var sf ScrapeFile
			copy(sf.InfoHash[:], b)
			b = b[20:]
			sf.Complete = seed + int64(i)
			sf.Downloaded = int64(binary.BigEndian.Uint16(sf.InfoHash[:]))
			sf.Incomplete = -int64(i)
			files = append(files, sf)
		}
		orig := slices.Clone(files)
		enc := AppendScrape(nil, files)
		if !slices.IsSortedFunc(files, compareInfoHash) {
			t.Fatal("files not sorted")
		}
		checkScrape(t, orig, enc)
		if again := AppendScrape(nil, files); !bytes.Equal(again, enc) {
			t.Fatalf("encoding the sorted files differs:\n%q\n%q", again, enc)
		}
	})
}
