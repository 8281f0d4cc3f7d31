// Command ratio reads `go test -bench` output run with -count N and
// summarises it pass by pass, which keeps figures meaningful on a noisy
// machine whose speed drifts.
//
// A benchmark family (a benchmark's sub-benchmarks) with a "raw"
// sub-benchmark is a side-by-side comparison: for each other
// sub-benchmark it prints the ratio to raw of ns/op, cpu-ns/op and
// allocs/op, paired pass by pass, as the median and its spread [min-max].
// Any other family (BenchmarkPaired, which reports ratios it paired
// itself, or one without sub-benchmarks) gets each metric's median and
// spread over the passes.
//
//	go test ./bench -run '^$' -bench 'Call|Stream|Paired' -count 8 | go run ./bench/ratio
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

type sample map[string]float64 // metric -> value

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ratio:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	// family -> sub -> passes
	runs := map[string]map[string][]sample{}
	var families []string
	subs := map[string][]string{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		fam, sub, _ := strings.Cut(name, "/")
		s := sample{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			s[f[i+1]] = v
		}
		if runs[fam] == nil {
			runs[fam] = map[string][]sample{}
			families = append(families, fam)
		}
		if _, seen := runs[fam][sub]; !seen {
			subs[fam] = append(subs[fam], sub)
		}
		runs[fam][sub] = append(runs[fam][sub], s)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, fam := range families {
		if _, ok := runs[fam]["raw"]; ok {
			ratios(out, fam, subs[fam], runs[fam])
		} else {
			summary(out, fam, subs[fam], runs[fam])
		}
	}
	return nil
}

// ratios prints each sub-benchmark's ratios to raw, paired pass by pass.
func ratios(out io.Writer, fam string, subs []string, runs map[string][]sample) {
	fmt.Fprintf(out, "%s (ratio to raw, median [min-max] over passes)\n", fam)
	base := runs["raw"]
	for _, sub := range subs {
		if sub == "raw" {
			continue
		}
		var parts []string
		for _, m := range []string{"ns/op", "cpu-ns/op", "allocs/op"} {
			var rs []float64
			for i, s := range runs[sub] {
				if i >= len(base) {
					break
				}
				if v, ok := s[m]; ok && base[i][m] > 0 {
					rs = append(rs, v/base[i][m])
				}
			}
			if len(rs) > 0 {
				parts = append(parts, m+" "+spread(rs))
			}
		}
		fmt.Fprintf(out, "  %-14s %s  (n=%d)\n", sub, strings.Join(parts, "  "), len(runs[sub]))
	}
}

// summary prints each metric of each sub-benchmark over the passes.
func summary(out io.Writer, fam string, subs []string, runs map[string][]sample) {
	fmt.Fprintf(out, "%s (median [min-max] over passes)\n", fam)
	for _, sub := range subs {
		name := sub
		if name == "" {
			name = "-"
		}
		var metrics []string
		for _, s := range runs[sub] {
			for m := range s {
				if !slices.Contains(metrics, m) {
					metrics = append(metrics, m)
				}
			}
		}
		slices.Sort(metrics)
		fmt.Fprintf(out, "  %s  (n=%d)\n", name, len(runs[sub]))
		for _, m := range metrics {
			var vs []float64
			for _, s := range runs[sub] {
				if v, ok := s[m]; ok {
					vs = append(vs, v)
				}
			}
			fmt.Fprintf(out, "    %-22s %s\n", m, spread(vs))
		}
	}
}

// spread formats the median of vs and its range; it sorts vs.
func spread(vs []float64) string {
	slices.Sort(vs)
	return fmt.Sprintf("%.4g [%.4g-%.4g]", vs[len(vs)/2], vs[0], vs[len(vs)-1])
}
