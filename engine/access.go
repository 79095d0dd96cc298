package engine

import (
	"errors"
	"fmt"
	"os"

	"github.com/trackerd/trackerd/engine/internal/access"
	"github.com/trackerd/trackerd/swarm"
)

// Access list modes ([access] mode).
const (
	AccessOff   = "off"   // every torrent is served
	AccessAllow = "allow" // only the torrents on the list are served
	AccessDeny  = "deny"  // the torrents on the list are refused
)

// AccessConfig selects the torrents the tracker serves.
type AccessConfig struct {
	Mode string // AccessOff, AccessAllow or AccessDeny
	// File lists info hashes, one per line as 40 hex digits, with "#"
	// comments (engine/internal/access). Required unless Mode is AccessOff.
	// It is read at start and again by every Reload.
	File string
}

// Client-facing refusal, the same on every protocol.
const msgRefused = "torrent not served by this tracker"

// accessList is a loaded access list with its mode. It is immutable, shared
// by every worker through settings; a nil *accessList refuses nothing.
type accessList struct {
	deny bool
	list *access.List
	// drop is refused as the swarm sweep takes it, made once here so the
	// janitor does not build a closure per step.
	drop func(*swarm.InfoHash) bool
}

// refused reports whether ih must be refused: one map lookup, no lock, no
// allocation. Safe for concurrent use.
func (a *accessList) refused(ih *[20]byte) bool {
	return a != nil && a.list.Contains(ih) == a.deny
}

// refusedAll reports whether every one of hashes is refused (a scrape of
// only refused torrents is refused; one with some allowed torrents reports
// the refused ones as zeros, docs/access.md).
func (a *accessList) refusedAll(hashes [][20]byte) bool {
	if a == nil {
		return false
	}
	for i := range hashes {
		if !a.refused(&hashes[i]) {
			return false
		}
	}
	return true
}

// loadAccess reads the list c names. It returns nil for AccessOff. Errors
// name the key and, for a bad line, file:line.
func loadAccess(c AccessConfig) (*accessList, error) {
	if c.Mode == AccessOff || c.Mode == "" {
		return nil, nil
	}
	b, err := os.ReadFile(c.File)
	if err != nil {
		return nil, fmt.Errorf("access.file: cannot read access list: %w", err)
	}
	l, err := access.Parse(b)
	if err != nil {
		var se *access.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("access.file %s:%d: %q is not a 40-hex info hash", c.File, se.Line, se.Text)
		}
		return nil, fmt.Errorf("access.file %s: %w", c.File, err)
	}
	a := &accessList{deny: c.Mode == AccessDeny, list: l}
	a.drop = func(ih *swarm.InfoHash) bool { return a.refused((*[20]byte)(ih)) }
	return a, nil
}

// Check reads and parses the access list c names, as New and Reload do, so
// that -check-config reports a bad list. It returns nil for AccessOff.
func (c AccessConfig) Check() error {
	_, err := loadAccess(c)
	return err
}

func (c *AccessConfig) validate() []error {
	switch c.Mode {
	case AccessOff, "": // zero is the default
		return nil
	case AccessAllow, AccessDeny:
		if c.File == "" {
			return []error{fmt.Errorf("access.file: required when access.mode is %q", c.Mode)}
		}
		return nil
	}
	return []error{fmt.Errorf("access.mode: %q is not %q, %q or %q", c.Mode, AccessOff, AccessAllow, AccessDeny)}
}
