package peerid

import "testing"

func TestName(t *testing.T) {
	f := func(id, want string) {
		t.Helper()
		b := []byte(id + "0123456789abcdefghij")[:20] // random tail
		if got := Name(b); got != want {
			t.Errorf("Name(%q) = %q, want %q", id, got, want)
		}
		p := Prefix(b)
		if got := Name(p[:]); got != want {
			t.Errorf("Name(Prefix(%q)) = %q, want %q", id, got, want)
		}
	}
	// Azureus style, as real clients send them.
	f("-qB4520-", "qBittorrent 4.5.2")
	f("-qB5010-", "qBittorrent 5.0.1")
	f("-TR3000-", "Transmission 3.00")
	f("-TR2940-", "Transmission 2.94")
	f("-TR4050-", "Transmission 4.0.5")
	f("-TR400B-", "Transmission 4.0.0 beta")
	f("-TR111Z-", "Transmission 1.11+")
	f("-TR0072-", "Transmission 0.72")
	f("-TR0006-", "Transmission 0.6")
	f("-WW0105-", "WebTorrent 1.5")
	f("-WW0207-", "WebTorrent 2.7")
	f("-WD0103-", "WebTorrent Desktop 1.3")
	f("-lt0D60-", "libTorrent (rTorrent) 0.13.6")
	f("-LT2030-", "libtorrent 2.0.3")
	f("-DE13F0-", "Deluge 1.3.15")
	f("-DE2110-", "Deluge 2.1.1")
	f("-AZ5770-", "Vuze 5.7.7")
	f("-BI3610-", "BiglyBT 3.6.1")
	f("-UT3550-", "µTorrent 3.5.5")
	f("-UT2210-", "µTorrent 2.2.1")
	f("-TIX0302-", "Tixati 3.02")
	f("-XY1230-", "unknown -XY1230-")
	// Mainline style, and aria2's variant.
	f("M7-4-3--", "BitTorrent 7.4.3")
	f("M4-20-8-", "BitTorrent 4.20.8")
	f("A2-1-36-0-", "aria2 1.36.0")
	f("A2-1-37-0-", "aria2 1.37.0")
	// Shadow style.
	f("T03I--", "BitTornado 0.3.18")
	f("S58B-----", "Shadow 5.8.11")
	f("A310--", "ABC 3.1.0")
	// Others.
	f("exbc\x00\x38", "BitComet")
	f("XBT054d-", "XBT 0.5.4")
	f("\x00\x01\x02\x03", Unknown)
	f("M7-4-3", Unknown) // field not ended by '-': "M7-4-30" in the tail
	f("-qB45\x00", Unknown)
	f("-qB452-x", Unknown)
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		id   string
		want string
	}{
		{id: "-qB4520-abcdefghijkl", want: "-qB4520-"},
		{id: "-TIX0302-abcdefghijk", want: "-TIX0302-"},
		{id: "A2-1-36-0-abcdefghij", want: "A2-1-36-0-"},
		{id: "M7-4-3--abcdefghijkl", want: "M7-4-3-"},
		{id: "T03I--abcdefghijklmn", want: "T03I-"},
		{id: "XBT054d-abcdefghijkl", want: "XBT054"},
		{id: "random-peer-id-12345", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			var want [PrefixLen]byte
			copy(want[:], tc.want)
			if got := Prefix([]byte(tc.id)); got != want {
				t.Errorf("Prefix(%q) = %q, want %q", tc.id, got, want)
			}
		})
	}
}
