package httpq

import (
	"net/netip"
	"testing"
)

// TestParseAddr checks parseAddr against net/netip.ParseAddr, which it
// mirrors without zones; FuzzParseAddr does the same on random input.
func TestParseAddr(t *testing.T) {
	inputs := []string{
		"0.0.0.0", "1.2.3.4", "255.255.255.255", "192.0.2.2",
		"256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "01.2.3.4", "1.2.3.04", "1.2.3.a", "",
		"::", "::1", "1::", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:192.0.2.2",
		"64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "12345::", ":1::", "1:::2", "1::2::3",
		"1:", ":", "::1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.04", "fe80::1%eth0", "%eth0", "[::1]",
		"::FFFF:C000:0202", "g::", "1.2.3.4:80", "localhost", "abcd", "1.2.3.4 ",
	}
	for _, in := range inputs {
		checkAddr(t, []byte(in))
	}
}

// checkAddr compares parseAddr with netip.ParseAddr on s: the same inputs
// are accepted (except that zones are refused on purpose), and IPv4 comes
// back IPv4-mapped.
func checkAddr(t *testing.T, s []byte) {
	t.Helper()
	got, ok := parseAddr(s)
	want, err := netip.ParseAddr(string(s))
	wantOK := err == nil && want.Zone() == ""
	if ok != wantOK {
		t.Fatalf("parseAddr(%q) ok = %v, netip: %v, %v", s, ok, want, err)
	}
	if !ok {
		return
	}
	wantIP := want.As16() // As16 maps IPv4 to ::ffff:a.b.c.d
	if got != wantIP {
		t.Fatalf("parseAddr(%q) = %x, netip %x", s, got, wantIP)
	}
}

func TestParseEndpoints(t *testing.T) {
	ip6 := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	tests := []struct {
		name string
		six  bool
		in   string
		ip   [16]byte
		port uint16
		ok   bool
	}{
		{name: "v4 bare", in: "192.0.2.2", ip: v4(192, 0, 2, 2), ok: true},
		{name: "v4 port", in: "192.0.2.2:6881", ip: v4(192, 0, 2, 2), port: 6881, ok: true},
		{name: "v4 port max", in: "192.0.2.2:65535", ip: v4(192, 0, 2, 2), port: 65535, ok: true},
		{name: "v4 port leading zeros", in: "192.0.2.2:00080", ip: v4(192, 0, 2, 2), port: 80, ok: true},
		{name: "v4 port 0", in: "192.0.2.2:0"},
		{name: "v4 port 65536", in: "192.0.2.2:65536"},
		{name: "v4 port six digits", in: "192.0.2.2:000080"},
		{name: "v4 port empty", in: "192.0.2.2:"},
		{name: "v4 port text", in: "192.0.2.2:http"},
		{name: "v4 two colons", in: "192.0.2.2:1:2"},
		{name: "v4 given v6", in: "2001:db8::1"},
		{name: "v4 bracketed", in: "[192.0.2.2]:1"},
		{name: "v6 bare", six: true, in: "2001:db8::1", ip: ip6, ok: true},
		{name: "v6 brackets", six: true, in: "[2001:db8::1]", ip: ip6, ok: true},
		{name: "v6 endpoint", six: true, in: "[2001:db8::1]:6881", ip: ip6, port: 6881, ok: true},
		{name: "v6 bare with port-like tail is an address", six: true, in: "2001:db8::1:80", ip: [16]byte{0x20, 0x01, 0x0d, 0xb8, 13: 1, 15: 0x80}, ok: true},
		{name: "v6 unclosed bracket", six: true, in: "[2001:db8::1"},
		{name: "v6 empty brackets", six: true, in: "[]:80"},
		{name: "v6 junk after bracket", six: true, in: "[::1]80"},
		{name: "v6 port 0", six: true, in: "[::1]:0"},
		{name: "v6 mapped v4", six: true, in: "::ffff:1.2.3.4"},
		{name: "v6 mapped v4 in brackets", six: true, in: "[::ffff:1.2.3.4]:80"},
		{name: "v6 given v4", six: true, in: "1.2.3.4"},
		{name: "v6 zone", six: true, in: "fe80::1%eth0"},
		{name: "v6 empty", six: true, in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := parseEndpoint4
			if tt.six {
				parse = parseEndpoint6
			}
			ip, port, ok := parse([]byte(tt.in))
			if ok != tt.ok || (ok && (ip != tt.ip || port != tt.port)) {
				t.Fatalf("parse(%q) = %x, %d, %v; want %x, %d, %v", tt.in, ip, port, ok, tt.ip, tt.port, tt.ok)
			}
		})
	}
}
