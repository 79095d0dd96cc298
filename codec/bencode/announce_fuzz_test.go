package bencode

import (
	"bytes"
	"testing"
)

// FuzzAppendAnnounce checks that whatever a well-formed Announce holds
// (counts, flags, random peers and ids, any external ip size the type
// allows, any warning text), AppendAnnounce appends without touching dst's
// prefix, the result is canonical bencode that decodes to exactly a's
// fields (checkAnnounce), and re-encoding into a large enough buffer does
// not allocate.
func FuzzAppendAnnounce(f *testing.F) {
	for _, tt := range announceGolden() {
		a := tt.a
		f.Add(a.Complete, a.Downloaded, a.Incomplete, a.Interval, a.MinInterval, a.Compact,
			a.ExternalIP, a.Peers4, a.Peers6, []byte(id2), len(a.PeerIDs4) > 0, len(a.PeerIDs6) > 0,
			a.WarningMessage)
	}
	f.Add(int64(-1), int64(0), int64(1), int64(1800), int64(0), false,
		[]byte(extV6), []byte(p6map[12:]), []byte(p6map+p6a), []byte{0xff}, true, true, "\x00\xff")

	f.Fuzz(func(t *testing.T, complete, downloaded, incomplete, interval, minInterval int64, compact bool,
		ext, peers4, peers6, ids []byte, withIDs4, withIDs6 bool, warning string,
	) {
		a := Announce{
			Complete: complete, Downloaded: downloaded, Incomplete: incomplete,
			Interval: interval, MinInterval: minInterval, Compact: compact,
			Peers4:         peers4[:len(peers4)/PeerSizeV4*PeerSizeV4],
			Peers6:         peers6[:len(peers6)/PeerSizeV6*PeerSizeV6],
			WarningMessage: warning,
		}
		switch {
		case len(ext) >= 16:
			a.ExternalIP = ext[:16]
		case len(ext) >= 4:
			a.ExternalIP = ext[:4]
		}
		if withIDs4 {
			a.PeerIDs4 = fillIDs(ids, len(a.Peers4)/PeerSizeV4)
		}
		if withIDs6 {
			a.PeerIDs6 = fillIDs(ids, len(a.Peers6)/PeerSizeV6)
		}

		const prefix = "HTTP/1.1 200 OK\r\n\r\n"
		out := AppendAnnounce([]byte(prefix), &a)
		if !bytes.HasPrefix(out, []byte(prefix)) {
			t.Fatalf("dst prefix overwritten: %q", out)
		}
		enc := out[len(prefix):]
		checkAnnounce(t, &a, enc)

		if !raceEnabled {
			buf := make([]byte, 0, len(enc))
			if n := testing.AllocsPerRun(1, func() { buf = AppendAnnounce(buf[:0], &a) }); n != 0 {
				t.Fatalf("AppendAnnounce allocated %v times with capacity", n)
			}
			if !bytes.Equal(buf, enc) {
				t.Fatalf("second encode differs:\n%q\n%q", buf, enc)
			}
		}
	})
}

// fillIDs returns n peer ids made by repeating src (zeros if src is empty).
func fillIDs(src []byte, n int) []byte {
	ids := make([]byte, n*PeerIDSize)
	if len(src) > 0 {
		for i := range ids {
			ids[i] = src[i%len(src)] + byte(i/PeerIDSize)
		}
	}
	return ids
}
