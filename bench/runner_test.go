package bench

import (
	"strings"
	"testing"
)

func TestRaiseFileLimit(t *testing.T) {
	if err := raiseFileLimit(64); err != nil {
		t.Errorf("raising to 64 open files: %v", err)
	}
	// Beyond fs.nr_open, which even root cannot pass.
	if err := raiseFileLimit(1 << 40); err == nil || !strings.Contains(err.Error(), "ulimit -n") {
		t.Errorf("raising to 2^40 open files: %v, want an error naming ulimit -n", err)
	}
}
