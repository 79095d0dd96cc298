// Package pin parses CPU lists and pins OS threads to CPUs.
//
// Concurrency: functions act on the calling OS thread or are pure; safe for
// concurrent use. Nothing here is on a hot path.
package pin

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrEmpty is returned for a CPU list that names no CPU.
var ErrEmpty = errors.New("pin: empty cpu list")

// Parse decodes a Linux-style CPU list such as "0-3,8" into ascending,
// de-duplicated CPU numbers. The empty string means "the process's own
// affinity mask", as taskset and systemd's CPUAffinity set it.
func Parse(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Allowed()
	}
	var set unix.CPUSet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("pin: bad cpu %q in %q", part, s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("pin: bad cpu range %q in %q", part, s)
			}
		}
		if a < 0 || b < a || b >= len(set)*64 {
			return nil, fmt.Errorf("pin: cpu range %q out of bounds in %q", part, s)
		}
		for c := a; c <= b; c++ {
			set.Set(c)
		}
	}
	return list(&set)
}

// Allowed returns the CPUs in the calling process's affinity mask.
func Allowed() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("cannot read cpu affinity: %w", err)
	}
	return list(&set)
}

func list(set *unix.CPUSet) ([]int, error) {
	var cpus []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) == 0 {
		return nil, ErrEmpty
	}
	return cpus, nil
}

// Thread locks the calling goroutine to its OS thread and restricts that
// thread to cpu. The goroutine stays locked for the rest of its life, so
// call it at the top of a worker goroutine.
func Thread(cpu int) error {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	// pid 0 is the calling thread, not the whole process.
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("cannot pin thread to cpu %d: %w", cpu, err)
	}
	return nil
}

// Format renders cpus as a compact list ("0-3,8") for logs.
func Format(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(cpus[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return b.String()
}
