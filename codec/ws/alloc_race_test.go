//go:build race

package ws

// raceEnabled tells the fuzz targets not to count allocations under -race
// (see alloc_test.go).
const raceEnabled = true
