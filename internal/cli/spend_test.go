package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux/integration/spend"
	"github.com/llmux/llmux/internal/pgtest"
)

func TestSpend_TotalsFromEitherDatabase(t *testing.T) {
	day := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	cost := func(f float64) *float64 { return &f }
	rows := []spend.Row{
		{ID: "a", StartTime: day, EndTime: day, Model: "gpt-4o", APIKey: "k1", PromptTokens: 10, CompletionTokens: 2, TotalTokens: 12, Cost: cost(0.5), Status: "success"},
		{ID: "b", StartTime: day.Add(24 * time.Hour), EndTime: day, Model: "gpt-4o", APIKey: "k2", TotalTokens: 3, Cost: cost(0.25), Status: "success"},
		{ID: "c", StartTime: day.Add(24 * time.Hour), EndTime: day, Model: "claude", APIKey: "k1", Status: "failure", ErrorCode: "timeout"},
	}
	for name, dsn := range map[string]func(*testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "spend.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := dsn(t)
			s, err := spend.OpenStore(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Insert(context.Background(), rows); err != nil {
				t.Fatal(err)
			}
			s.Close()

			code, out, _, stderr := run(t, nil, "spend", "--db", d, "--by", "model", "--format", "json")
			if code != 0 {
				t.Fatalf("code %d: %s", code, stderr)
			}
			var got []spend.Total
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want := []spend.Total{
				{Group: "gpt-4o", Requests: 2, PromptTokens: 10, CompletionTokens: 2, TotalTokens: 15, Cost: 0.75},
				{Group: "claude", Requests: 1, Failures: 1, UnknownCost: 1},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("--by model (-want +got):\n%s", d)
			}

			// The DSN from the environment, grouped by key, as a table.
			code, out, _, stderr = run(t, map[string]string{"DATABASE_URL": d}, "spend", "--by", "key")
			if code != 0 {
				t.Fatalf("code %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 4 || !strings.HasPrefix(strings.TrimSpace(lines[0]), "KEY") ||
				!strings.Contains(lines[1], "0.500000") || !strings.HasPrefix(strings.TrimSpace(lines[3]), "TOTAL") ||
				!strings.Contains(lines[3], "0.750000") {
				t.Errorf("--by key table:\n%s", out)
			}

			code, out, _, stderr = run(t, nil, "spend", "--db", d, "--by", "day", "--since", "2026-11-30", "--format", "json")
			if code != 0 {
				t.Fatalf("code %d: %s", code, stderr)
			}
			got = nil
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].Group != "2026-11-30" || got[0].Requests != 2 {
				t.Errorf("--by day --since: %v %s", err, out)
			}
		})
	}
}

func TestSpend_BadUse(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.db")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"spend", "--by", "planet"}, exitUsage, "--by"},
		{[]string{"spend", "--format", "xml"}, exitUsage, "--format"},
		{[]string{"spend", "--since", "yesterday"}, exitUsage, "--since"},
		{[]string{"spend", "--db", missing}, exitCall, "no spend log"},
		{[]string{"spend", "extra"}, exitUsage, "unexpected argument"},
	} {
		code, _, _, stderr := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: code %d stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"2026-11-01":           time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"2026-11-01T10:00:00Z": time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
