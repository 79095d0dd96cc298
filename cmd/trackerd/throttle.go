package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// warnEvery is how often one warning or error message may be logged.
const warnEvery = time.Minute

// maxThrottled bounds the messages a throttle remembers; past it, those
// quiet for a whole interval are forgotten, or all of them if that is not
// enough.
const maxThrottled = 1024

// throttle is a slog.Handler that lets through the first record of each
// (level, message) at warn level and above, then at most one per interval,
// adding suppressed=N for the records dropped since the last one let
// through. Debug and info records pass untouched. A warning repeated by
// every failing request or connection thus costs one line a minute, and
// its count is not lost.
//
// Safe for concurrent use; the handlers made by WithAttrs and WithGroup
// share one memory, so a message is throttled however it was logged.
type throttle struct {
	next  slog.Handler
	every time.Duration
	st    *throttleState
}

type throttleState struct {
	mu   sync.Mutex
	now  func() time.Time // time.Now; tests set it
	seen map[throttleKey]*throttleEntry
}

type throttleKey struct {
	level slog.Level
	msg   string
}

type throttleEntry struct {
	last       time.Time // when one was last let through
	suppressed int       // dropped since
}

func newThrottle(next slog.Handler, every time.Duration) *throttle {
	return &throttle{next: next, every: every, st: &throttleState{now: time.Now, seen: make(map[throttleKey]*throttleEntry)}}
}

// Enabled implements slog.Handler.
func (h *throttle) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// unthrottledKey marks a context whose records always pass.
type unthrottledKey struct{}

// unthrottled is the context for records an operator asked for, such as
// the outcome of each reload: they pass the throttle whatever their level.
var unthrottled = context.WithValue(context.Background(), unthrottledKey{}, true)

// Handle implements slog.Handler.
func (h *throttle) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn || ctx.Value(unthrottledKey{}) != nil {
		return h.next.Handle(ctx, r)
	}
	n, ok := h.st.admit(throttleKey{r.Level, r.Message}, h.every)
	if !ok {
		return nil
	}
	if n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", n))
	}
	return h.next.Handle(ctx, r)
}

// admit reports whether a record of k may go out now, and how many were
// suppressed since the last one that did.
func (s *throttleState) admit(k throttleKey, every time.Duration) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	e := s.seen[k]
	if e == nil {
		if len(s.seen) >= maxThrottled {
			for k, e := range s.seen {
				if now.Sub(e.last) >= every && e.suppressed == 0 {
					delete(s.seen, k)
				}
			}
			if len(s.seen) >= maxThrottled {
				clear(s.seen) // a flood of distinct messages: start again rather than grow
			}
		}
		s.seen[k] = &throttleEntry{last: now}
		return 0, true
	}
	if now.Sub(e.last) < every {
		e.suppressed++
		return 0, false
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	return n, true
}

// WithAttrs implements slog.Handler.
func (h *throttle) WithAttrs(as []slog.Attr) slog.Handler {
	return &throttle{next: h.next.WithAttrs(as), every: h.every, st: h.st}
}

// WithGroup implements slog.Handler.
func (h *throttle) WithGroup(name string) slog.Handler {
	return &throttle{next: h.next.WithGroup(name), every: h.every, st: h.st}
}
