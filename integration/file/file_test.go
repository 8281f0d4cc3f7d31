package file

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// run makes n mock calls (every fifth one fails) through a client logging
// to l, then closes the client.
func run(t *testing.T, l *Logger, n int) {
	t.Helper()
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithLog(quiet), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var m any = fmt.Sprintf("answer %d", i)
		if i%5 == 4 {
			m = "litellm.InternalServerError"
		}
		_, _ = c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hello")}, MockResponse: m, Metadata: map[string]any{"n": i}})
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p map[string]any
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("%s: line %q: %v", path, sc.Text(), err)
		}
		out = append(out, p)
	}
	return out
}

func TestLogger_OnePayloadLinePerFinishedCall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	l, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	run(t, l, 10)
	lines := readLines(t, path)
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10", len(lines))
	}
	status := map[string]int{}
	for _, p := range lines {
		status[fmt.Sprint(p["status"])]++
		if p["id"] == "" || p["model"] == nil || p["call_type"] != "completion" && p["call_type"] != "acompletion" {
			t.Errorf("payload %v", p)
		}
	}
	if d := cmp.Diff(map[string]int{"success": 8, "failure": 2}, status); d != "" {
		t.Errorf("statuses (-want +got)\n%s", d)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	if l.Errors() != 0 {
		t.Fatalf("%d write errors", l.Errors())
	}
}

func TestLogger_RotatesBySizeKeepingMaxBackups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	// An existing file with loose permissions is tightened.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const maxBytes = 8 << 10
	l, err := New(path, WithMaxBytes(maxBytes), WithMaxBackups(3))
	if err != nil {
		t.Fatal(err)
	}
	run(t, l, 60)
	files, _ := filepath.Glob(path + "*")
	sort.Strings(files)
	want := []string{path, path + ".1", path + ".2", path + ".3"}
	if d := cmp.Diff(want, files); d != "" {
		t.Fatalf("files (-want +got)\n%s", d)
	}
	total := 0
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxBytes || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %d bytes, mode %v", f, fi.Size(), fi.Mode())
		}
		total += len(readLines(t, f))
	}
	if total == 0 || total >= 60 {
		t.Fatalf("%d lines kept across rotations; want some but not all 60 (old backups deleted)", total)
	}
	// The newest line is in the live file, the oldest kept in .3.
	live := readLines(t, path)
	old := readLines(t, path+".3")
	if len(live) == 0 || len(old) == 0 {
		t.Fatal("empty file after rotation")
	}
	if live[len(live)-1]["startTime"].(float64) < old[0]["startTime"].(float64) {
		t.Fatal("rotation order: the live file holds older events than .3")
	}
}

func TestLogger_NoBackupsDiscardsOnRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.jsonl")
	l, err := New(path, WithMaxBytes(4<<10), WithMaxBackups(0))
	if err != nil {
		t.Fatal(err)
	}
	run(t, l, 20)
	files, _ := filepath.Glob(path + "*")
	if len(files) != 1 || len(readLines(t, path)) == 0 {
		t.Fatalf("files %v", files)
	}
}

func TestLogger_AfterShutdownCountsErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.jsonl")
	l, err := New(path, WithLog(quiet))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.write([]byte("{}"))
	if l.Errors() != 1 {
		t.Fatalf("errors = %d", l.Errors())
	}
	if err := l.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LLMUX_FILE_PATH": filepath.Join(dir, "x.jsonl"), "LLMUX_FILE_MAX_BYTES": "1000", "LLMUX_FILE_MAX_BACKUPS": "2"}
	l, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(context.Background())
	if l.path != env["LLMUX_FILE_PATH"] || l.maxBytes != 1000 || l.maxBackups != 2 {
		t.Fatalf("%+v", l)
	}
	for k, v := range map[string]string{"LLMUX_FILE_MAX_BYTES": "big", "LLMUX_FILE_MAX_BACKUPS": "-1"} {
		bad := map[string]string{"LLMUX_FILE_PATH": filepath.Join(dir, "y.jsonl"), k: v}
		if l, err := FromEnv(func(k string) string { return bad[k] }); err == nil {
			_ = l.Shutdown(context.Background())
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}
