package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPrintedConfigIsDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-print-config"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got config // decoded over zero values, so every key must be printed
	if err := decodeConfig(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if want := defaultConfig(); !reflect.DeepEqual(got, want) {
		t.Fatalf("printed config decodes to\n%+v\nwant defaults\n%+v", got, want)
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tracker.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckConfig(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantCode int
		wantErr  []string // substrings of stderr
	}{
		{name: "empty file is defaults", text: "", wantCode: exitOK},
		{name: "udp off", text: "[udp]\nlisten = []\n", wantCode: exitOK},
		{name: "unknown top key", text: "cpu = \"0\"\n", wantCode: exitConfig, wantErr: []string{"unknown key cpu"}},
		{name: "unknown nested key", text: "[udp]\nlisen = []\n", wantCode: exitConfig, wantErr: []string{"unknown key udp.lisen"}},
		{name: "bad toml", text: "[udp\n", wantCode: exitConfig, wantErr: []string{"tracker.toml"}},
		{name: "bad duration", text: "[tracker]\nannounce_interval = \"soon\"\n", wantCode: exitConfig, wantErr: []string{"announce_interval"}},
		{
			name:     "timeout not longer than interval",
			text:     "[tracker]\nannounce_interval = \"30m\"\npeer_timeout = \"30m\"\n",
			wantCode: exitConfig, wantErr: []string{"tracker.peer_timeout"},
		},
		{name: "access list without file", text: "[access]\nmode = \"allow\"\n", wantCode: exitConfig, wantErr: []string{"access.file: required"}},
		{name: "bad access mode", text: "[access]\nmode = \"white\"\n", wantCode: exitConfig, wantErr: []string{"access.mode"}},
		{
			name:     "unreadable access list",
			text:     "[access]\nmode = \"deny\"\nfile = \"/nonexistent/deny.list\"\n",
			wantCode: exitConfig, wantErr: []string{"access.file: cannot read", "/nonexistent/deny.list"},
		},
		{name: "write delay off", text: "[webtorrent]\nwrite_delay = \"0s\"\n", wantCode: exitOK},
		{name: "write delay too long", text: "[webtorrent]\nwrite_delay = \"1s\"\n", wantCode: exitConfig, wantErr: []string{"webtorrent.write_delay: 1s is not in 0..10ms"}},
		{name: "write delay negative", text: "[webtorrent]\nwrite_delay = \"-1ms\"\n", wantCode: exitConfig, wantErr: []string{"webtorrent.write_delay"}},
		{name: "admin allow", text: "[admin]\nallow = [\"10.0.0.0/8\", \"192.0.2.1\", \"::1\"]\npprof = true\n", wantCode: exitOK},
		{name: "admin allow bad", text: "[admin]\nallow = [\"10.0.0.0/33\"]\n", wantCode: exitConfig, wantErr: []string{"admin.allow", "10.0.0.0/33"}},
		{
			name:     "every problem is named",
			text:     "cpus = \"x\"\n[udp]\nbackend = \"epoll\"\nlisten = [\"nowhere\"]\n[tracker]\nnumwant_max = 0\nshards = 3\nmax_scrape = 500\n[log]\nlevel = \"loud\"\n",
			wantCode: exitConfig,
			wantErr: []string{"cpus:", "udp.backend", "udp.listen", "tracker.numwant_max",
				"tracker.shards", "tracker.max_scrape", "log.level"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-check-config", "-config", writeConfig(t, tc.text)}, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr.String())
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr does not name %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}

func TestEmptyListenDisables(t *testing.T) {
	cfg := defaultConfig()
	if err := decodeConfig([]byte("[udp]\nlisten = []\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.UDP.Listen) != 0 {
		t.Fatalf("listen = %v, want none", cfg.UDP.Listen)
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-version"}, &stdout, &stderr); code != exitOK || !strings.HasPrefix(stdout.String(), "trackerd ") {
		t.Fatalf("exit %d, stdout %q", code, stdout.String())
	}
}

func TestDiffConfig(t *testing.T) {
	a, b := defaultConfig(), defaultConfig()
	if d := diffConfig(a, b); len(d) != 0 {
		t.Fatalf("equal configs differ: %v", d)
	}
	b.Tracker.AnnounceInterval *= 2
	b.UDP.Listen = []string{"127.0.0.1:1"}
	b.Access.Mode = "deny"
	want := []configChange{
		{key: "udp.listen", old: "[0.0.0.0:6969 [::]:6969]", new: "[127.0.0.1:1]"},
		{key: "tracker.announce_interval", old: "30m0s", new: "1h0m0s"},
		{key: "access.mode", old: "off", new: "deny"},
	}
	if got := diffConfig(a, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("diffConfig = %v, want %v", got, want)
	}
}

func TestLiveKeysExist(t *testing.T) {
	// Every live key names a real config key: a typo would silently turn a
	// live change into a restart warning.
	a := defaultConfig()
	a.Access.File = "x" // the one empty default
	keys := map[string]bool{}
	for _, d := range diffConfig(a, config{}) {
		keys[d.key] = true
	}
	for _, k := range liveKeys {
		if !keys[k] {
			t.Errorf("live key %q is not a config key", k)
		}
	}
}
