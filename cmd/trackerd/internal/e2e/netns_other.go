//go:build !linux

package e2e

import "testing"

// NetnsOptions configures the private network namespace of InNetns.
type NetnsOptions struct {
	GlobalIPv6 string
	Hosts      string
}

// InNetns needs Linux network namespaces; elsewhere it skips t.
func InNetns(t *testing.T, opts NetnsOptions, env ...string) bool {
	t.Helper()
	t.Skip("network namespaces are Linux only")
	return false
}
