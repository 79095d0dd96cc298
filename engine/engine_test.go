package engine

import (
	"io"
	"net/http"
	"testing"
)

func TestSweepBudget(t *testing.T) {
	tests := []struct {
		torrents uint64
		timeout  uint32
		want     int
	}{
		{torrents: 0, timeout: 3600, want: cleanMinBudget},
		{torrents: 100_000, timeout: 3600, want: cleanMinBudget},
		// 10M torrents, 60 min timeout: 9000 steps in 15 minutes.
		{torrents: 10_000_000, timeout: 3600, want: 10_000_000/9000 + 1},
		{torrents: 10_000_000, timeout: 0, want: 10_000_001},
	}
	for _, tc := range tests {
		if got := sweepBudget(tc.torrents, tc.timeout); got != tc.want {
			t.Errorf("sweepBudget(%d, %d) = %d, want %d", tc.torrents, tc.timeout, got, tc.want)
		}
	}
}

func TestAdminHealthz(t *testing.T) {
	cfg := testConfig(BackendMmsg, "127.0.0.1:0")
	cfg.Admin.Listen = "127.0.0.1:0"
	e := startEngine(t, cfg)
	get := func() (int, string) {
		resp, err := http.Get("http://" + e.AdminAddr() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("GET /healthz = %d %q", code, body)
	}
	// A UDP worker whose socket failed has exited: no longer healthy.
	if err := e.workers[0].Close(); err != nil {
		t.Fatal(err)
	}
	<-e.workers[0].done
	if code, body := get(); code != http.StatusServiceUnavailable || body != "unhealthy\n" {
		t.Fatalf("GET /healthz with a worker gone = %d %q", code, body)
	}
}
