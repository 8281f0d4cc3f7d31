//go:build unix

package delivery

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childEnv = "LLMUX_DELIVERY_SIGKILL_CHILD"

// spoolChild runs in the child process: it spools numbered records,
// printing "accepted N" once Add(N) returned, while a slow sink
// "exports" them by appending their ids to delivered.txt. The parent kills
// it with SIGKILL at some point.
func spoolChild(dir string, fsync bool) {
	out, err := os.OpenFile(filepath.Join(dir, "delivered.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		panic(err)
	}
	sink := SinkFunc(func(ctx context.Context, b []Record) error {
		var sb strings.Builder
		for _, r := range b {
			sb.Write(r)
			sb.WriteByte('\n')
		}
		time.Sleep(2 * time.Millisecond) // export takes a while: the kill lands mid-export
		_, err := out.WriteString(sb.String())
		return err
	})
	q, err := New(sink, Options{Name: "child", SpoolDir: filepath.Join(dir, "spool"), Fsync: fsync,
		BatchSize: 25, FlushInterval: time.Millisecond, SpoolSegmentBytes: 8 << 10, Log: quiet})
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 1; ; i++ {
		q.Add(Record(strconv.Itoa(i)))
		fmt.Fprintf(w, "accepted %d\n", i)
		w.Flush()
	}
}

// A process killed with SIGKILL while it spools and exports loses none
// of the records Add accepted: a new queue on the same directory sends
// every one the old process had not exported. With fsync off too, since
// SIGKILL leaves the page cache intact (a power loss would not).
func TestSpool_SIGKILLMidExportLosesNothingWritten(t *testing.T) {
	if v := os.Getenv(childEnv); v != "" {
		dir, fsync, _ := strings.Cut(v, "|")
		spoolChild(dir, fsync == "fsync")
		return
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	for _, fsync := range []bool{true, false} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) { sigkillRound(t, fsync) })
	}
}

func sigkillRound(t *testing.T, fsync bool) {
	dir := t.TempDir()
	mode := "nofsync"
	if fsync {
		mode = "fsync"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpool_SIGKILLMidExportLosesNothingWritten$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir+"|"+mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	accepted := 0
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "accepted ")
		if !ok {
			continue
		}
		accepted, _ = strconv.Atoi(n)
		if accepted >= 1500 && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before the kill after %d records", accepted)
	}

	got := map[string]bool{}
	b, _ := os.ReadFile(filepath.Join(dir, "delivered.txt"))
	before := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !got[l] {
			got[l] = true
			before++
		}
	}
	c := newCollector()
	q, err := New(c, Options{Name: "restart", SpoolDir: filepath.Join(dir, "spool"), FlushInterval: time.Millisecond, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := q.Stats()
	conserved(t, s)
	for r := range c.seen {
		got[r] = true
	}
	lost := 0
	for i := 1; i <= accepted; i++ {
		if !got[strconv.Itoa(i)] {
			lost++
		}
	}
	t.Logf("SIGKILL after %d accepted records: %d exported before the kill, %d replayed after restart (%d corrupt regions skipped), %d lost",
		accepted, before, s.Delivered, s.Dropped[DropCorrupt], lost)
	if lost != 0 {
		t.Fatalf("%d of %d accepted records lost", lost, accepted)
	}
}
