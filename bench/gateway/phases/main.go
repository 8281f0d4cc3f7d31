// Command phases splits the latency a gateway adds into its three phases,
// from the gateway's own system calls: pre (from the read that brought the
// request to the write of the upstream request), upstream (from that write
// to the read of the upstream answer) and post (from that read to the
// write of the answer to the client). It needs perf with the syscalls
// tracepoints (Linux; software events are enough, no hardware counters).
//
// Run it while a load runs against the gateway (one process), for
// llmux and a reference hop in turn:
//
//	go run ./bench/gateway/phases -pid "$(pgrep -f 'llmux-gateway')" -d 5s
//	go run ./bench/gateway/phases -script perf-script.txt   # an earlier `perf script` output
//
// A connection whose first successful call is a write is upstream (the
// gateway speaks first), one whose first is a read is a client's. Each
// upstream write is paired with the latest client read before it not yet
// paired, so under concurrency a pair can be wrong; the medians hold (the
// harness's open loop at 500 rps agrees with its Δ to a few µs).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	pid := flag.Int("pid", 0, "the gateway's process id (records with perf)")
	dur := flag.Duration("d", 5*time.Second, "how long to record")
	script := flag.String("script", "", "read this `perf script` output instead of recording")
	label := flag.String("label", "", "a name printed before the figures")
	flag.Parse()
	var in io.Reader
	switch {
	case *script != "":
		f, err := os.Open(*script)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		in = f
	case *pid > 0:
		out, err := record(*pid, *dur)
		if err != nil {
			fail(err)
		}
		in = strings.NewReader(out)
	default:
		fail(fmt.Errorf("give -pid or -script"))
	}
	calls, err := parse(in)
	if err != nil {
		fail(err)
	}
	p := split(calls)
	if len(p.pre) == 0 {
		fail(fmt.Errorf("no request found in %d calls: was the load running?", len(calls)))
	}
	if *label != "" {
		fmt.Print(*label, " ")
	}
	fmt.Printf("n=%d  pre %s  upstream %s  post %s  (µs, p50 [p25..p75])\n", len(p.pre), quart(p.pre), quart(p.upstream), quart(p.post))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "phases:", err)
	os.Exit(1)
}

// record runs perf on pid for d and returns `perf script`'s output.
func record(pid int, d time.Duration) (string, error) {
	dir, err := os.MkdirTemp("", "phases")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "perf.data")
	rec := exec.Command("perf", "record", "-q", "-e", "syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_exit_read",
		"-p", strconv.Itoa(pid), "-o", data, "--", "sleep", strconv.FormatFloat(d.Seconds(), 'f', 3, 64))
	if out, err := rec.CombinedOutput(); err != nil {
		return "", fmt.Errorf("perf record: %v: %s", err, out)
	}
	out, err := exec.Command("perf", "script", "-i", data).Output()
	if err != nil {
		return "", fmt.Errorf("perf script: %v", err)
	}
	return string(out), nil
}

// call is one successful read or one write of the traced process.
type call struct {
	t     float64 // µs
	write bool
	fd    int
	n     int // bytes read, or asked to write
}

var (
	lineRE = regexp.MustCompile(`^\s*\S+\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+syscalls:(\w+):\s*(.*)$`)
	fdRE   = regexp.MustCompile(`fd: (0x[0-9a-f]+)`)
	cntRE  = regexp.MustCompile(`count: (0x[0-9a-f]+)`)
)

// parse reads perf script's default output of the three tracepoints. A
// read's fd comes from its thread's sys_enter_read; reads that returned
// nothing or an error (EAGAIN) are left out.
func parse(r io.Reader) ([]call, error) {
	var out []call
	readFD := map[string]int{} // thread id -> fd of its read in progress
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		tid, name, rest := m[1], m[3], m[4]
		t, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("time %q: %v", m[2], err)
		}
		t *= 1e6
		switch name {
		case "sys_enter_read":
			if fd, ok := hexField(fdRE, rest); ok {
				readFD[tid] = fd
			}
		case "sys_exit_read":
			fd, ok := readFD[tid]
			delete(readFD, tid)
			ret, err := strconv.ParseUint(strings.TrimSpace(rest), 0, 64)
			if !ok || err != nil || int64(ret) <= 0 {
				continue
			}
			out = append(out, call{t: t, fd: fd, n: int(ret)})
		case "sys_enter_write":
			fd, ok1 := hexField(fdRE, rest)
			n, ok2 := hexField(cntRE, rest)
			if ok1 && ok2 {
				out = append(out, call{t: t, write: true, fd: fd, n: n})
			}
		}
	}
	return out, sc.Err()
}

func hexField(re *regexp.Regexp, s string) (int, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(m[1], 0, 64)
	return int(v), err == nil
}

// phases holds, per request found, the three durations in µs.
type phases struct{ pre, upstream, post []float64 }

// minBody is the smallest read or write taken for a request or an answer:
// smaller ones are the runtime's wake-ups (8-byte eventfd writes) and
// net/http's one-byte background reads.
const minBody = 64

// maxAhead bounds the calls searched for a request's answer.
const maxAhead = 20000

// split pairs the calls into requests (see the package comment).
func split(calls []call) phases {
	upstream := map[int]bool{}
	seen := map[int]bool{}
	for _, c := range calls {
		if c.n < minBody || seen[c.fd] {
			continue
		}
		seen[c.fd] = true
		upstream[c.fd] = c.write
	}
	type read struct {
		t  float64
		fd int
	}
	var p phases
	var pending []read // client reads not paired yet, oldest first
	for i, c := range calls {
		if c.n < minBody {
			continue
		}
		if !c.write && !upstream[c.fd] {
			pending = append(pending, read{c.t, c.fd})
			continue
		}
		if !c.write || !upstream[c.fd] || len(pending) == 0 {
			continue
		}
		req := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		// Reads left unpaired (a request answered without an upstream
		// call, a body read in two parts) do not outlive a second.
		for len(pending) > 0 && c.t-pending[0].t > 1e6 {
			pending = pending[1:]
		}
		var got, sent float64 = -1, -1
		for _, d := range calls[i+1 : min(len(calls), i+1+maxAhead)] {
			if d.n < minBody {
				continue
			}
			if got < 0 && !d.write && d.fd == c.fd {
				got = d.t
			} else if got >= 0 && d.write && d.fd == req.fd {
				sent = d.t
				break
			}
		}
		if sent < 0 {
			continue
		}
		p.pre = append(p.pre, c.t-req.t)
		p.upstream = append(p.upstream, got-c.t)
		p.post = append(p.post, sent-got)
	}
	return p
}

// quart formats the median and quartiles.
func quart(v []float64) string {
	s := slices.Clone(v)
	slices.Sort(s)
	return fmt.Sprintf("%.0f [%.0f..%.0f]", s[len(s)/2], s[len(s)/4], s[3*len(s)/4])
}
