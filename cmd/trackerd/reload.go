package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/trackerd/trackerd/engine"
	"github.com/trackerd/trackerd/swarm"
)

// liveKeys are the TOML keys a reload applies to the running process: the
// engine's (engine.LiveKeys) and those the swarm table and the logger take
// live. A change to any other key is named in a warning and waits for a
// restart.
var liveKeys = append([]string{"tracker.numwant_default", "tracker.numwant_max", "log.level"}, engine.LiveKeys...)

// server is the running process as a reload sees it.
type server struct {
	path  string // -config; "" runs on built-in defaults
	cfg   config // in force
	r     resolved
	eng   *engine.Engine
	table *swarm.Table
}

// reload re-reads the config file (with built-in defaults, only the access
// list), validates all of it, and applies what can change live, logging one
// line per change and one warning naming every changed key that needs a
// restart. On any error it logs the error, naming the file and key, and
// the process keeps running with the config it had, untouched.
//
// It is one function so that the signal loop can wrap it (systemd's
// RELOADING=1 and READY=1).
func (s *server) reload() {
	log := s.r.log
	next := s.cfg
	if s.path != "" {
		var err error
		if next, err = loadConfig(s.path); err != nil {
			log.ErrorContext(unthrottled, "reload failed, running config kept", "err", err)
			return
		}
	}
	// File keys as the running process sees them: absolute, and through
	// its chroot ([process] applies at start only).
	if err := s.cfg.Process.rewritePaths(next.filePaths()...); err != nil {
		log.ErrorContext(unthrottled, "reload failed, running config kept", "file", s.path, "err", err)
		return
	}
	var changed, restart []configChange
	for _, d := range diffConfig(s.cfg, next) {
		if slices.Contains(liveKeys, d.key) {
			changed = append(changed, d)
		} else {
			restart = append(restart, d)
		}
	}
	// What needs a restart keeps its running value until then, and the
	// new live values are validated against it: a longer announce_interval
	// must still be shorter than the peer_timeout in force.
	cfg := keepRunning(next, s.cfg)
	r, warnings, err := cfg.resolve()
	if err != nil {
		log.ErrorContext(unthrottled, "reload failed, running config kept", "file", s.path, "err", err)
		return
	}
	if err := s.eng.Reload(r.engine); err != nil { // first: it may fail (access list)
		log.ErrorContext(unthrottled, "reload failed, running config kept", "file", s.path, "err", err)
		return
	}
	for _, w := range warnings {
		log.WarnContext(unthrottled, w)
	}
	s.table.SetNumWant(r.swarm.NumWantDefault, r.swarm.NumWantMax)
	s.r.level.Set(r.level.Level())
	s.cfg = cfg

	for _, d := range changed {
		log.Info("config changed", "key", d.key, "old", d.old, "new", d.new)
	}
	if len(restart) > 0 {
		keys := make([]string, len(restart))
		for i, d := range restart {
			keys[i] = d.key
		}
		log.WarnContext(unthrottled, "config changes need a restart to apply", "keys", strings.Join(keys, ", "))
	}
	if s.path == "" {
		log.Info("config reloaded: no -config file, built-in defaults kept")
		return
	}
	log.Info("config reloaded", "file", s.path)
}

// keepRunning returns next with every key that cannot change live set to
// its value in running.
func keepRunning(next, running config) config {
	out := next
	eachKey(reflect.ValueOf(&out).Elem(), reflect.ValueOf(running), func(key string, o, r reflect.Value) {
		if !slices.Contains(liveKeys, key) {
			o.Set(r)
		}
	})
	return out
}

// eachKey calls fn with every leaf field of a and b, two values of the
// same config struct type, named by its TOML key ("tracker.numwant_max").
func eachKey(a, b reflect.Value, fn func(key string, a, b reflect.Value)) {
	var walk func(prefix string, a, b reflect.Value)
	walk = func(prefix string, a, b reflect.Value) {
		for i := range a.NumField() {
			f := a.Type().Field(i)
			key := prefix + f.Tag.Get("toml")
			if f.Type.Kind() == reflect.Struct {
				walk(key+".", a.Field(i), b.Field(i))
			} else {
				fn(key, a.Field(i), b.Field(i))
			}
		}
	}
	walk("", a, b)
}

// configChange is one TOML key whose value differs.
type configChange struct {
	key, old, new string
}

// diffConfig returns the keys whose values differ between a and b, in the
// order of the config struct, named by their TOML tags.
func diffConfig(a, b config) []configChange {
	var out []configChange
	eachKey(reflect.ValueOf(a), reflect.ValueOf(b), func(key string, a, b reflect.Value) {
		if av, bv := a.Interface(), b.Interface(); !reflect.DeepEqual(av, bv) {
			out = append(out, configChange{key: key, old: fmt.Sprint(av), new: fmt.Sprint(bv)})
		}
	})
	return out
}
