//go:build !linux

package browser

import "testing"

// Transfer skips t: the harness needs Linux user and network namespaces.
func Transfer(t testing.TB, opts Options) Result {
	t.Helper()
	t.Skip("browser.Transfer needs Linux (user and network namespaces)")
	return Result{}
}
