package pin

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParse(t *testing.T) {
	f := func(in string, want []int) {
		t.Helper()
		got, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Parse(%q) = %v, want %v", in, got, want)
		}
		if again, _ := Parse(Format(got)); !slices.Equal(again, want) {
			t.Fatalf("Format round trip of %q: %q", in, Format(got))
		}
	}
	f("0", []int{0})
	f("0-3,8", []int{0, 1, 2, 3, 8})
	f(" 3, 1 ,1-2", []int{1, 2, 3})
}

func TestParse_Bad(t *testing.T) {
	for _, in := range []string{"x", "1-", "3-1", "-1", "0-99999", ",", "1,,2"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestParse_EmptyIsAffinity(t *testing.T) {
	got, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if len(got) != set.Count() {
		t.Fatalf("Parse(\"\") = %v, affinity has %d cpus", got, set.Count())
	}
}

func TestThread(t *testing.T) {
	cpus, err := Allowed()
	if err != nil {
		t.Fatal(err)
	}
	want := cpus[len(cpus)-1]
	done := make(chan error)
	go func() {
		if err := Thread(want); err != nil {
			done <- err
			return
		}
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			done <- err
			return
		}
		if set.Count() != 1 || !set.IsSet(want) {
			done <- errors.New("thread not pinned")
			return
		}
		done <- nil
		// The goroutine exits locked, so the runtime retires the pinned thread.
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
