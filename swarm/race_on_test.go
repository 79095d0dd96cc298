//go:build race

package swarm

// raceEnabled shortens the single-goroutine tests, which gain nothing from
// the race detector but its 10× slowdown.
const raceEnabled = true
