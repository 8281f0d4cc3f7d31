//go:build unix

package redistest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNeed_ReturnsAnsweringServer(t *testing.T) {
	addr := Need(t)
	if err := Ping(addr, time.Second); err != nil {
		t.Fatalf("Ping(%s) after Need: %v", addr, err)
	}
}

func TestServer_StopContKillRestart(t *testing.T) {
	s := Start(t)
	if err := Ping(s.Addr, time.Second); err != nil {
		t.Fatalf("fresh server: %v", err)
	}

	s.Stop()
	if err := Ping(s.Addr, 100*time.Millisecond); err == nil {
		t.Fatal("stopped server answered PING")
	}
	s.Cont()
	if err := Ping(s.Addr, time.Second); err != nil {
		t.Fatalf("continued server: %v", err)
	}

	s.Kill()
	if err := Ping(s.Addr, 100*time.Millisecond); err == nil {
		t.Fatal("killed server answered PING")
	}
	s.Kill() // idempotent

	s.Restart()
	if err := Ping(s.Addr, time.Second); err != nil {
		t.Fatalf("restarted server: %v", err)
	}
}

func TestServer_KilledWhileStoppedIsCleanedUp(t *testing.T) {
	s := Start(t)
	s.Stop()
	// t.Cleanup's SIGKILL must end a stopped process too; goleak in
	// TestMain notices if its reaper goroutine were left waiting.
}

func TestPing_RefusedPort(t *testing.T) {
	if err := Ping("127.0.0.1:1", 200*time.Millisecond); err == nil {
		t.Fatal("Ping to port 1 succeeded")
	}
}

// recorder is a testing.TB that records Skip and Fatal instead of ending
// the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Skip(args ...any)          { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatal(args ...any)         { r.failed = fmt.Sprint(args...) }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = fmt.Sprintf(f, a...) }

func TestNeed_SkipsWithoutServerFailsOnCI(t *testing.T) {
	const noServer = "127.0.0.1:1"
	for ci, want := range map[string]string{"": "skip", "false": "skip", "true": "fail"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		need(r, noServer)
		got, msg := "skip", r.skipped
		if r.failed != "" {
			got, msg = "fail", r.failed
		}
		if got != want || !strings.Contains(msg, "start one with: redis-server") {
			t.Errorf("CI=%q: %s %q; want %s with instructions", ci, got, msg, want)
		}
	}
}

func TestStart_SkipsWithoutBinaryFailsOnCI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for ci, want := range map[string]string{"": "skip", "true": "fail"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		if s := Start(r); s != nil {
			t.Fatalf("CI=%q: Start without redis-server returned a server", ci)
		}
		got, msg := "skip", r.skipped
		if r.failed != "" {
			got, msg = "fail", r.failed
		}
		if got != want || !strings.Contains(msg, "redis-server is not in PATH") {
			t.Errorf("CI=%q: %s %q; want %s", ci, got, msg, want)
		}
	}
}
