//go:build llmuxstages

package stage

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// track is one request's marks on one track.
type track struct {
	at      [numPoints]int64 // ns since the track's start, 0: not reached
	start   time.Time
	open    bool
	spoiled bool
}

var (
	mu     sync.Mutex
	tracks [2]track
	got    [numPoints][]time.Duration
	counts [2]int // tracks completed
	lost   [2]int // tracks spoiled by an overlapping request or left open
)

func trackOf(p Point) (int, Point, Point) {
	if p < Received {
		return 0, Enter, Send
	}
	return 1, Received, Written
}

const recording = true

// Mark records that the current request reached p.
func Mark(p Point) {
	now := time.Now()
	mu.Lock()
	defer mu.Unlock()
	k, first, last := trackOf(p)
	t := &tracks[k]
	switch {
	case p == first:
		if t.open && now.Sub(t.start) < abandoned {
			t.spoiled = true // the other request's marks mix with this one's
			lost[k]++
			return
		}
		if t.open {
			lost[k]++ // a request that ended early (a 400, a failed call) left it open
		}
		*t = track{start: now, open: true}
		return
	case !t.open:
		return
	}
	t.at[p] = int64(now.Sub(t.start))
	if p != last {
		return
	}
	if !t.spoiled {
		for q := first + 1; q <= last; q++ {
			if t.at[q] > 0 {
				got[q] = append(got[q], time.Duration(t.at[q]))
			}
		}
		counts[k]++
	}
	t.open = false
}

// Report writes, for each point reached, the median and 90th percentile
// time since its track's start and the step from the point before, then
// forgets what it reported.
func Report(w io.Writer) {
	mu.Lock()
	defer mu.Unlock()
	for k, name := range []string{"pre-upstream", "post-upstream"} {
		_, first, last := trackOf([]Point{Enter, Received}[k])
		fmt.Fprintf(w, "%s: %d requests (%d spoiled by an overlap or left unfinished)\n", name, counts[k], lost[k])
		prev := time.Duration(0)
		for q := first + 1; q <= last; q++ {
			d := got[q]
			if len(d) == 0 {
				continue
			}
			slices.Sort(d)
			p50, p90 := d[len(d)/2], d[len(d)*9/10]
			fmt.Fprintf(w, "  %-17s p50 %7.1f µs  p90 %7.1f µs  step %+6.1f µs\n", q, us(p50), us(p90), us(p50-prev))
			prev = p50
		}
	}
	got = [numPoints][]time.Duration{}
	counts, lost = [2]int{}, [2]int{}
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }
