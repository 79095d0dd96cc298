package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServiceUnit_Verifies runs systemd-analyze verify on
// dist/trackerd.service, with ExecStart pointing at a built trackerd
// (verify checks that the binary exists), and checks the settings trackerd
// depends on.
func TestServiceUnit_Verifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze (Debian package systemd)")
	}
	b, err := os.ReadFile("../../dist/trackerd.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"\nType=notify\n", "\nWatchdogSec=", "\nExecReload=/bin/kill -HUP $MAINPID\n", "\nStateDirectory=trackerd\n"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit has no %q", strings.TrimSpace(want))
		}
	}
	const exec0 = "ExecStart=/usr/local/bin/trackerd "
	if !strings.Contains(unit, exec0) {
		t.Fatalf("unit has no %q", exec0)
	}
	path := filepath.Join(t.TempDir(), "trackerd.service")
	unit = strings.Replace(unit, exec0, "ExecStart="+trackerdBinary(t)+" ", 1)
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
