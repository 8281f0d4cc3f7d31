package main

import (
	"strings"
	"testing"
)

func TestRun_RatiosArePairedPassByPass(t *testing.T) {
	in := `goos: linux
BenchmarkCall/raw-2     100  1000 ns/op  2000 cpu-ns/op  10 allocs/op
BenchmarkCall/llmux-2   100  1500 ns/op  2600 cpu-ns/op  12 allocs/op
BenchmarkCall/raw-2     100  2000 ns/op  4000 cpu-ns/op  10 allocs/op
BenchmarkCall/llmux-2   100  2200 ns/op  4400 cpu-ns/op  12 allocs/op
BenchmarkCall/raw-2     100  4000 ns/op  8000 cpu-ns/op  10 allocs/op
BenchmarkCall/llmux-2   100  4800 ns/op  9600 cpu-ns/op  12 allocs/op
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	// ns/op ratios per pass: 1.5, 1.1, 1.2 -> median 1.2 [1.1-1.5]; a
	// ratio of medians (2200/2000) would say 1.1.
	for _, want := range []string{
		"BenchmarkCall (ratio to raw",
		"llmux", "ns/op 1.2 [1.1-1.5]", "cpu-ns/op 1.2 [1.1-1.3]", "allocs/op 1.2 [1.2-1.2]", "(n=3)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "  raw ") {
		t.Errorf("the baseline is listed against itself:\n%s", out.String())
	}
}

func TestRun_FamiliesWithoutRawAreSummarised(t *testing.T) {
	in := `BenchmarkPaired/call-2  400  6769921 ns/op  1.150 cpu:llmux/raw  1.247 cpu:noop/raw
BenchmarkPaired/call-2  400  7495910 ns/op  1.130 cpu:llmux/raw  1.261 cpu:noop/raw
BenchmarkPaired/call-2  400  6031438 ns/op  1.160 cpu:llmux/raw  1.220 cpu:noop/raw
BenchmarkMaxRate-2      400  10916 ns/op  0 %dropped
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"BenchmarkPaired (median [min-max] over passes)",
		"call  (n=3)",
		"cpu:llmux/raw          1.15 [1.13-1.16]",
		"cpu:noop/raw           1.247 [1.22-1.261]",
		"BenchmarkMaxRate (median",
		"%dropped               0 [0-0]",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
