package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	var buf bytes.Buffer
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelDebug)
	h := newThrottle(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: lv}), time.Minute)
	now := time.Unix(1_700_000_000, 0)
	h.st.now = func() time.Time { return now }
	log := slog.New(h)
	lines := func() []string {
		s := strings.TrimSpace(buf.String())
		buf.Reset()
		if s == "" {
			return nil
		}
		return strings.Split(s, "\n")
	}

	for range 5 {
		log.Info("client connected")
		log.Debug("detail")
	}
	if got := lines(); len(got) != 10 {
		t.Fatalf("info and debug: %d lines, want all 10", len(got))
	}

	for range 5 {
		log.Warn("cannot write", "err", "EPIPE")
		log.With("loop", 1).Error("cannot write") // another level: its own key
	}
	got := lines()
	if len(got) != 2 || !strings.Contains(got[0], "level=WARN") || !strings.Contains(got[1], "level=ERROR") {
		t.Fatalf("first occurrences: %q", got)
	}
	log.Warn("another message")
	if got := lines(); len(got) != 1 {
		t.Fatalf("another message: %q", got)
	}

	now = now.Add(59 * time.Second)
	log.Warn("cannot write")
	if got := lines(); got != nil {
		t.Fatalf("within the interval: %q", got)
	}
	now = now.Add(time.Second)
	log.Warn("cannot write", "err", "EPIPE")
	got = lines()
	if len(got) != 1 || !strings.Contains(got[0], "suppressed=5") || !strings.Contains(got[0], "err=EPIPE") {
		t.Fatalf("after the interval: %q, want one line with suppressed=5", got)
	}
	now = now.Add(time.Minute)
	log.Warn("cannot write")
	if got := lines(); len(got) != 1 || strings.Contains(got[0], "suppressed") {
		t.Fatalf("nothing suppressed: %q", got)
	}

	for range 3 {
		log.WarnContext(unthrottled, "cannot write")
	}
	if got := lines(); len(got) != 3 {
		t.Fatalf("unthrottled: %q, want 3 lines", got)
	}

	lv.Set(slog.LevelError) // the level applies before the throttle
	log.Warn("hidden")
	log.Info("hidden")
	if got := lines(); got != nil {
		t.Fatalf("below the level: %q", got)
	}
}

func TestThrottle_Bounded(t *testing.T) {
	var buf bytes.Buffer
	h := newThrottle(slog.NewTextHandler(&buf, nil), time.Minute)
	now := time.Unix(1_700_000_000, 0)
	h.st.now = func() time.Time { return now }
	log := slog.New(h)
	for i := range 3 * maxThrottled {
		if i%maxThrottled == 0 {
			now = now.Add(time.Hour)
		}
		log.Warn(fmt.Sprint("message ", i))
	}
	if n := len(h.st.seen); n > maxThrottled {
		t.Fatalf("%d messages remembered, want at most %d", n, maxThrottled)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3*maxThrottled {
		t.Fatalf("%d lines, want every distinct message once (%d)", n, 3*maxThrottled)
	}
}
