package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// processConfig is the [process] table: whom trackerd runs as once its
// sockets are bound, so that ports below 1024 can be bound as root and
// nothing else runs as root.
type processConfig struct {
	User   string `toml:"user"`
	Group  string `toml:"group"`
	Chroot string `toml:"chroot"`
}

// filePath is a file trackerd opens after dropping privileges (the config
// file on reload, an access list, a snapshot), with the config key or flag
// that names it, for error messages.
type filePath struct {
	key  string  // "access.file", "-config"
	path *string // "" is no file
}

// filePaths lists the config's file keys that are read or written after
// the privilege drop; dropPrivileges rewrites them for the chroot, and
// resolve checks that they lie inside it. A reload must rewrite the paths
// of the config it reads with the running process config, whose chroot is
// in force: running.rewritePaths(next.filePaths()...).
//
// The snapshot (state.file) is not among them: its directory is opened
// before the drop, and written through that handle.
func (c *config) filePaths() []filePath {
	return []filePath{{key: "access.file", path: &c.Access.File}}
}

// startDir is the working directory trackerd started in: relative paths are
// relative to it, also once a chroot has moved the working directory.
var startDir, _ = os.Getwd()

// credentials are the ids a [process] user and group resolve to.
type credentials struct {
	uid, gid int
	groups   []int // supplementary groups, gid included
}

// check validates p, looking the user and group up (the check runs before
// any chroot, where /etc/passwd is at hand). Every error names its key.
func (p *processConfig) check() []error {
	var errs []error
	if p.User == "" {
		if p.Group != "" {
			errs = append(errs, errors.New("process.group: set only with process.user"))
		}
		if p.Chroot != "" {
			errs = append(errs, errors.New("process.chroot: set only with process.user (root can leave a chroot)"))
		}
		return errs
	}
	if _, err := p.lookup(); err != nil {
		errs = append(errs, err)
	}
	if p.Chroot != "" {
		root, err := filepath.Abs(p.Chroot)
		if err != nil {
			errs = append(errs, fmt.Errorf("process.chroot: %w", err))
		} else if fi, err := os.Stat(root); err != nil {
			errs = append(errs, fmt.Errorf("process.chroot: %w", err))
		} else if !fi.IsDir() {
			errs = append(errs, fmt.Errorf("process.chroot: %s is not a directory", root))
		}
	}
	return errs
}

// checkPaths reports each file that would be out of reach after the
// chroot, naming its key.
func (p *processConfig) checkPaths(files ...filePath) error {
	var errs []error
	for _, f := range files {
		if _, err := p.rewrite(f); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// rewrite returns f's path as the process sees it after the drop: absolute
// (relative to startDir), and with a chroot, relative to the new root.
// Paths are compared as written: a symbolic link inside the chroot that
// points out of it is not followed, and will not resolve after the chroot.
// Pure string work, so a reload after the chroot can use it too.
func (p *processConfig) rewrite(f filePath) (string, error) {
	path := *f.path
	if path == "" {
		return "", nil
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(startDir, abs)
	}
	abs = filepath.Clean(abs)
	if p.Chroot == "" {
		return abs, nil
	}
	root := p.Chroot
	if !filepath.IsAbs(root) {
		root = filepath.Join(startDir, root)
	}
	root = filepath.Clean(root)
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s: %s is outside process.chroot %s: it could not be read after the chroot", f.key, abs, root)
	}
	return filepath.Join("/", rel), nil
}

// rewritePaths rewrites every file path in place (see rewrite). On error
// nothing is changed.
func (p *processConfig) rewritePaths(files ...filePath) error {
	out := make([]string, len(files))
	var errs []error
	for i, f := range files {
		var err error
		if out[i], err = p.rewrite(f); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for i, f := range files {
		*f.path = out[i]
	}
	return nil
}

// lookup resolves the user and group, by name or numeric id.
func (p *processConfig) lookup() (credentials, error) {
	var c credentials
	u, err := lookupUser(p.User)
	if err != nil {
		return c, fmt.Errorf("process.user: %w", err)
	}
	if c.uid, err = strconv.Atoi(u.Uid); err != nil {
		return c, fmt.Errorf("process.user: %q has a non-numeric uid %q", p.User, u.Uid)
	}
	if c.uid == 0 {
		return c, fmt.Errorf("process.user: %q is root; name an unprivileged user", p.User)
	}
	if p.Group != "" {
		g, err := lookupGroup(p.Group)
		if err != nil {
			return c, fmt.Errorf("process.group: %w", err)
		}
		if c.gid, err = strconv.Atoi(g.Gid); err != nil {
			return c, fmt.Errorf("process.group: %q has a non-numeric gid %q", p.Group, g.Gid)
		}
		c.groups = []int{c.gid}
		return c, nil
	}
	if c.gid, err = strconv.Atoi(u.Gid); err != nil {
		return c, fmt.Errorf("process.user: %q has a non-numeric gid %q", p.User, u.Gid)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return c, fmt.Errorf("process.user: cannot list the groups of %q: %w", p.User, err)
	}
	c.groups = []int{c.gid}
	for _, s := range ids {
		// Never keep group root, even when /etc/group lists the user in it.
		if g, err := strconv.Atoi(s); err == nil && g != 0 && g != c.gid {
			c.groups = append(c.groups, g)
		}
	}
	return c, nil
}

// lookupUser finds a user by name, or by uid when s is a number.
func lookupUser(s string) (*user.User, error) {
	u, err := user.Lookup(s)
	if err == nil {
		return u, nil
	}
	if _, nerr := strconv.Atoi(s); nerr == nil {
		if u, ierr := user.LookupId(s); ierr == nil {
			return u, nil
		}
	}
	return nil, fmt.Errorf("no user %q (%v)", s, err)
}

// lookupGroup finds a group by name, or by gid when s is a number.
func lookupGroup(s string) (*user.Group, error) {
	g, err := user.LookupGroup(s)
	if err == nil {
		return g, nil
	}
	if _, nerr := strconv.Atoi(s); nerr == nil {
		if g, ierr := user.LookupGroupId(s); ierr == nil {
			return g, nil
		}
	}
	return nil, fmt.Errorf("no group %q (%v)", s, err)
}

// dropPrivileges runs once every socket is bound (engine.Start returned):
// it rewrites files for the process's new view of the file system (see
// rewrite), then, with process.user set, chroots (when process.chroot is
// set), sets the groups, the gid and the uid, and checks that root cannot
// be regained. Go applies setgroups, setgid and setuid to every thread of
// the process, the pinned workers' locked threads included.
//
// Without process.user, a process running as root logs one warning. With
// it, a process already running as that user (systemd's User=) goes on
// as it is, unless a chroot is asked for; any other non-root process
// fails: it cannot switch.
//
// On error the caller must exit: the process may be half-dropped.
func dropPrivileges(p processConfig, log *slog.Logger, files ...filePath) error {
	if err := p.rewritePaths(files...); err != nil {
		return err
	}
	if p.User == "" {
		if os.Geteuid() == 0 {
			log.Warn("running as root: set process.user to drop privileges once the sockets are bound")
		}
		return nil
	}
	c, err := p.lookup()
	if err != nil {
		return err
	}
	if euid := os.Geteuid(); euid != 0 {
		if p.Chroot != "" {
			return fmt.Errorf("process.chroot: only root can chroot (running as uid %d)", euid)
		}
		if euid == c.uid && os.Getuid() == c.uid {
			log.Info("already running as process.user", "user", p.User, "uid", c.uid)
			return nil
		}
		return fmt.Errorf("process.user: cannot switch to %s (uid %d) from uid %d: only root can", p.User, c.uid, euid)
	}
	if p.Chroot != "" {
		root, _ := filepath.Abs(p.Chroot)
		if err := syscall.Chroot(root); err != nil {
			return fmt.Errorf("process.chroot: cannot chroot to %s: %w", root, err)
		}
		if err := syscall.Chdir("/"); err != nil {
			return fmt.Errorf("process.chroot: cannot chdir to / in %s: %w", root, err)
		}
	}
	if err := syscall.Setgroups(c.groups); err != nil {
		return fmt.Errorf("process.user: cannot set groups %v: %w", c.groups, err)
	}
	if err := syscall.Setgid(c.gid); err != nil {
		return fmt.Errorf("process.group: cannot set gid %d: %w", c.gid, err)
	}
	if err := syscall.Setuid(c.uid); err != nil {
		return fmt.Errorf("process.user: cannot set uid %d: %w", c.uid, err)
	}
	if err := checkDropped(c); err != nil {
		return err
	}
	log.Info("dropped privileges", "user", p.User, "uid", c.uid, "gid", c.gid, "groups", c.groups, "chroot", p.Chroot)
	return nil
}

// checkDropped verifies the switch to c took, and that it cannot be undone.
func checkDropped(c credentials) error {
	if u, eu := syscall.Getuid(), syscall.Geteuid(); u != c.uid || eu != c.uid {
		return fmt.Errorf("process.user: uid %d, euid %d after setuid(%d)", u, eu, c.uid)
	}
	if g, eg := syscall.Getgid(), syscall.Getegid(); g != c.gid || eg != c.gid {
		return fmt.Errorf("process.group: gid %d, egid %d after setgid(%d)", g, eg, c.gid)
	}
	if err := syscall.Setuid(0); err == nil {
		return errors.New("process.user: setuid(0) succeeded after dropping privileges")
	}
	return nil
}
