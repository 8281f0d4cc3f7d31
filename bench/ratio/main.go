// Command ratio reads `go test -bench` output run with -count N and prints,
// for each benchmark family (a benchmark's sub-benchmarks), the ratio of
// each sub-benchmark to the family's baseline ("raw", else the first) for
// each metric, paired pass by pass: the median ratio and its spread
// [min–max] over the passes. Pairing pass by pass keeps ratios meaningful
// on a noisy machine whose speed drifts.
//
//	go test ./bench -run '^$' -bench . -count 8 | go run ./bench/ratio
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
		fam, sub, ok := strings.Cut(name, "/")
		if !ok {
			continue
		}
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
		base := "raw"
		if _, ok := runs[fam][base]; !ok {
			base = subs[fam][0]
		}
		fmt.Fprintf(out, "%s (ratio to %s, median [min-max] over passes)\n", fam, base)
		for _, sub := range subs[fam] {
			if sub == base {
				continue
			}
			var parts []string
			for _, m := range []string{"ns/op", "cpu-ns/op", "allocs/op"} {
				var rs []float64
				for i, s := range runs[fam][sub] {
					if i >= len(runs[fam][base]) {
						break
					}
					b := runs[fam][base][i][m]
					if v, ok := s[m]; ok && b > 0 {
						rs = append(rs, v/b)
					}
				}
				if len(rs) == 0 {
					continue
				}
				slices.Sort(rs)
				parts = append(parts, fmt.Sprintf("%s %.3f [%.3f-%.3f]", m, rs[len(rs)/2], rs[0], rs[len(rs)-1]))
			}
			fmt.Fprintf(out, "  %-14s %s  (n=%d)\n", sub, strings.Join(parts, "  "), len(runs[fam][sub]))
		}
	}
	return nil
}
