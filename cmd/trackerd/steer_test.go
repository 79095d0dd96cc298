package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheckConfig_Steer(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string // "" is valid
	}{
		{"[udp]\nsteer = \"incoming-cpu\"\n", ""},
		{"[udp]\nsteer = \"off\"\nbackend = \"gnet\"\n", ""},
		{"[udp]\nsteer = \"incoming-cpu\"\nbackend = \"gnet\"\n", "udp.steer"},
		{"[udp]\nsteer = \"rss\"\n", "udp.steer"},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"-check-config", "-config", writeConfig(t, tc.text)}, &stdout, &stderr)
		if tc.want == "" && code != exitOK || tc.want != "" && (code != exitConfig || !strings.Contains(stderr.String(), tc.want)) {
			t.Errorf("%q: exit %d, stderr %s", tc.text, code, stderr.String())
		}
	}
}
