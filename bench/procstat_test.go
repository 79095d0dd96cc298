package bench

import "testing"

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and parentheses.
	stat := "4242 (we(ir)d name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 3 0 100 0 0"
	got, err := parseStatCPU([]byte(stat))
	if err != nil || got != 3.25 {
		t.Errorf("parseStatCPU = %v, %v; want 3.25", got, err)
	}
	if _, err := parseStatCPU([]byte("4242 (x) S 1")); err == nil {
		t.Error("parseStatCPU accepted a short line")
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\nThreads:\t3\n"
	if got, err := parseRSS([]byte(status)); err != nil || got != 1234*1024 {
		t.Errorf("parseRSS = %d, %v", got, err)
	}
	if _, err := parseRSS([]byte("Name:\tkthread\n")); err == nil {
		t.Error("parseRSS found VmRSS where there is none")
	}
}

func TestParseSchedstatWait(t *testing.T) {
	if got, err := parseSchedstatWait([]byte("702613654 1628206619 634\n")); err != nil || got != 1628206619 {
		t.Errorf("parseSchedstatWait = %d, %v", got, err)
	}
	if _, err := parseSchedstatWait([]byte("12")); err == nil {
		t.Error("parseSchedstatWait accepted one field")
	}
}

func TestWaitSeconds_Self(t *testing.T) {
	if _, err := WaitSeconds(0); err != nil {
		t.Skipf("no schedstat here: %v", err)
	}
}
