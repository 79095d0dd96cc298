//go:build race

package wt

// raceEnabled tells the fuzz targets not to count allocations under -race
// (see alloc_test.go).
const raceEnabled = true
