package bencode

import (
	"math"
	"reflect"
	"testing"
)

func TestAppendFailure_Golden(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		retrySec int64
		want     string
	}{
		{name: "no retry", reason: "unregistered torrent", want: "d14:failure reason20:unregistered torrente"},
		{name: "negative retry omitted", reason: "x", retrySec: -5, want: "d14:failure reason1:xe"},
		{name: "retry 1 s is 1 min", reason: "busy", retrySec: 1, want: "d14:failure reason4:busy8:retry ini1ee"},
		{name: "retry 60 s", reason: "busy", retrySec: 60, want: "d14:failure reason4:busy8:retry ini1ee"},
		{name: "retry 90 s rounds up", reason: "busy", retrySec: 90, want: "d14:failure reason4:busy8:retry ini2ee"},
		{name: "retry max", reason: "busy", retrySec: math.MaxInt64, want: "d14:failure reason4:busy8:retry ini153722867280912931ee"},
		{name: "length counts bytes", reason: "non autorisé", want: "d14:failure reason13:non autorisée"},
		{name: "empty reason", reason: "", want: "d14:failure reason0:e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendFailure(nil, tt.reason, tt.retrySec)
			checkGolden(t, got, tt.want)
			want := map[string]any{"failure reason": tt.reason}
			if tt.retrySec > 0 {
				want["retry in"] = (tt.retrySec-1)/60 + 1
			}
			if v := mustDecode(t, got); !reflect.DeepEqual(v, want) {
				t.Fatalf("decoded %q, want %q", v, want)
			}
		})
	}
}

func TestAppendInt_Golden(t *testing.T) {
	for n, want := range map[int64]string{
		0: "i0e", 1: "i1e", -1: "i-1e", 42: "i42e",
		math.MaxInt64: "i9223372036854775807e", math.MinInt64: "i-9223372036854775808e",
	} {
		checkGolden(t, AppendInt(nil, n), want)
		if v := mustDecode(t, []byte(want)); v != n {
			t.Fatalf("Decode(%q) = %v, want %d", want, v, n)
		}
	}
}

func TestAppendString_Golden(t *testing.T) {
	for s, want := range map[string]string{
		"": "0:", "spam": "4:spam", "\x00\xff": "2:\x00\xff", "0123456789": "10:0123456789",
	} {
		checkGolden(t, AppendString(nil, []byte(s)), want)
		checkGolden(t, AppendStringS(nil, s), want)
		if v := mustDecode(t, []byte(want)); v != s {
			t.Fatalf("Decode(%q) = %q, want %q", want, v, s)
		}
	}
}
