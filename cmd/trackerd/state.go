package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/trackerd/trackerd/swarm"
)

// stateConfig is [state]: the swarm snapshot kept across restarts.
type stateConfig struct {
	File string `toml:"file"`
}

// check validates [state] and returns the snapshot path ("" when off).
func (c stateConfig) check() (string, error) {
	if c.File == "" {
		return "", nil
	}
	path := filepath.Clean(c.File)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return "", fmt.Errorf("state.file: %q is a directory", c.File)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return "", fmt.Errorf("state.file: cannot use directory %q: %w", dir, err)
	case !fi.IsDir():
		return "", fmt.Errorf("state.file: %q is not a directory", dir)
	}
	return path, nil
}

// stateFile is the swarm snapshot file. Its directory is opened once, at
// start, so that the snapshot is written to the same place after a chroot;
// what may be written there is checked against the user trackerd runs as
// by then.
type stateFile struct {
	path string   // as configured, for logs
	dir  *os.Root // the file's directory
	name string   // the file's name in dir
}

// loadState returns the swarm table to serve: the snapshot at path loaded
// into a new table configured by cfg, or an empty table when path is "",
// when there is no snapshot, or when it cannot be used (corrupt, foreign,
// of another version, older than the peer timeout: a warning says which).
// The error is for a directory that cannot be opened; the stateFile is nil
// when path is "".
func loadState(path string, cfg swarm.Config, log *slog.Logger) (*swarm.Table, *stateFile, error) {
	if path == "" {
		return swarm.New(cfg), nil, nil
	}
	dir, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, nil, fmt.Errorf("state.file: cannot open directory: %w", err)
	}
	sf := &stateFile{path: path, dir: dir, name: filepath.Base(path)}
	start := time.Now()
	f, err := dir.Open(sf.name)
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no swarm snapshot: starting empty", "file", path)
		return swarm.New(cfg), sf, nil
	}
	if err != nil {
		log.Warn("cannot read swarm snapshot: starting empty", "file", path, "err", err)
		return swarm.New(cfg), sf, nil
	}
	defer f.Close()
	t, st, err := swarm.ReadSnapshot(f, cfg, uint32(start.Unix()))
	age := time.Duration(start.Unix()-int64(st.CreatedUnix)) * time.Second
	if err != nil {
		attrs := []any{"file", path, "err", err}
		if st.CreatedUnix != 0 {
			attrs = append(attrs, "age", age.String())
		}
		log.Warn("swarm snapshot not loaded: starting empty", attrs...)
		return swarm.New(cfg), sf, nil
	}
	log.Info("swarm snapshot loaded", "file", path, "torrents", st.Torrents, "peers", st.Peers,
		"expired", st.Expired, "age", age.String(), "bytes", st.Bytes, "took", time.Since(start).String())
	return t, sf, nil
}

// saveState writes t to the snapshot file: to a temporary file in the same
// directory, synced, renamed over the old snapshot, and the directory
// synced, so that a crash at any point leaves the old snapshot or the new
// one, whole. A failure is logged and returned; the old snapshot stays.
// It does nothing when sf is nil.
func saveState(sf *stateFile, t *swarm.Table, log *slog.Logger) error {
	if sf == nil {
		return nil
	}
	start := time.Now()
	st, err := sf.write(t, uint32(start.Unix()))
	if err != nil {
		log.Error("cannot write swarm snapshot: the previous one, if any, is kept", "file", sf.path, "err", err)
		return err
	}
	log.Info("swarm snapshot written", "file", sf.path, "torrents", st.Torrents, "peers", st.Peers,
		"bytes", st.Bytes, "took", time.Since(start).String())
	return nil
}

// checkWritable creates and removes a file next to the snapshot, as the
// user trackerd now runs as, so that a directory it cannot write in is
// reported at start rather than when the swarms are lost at stop.
func (sf *stateFile) checkWritable(log *slog.Logger) {
	if sf == nil {
		return
	}
	tmp := sf.name + ".check"
	f, err := sf.dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		log.Warn("the swarm snapshot cannot be written: the swarms will be lost at stop", "file", sf.path, "err", err)
		return
	}
	_ = f.Close()
	_ = sf.dir.Remove(tmp)
}

func (sf *stateFile) write(t *swarm.Table, now uint32) (swarm.SnapshotStats, error) {
	tmp := sf.name + ".tmp"
	f, err := sf.dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // peer addresses: not for everyone
	if err != nil {
		return swarm.SnapshotStats{}, err
	}
	st, err := t.WriteSnapshot(f, now)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = sf.dir.Rename(tmp, sf.name)
	}
	if err != nil {
		_ = sf.dir.Remove(tmp)
		return st, err
	}
	d, err := sf.dir.Open(".")
	if err != nil {
		return st, err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return st, fmt.Errorf("cannot sync directory: %w", err)
	}
	return st, nil
}

// close releases the directory. It does nothing when sf is nil.
func (sf *stateFile) close() {
	if sf != nil {
		_ = sf.dir.Close()
	}
}
