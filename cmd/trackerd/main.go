// Command trackerd is a BitTorrent tracker: BEP 15 UDP from per-CPU pinned
// workers over one in-memory swarm table.
//
// Usage:
//
//	trackerd                       serve with built-in defaults
//	trackerd -config tracker.toml  serve with a TOML config
//	trackerd -print-config         print the commented default config
//	trackerd -check-config         validate the config and exit
//	trackerd -version              print the version
//
// Signals: SIGINT and SIGTERM stop it; SIGHUP re-reads the config and the
// access list and applies what can change live (see reload).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/trackerd/trackerd/engine"
)

// Exit codes.
const (
	exitOK     = 0
	exitFail   = 1 // could not start or stop cleanly
	exitConfig = 2 // bad flags or config
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trackerd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path        = fs.String("config", "", "TOML config `file` (default: built-in defaults)")
		printConfig = fs.Bool("print-config", false, "print the commented default config and exit")
		checkConfig = fs.Bool("check-config", false, "validate the config and exit")
		showVersion = fs.Bool("version", false, "print the version and exit")
	)
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trackerd: unexpected argument %q\n", fs.Arg(0))
		return exitConfig
	}
	switch {
	case *showVersion:
		fmt.Fprintln(stdout, "trackerd", buildVersion())
		return exitOK
	case *printConfig:
		fmt.Fprint(stdout, defaultConfigText)
		return exitOK
	}

	// Stop and reload signals have a channel each, so that reloads queued
	// behind a slow one never crowd out a stop (signal.Notify drops a
	// signal whose channel is full). Caught from the start: a signal that
	// comes while a big snapshot loads waits for the tracker to be up.
	stop, hup := make(chan os.Signal, 1), make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(stop)
	defer signal.Stop(hup)

	cfg := defaultConfig()
	if *path != "" {
		var err error
		if cfg, err = loadConfig(*path); err != nil {
			fmt.Fprintf(stderr, "trackerd: %v\n", err)
			return exitConfig
		}
	}
	r, warnings, err := cfg.resolve()
	statePath, serr := cfg.checkStart(*path)
	if err = errors.Join(err, serr); err != nil {
		fmt.Fprintf(stderr, "trackerd: invalid config:\n%v\n", err)
		return exitConfig
	}
	for _, w := range warnings {
		r.log.Warn(w)
	}
	if *checkConfig {
		if err := r.engine.Access.Check(); err != nil {
			fmt.Fprintf(stderr, "trackerd: invalid config:\n%v\n", err)
			return exitConfig
		}
		fmt.Fprintln(stdout, "config ok")
		return exitOK
	}

	table, state, err := loadState(statePath, r.swarm, r.log)
	if err != nil {
		r.log.Error("cannot start", "err", err)
		return exitFail
	}
	defer state.close()
	eng, err := engine.New(r.engine, table, r.log)
	if err != nil {
		fmt.Fprintf(stderr, "trackerd: %v\n", err)
		return exitConfig
	}
	if err := openNotify(); err != nil {
		r.log.Warn("systemd notification off", "err", err)
	}
	defer closeNotify()
	wdInterval, err := watchdogInterval()
	if err != nil {
		r.log.Warn("systemd watchdog off", "err", err)
	}
	if err := eng.Start(); err != nil {
		r.log.Error("cannot start", "err", err)
		return exitFail
	}
	// Every socket is bound: no more need for root.
	files := append(cfg.filePaths(), filePath{key: "-config", path: path})
	if err := dropPrivileges(cfg.Process, r.log, files...); err != nil {
		r.log.Error("cannot drop privileges", "err", err)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = eng.Shutdown(ctx)
		return exitFail
	}
	state.checkWritable(r.log)
	if err := notify("READY=1\nSTATUS=serving"); err != nil {
		r.log.Warn("cannot notify systemd", "err", err)
	}
	stopWatchdog := make(chan struct{})
	if wdInterval > 0 {
		go watchdog(wdInterval, eng.Healthy, stopWatchdog, r.log.Warn)
	}
	srv := &server{path: *path, cfg: cfg, r: r, eng: eng, table: table}
	var sig os.Signal
	for sig == nil {
		select {
		case sig = <-stop:
		case <-hup:
			select {
			case sig = <-stop: // a stop waiting too goes first
				continue
			default:
			}
			_ = notify("RELOADING=1")
			srv.reload()
			_ = notify("READY=1\nSTATUS=serving")
		}
	}
	close(stopWatchdog) // a stopping engine is not an unhealthy one
	r.log.Info("stopping", "signal", sig.String())
	_ = notify("STOPPING=1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := eng.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		r.log.Error("unclean stop", "err", err)
		_ = saveState(state, table, r.log) // the table is consistent: keep it
		return exitFail
	}
	if err := saveState(state, table, r.log); err != nil {
		return exitFail
	}
	r.log.Info("stopped")
	return exitOK
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
