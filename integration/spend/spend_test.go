package spend

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/internal/pgtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// events are the terminal events the tests log, with the rows they give.
func events() ([]*llmux.Event, []Row) {
	success := &llmux.Event{
		Type: llmux.EventSuccess, CallID: "call-success", TraceID: "trace-1", CallType: llmux.CallCompletion,
		Model: "gpt-4o", Provider: "openai", StartTime: t0, EndTime: t0.Add(1500 * time.Millisecond),
		Usage:        llmux.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15},
		ResponseCost: 0.25, User: "alice",
		Attempt: llmux.AttemptInfo{APIKey: "sk-...abcd", APIBase: "https://api.openai.com/v1/"},
		Route:   llmux.Route{ModelGroup: "gpt", ModelID: "dep-1", Deployment: "openai/gpt-4o"},
		Metadata: map[string]any{
			"user_api_key_hash": strings.Repeat("ab", 32), "user_api_key_alias": "prod",
			"user_api_key_user_id": "u1", "user_api_key_team_id": "t1",
		},
		Tags: []string{"a", "b"},
	}
	failure := &llmux.Event{
		Type: llmux.EventFailure, CallID: "call-failure", CallType: llmux.CallCompletion,
		Model: "claude", Provider: "anthropic", StartTime: t0.Add(time.Hour), EndTime: t0.Add(time.Hour + 200*time.Millisecond),
		Err:      &llmux.Error{Code: llmux.CodeRateLimited, StatusCode: 429, Provider: "anthropic", Message: "slow down"},
		Metadata: map[string]any{"user_api_key_end_user_id": "bob", "tags": []any{"x"}},
	}
	hit := &llmux.Event{
		Type: llmux.EventSuccess, CallID: "call-hit", CallType: llmux.CallCompletion, Model: "gpt-4o", Provider: "openai",
		StartTime: t0.Add(24 * time.Hour), EndTime: t0.Add(24*time.Hour + 2*time.Millisecond),
		Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}, CacheHit: true,
	}
	stream := &llmux.Event{
		Type: llmux.EventSuccess, CallID: "call-stream", CallType: llmux.CallCompletion, Model: "mystery", Provider: "mock",
		Stream: true, StartTime: t0.Add(25 * time.Hour), CompletionStartTime: t0.Add(25*time.Hour + 300*time.Millisecond),
		EndTime: t0.Add(25*time.Hour + time.Second), Usage: llmux.Usage{PromptTokens: 3, CompletionTokens: 7, TotalTokens: 10},
		CostErr: errors.New("model mystery is not priced"),
	}
	rows := []Row{
		{ID: "call-success", TraceID: "trace-1", CallType: "completion", StartTime: t0, EndTime: t0.Add(1500 * time.Millisecond),
			Model: "gpt-4o", Provider: "openai", ModelGroup: "gpt", ModelID: "dep-1", Deployment: "openai/gpt-4o",
			APIBase: "https://api.openai.com/v1", APIKey: strings.Repeat("ab", 32), KeyAlias: "prod", UpstreamKey: "sk-...abcd",
			UserID: "u1", TeamID: "t1", EndUser: "alice", PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15,
			Cost: ptr(0.25), Status: "success", LatencyMS: 1500, Tags: []string{"a", "b"}},
		{ID: "call-failure", CallType: "completion", StartTime: t0.Add(time.Hour), EndTime: t0.Add(time.Hour + 200*time.Millisecond),
			Model: "claude", Provider: "anthropic", EndUser: "bob", Cost: ptr(0.0), Status: "failure", ErrorCode: "rate_limited",
			HTTPStatus: 429, LatencyMS: 200, Tags: []string{"x"}},
		{ID: "call-hit", CallType: "completion", StartTime: t0.Add(24 * time.Hour), EndTime: t0.Add(24*time.Hour + 2*time.Millisecond),
			Model: "gpt-4o", Provider: "openai", PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15, Cost: ptr(0.0),
			CacheHit: true, Status: "success", LatencyMS: 2, Tags: []string{}},
		{ID: "call-stream", CallType: "completion", StartTime: t0.Add(25 * time.Hour), EndTime: t0.Add(25*time.Hour + time.Second),
			Model: "mystery", Provider: "mock", PromptTokens: 3, CompletionTokens: 7, TotalTokens: 10, Status: "success",
			LatencyMS: 1000, TTFTMS: ptr(int64(300)), Tags: []string{}},
	}
	return []*llmux.Event{success, failure, hit, stream}, rows
}

// dsns are the databases every test runs against: an SQLite file and a
// PostgreSQL schema of its own.
func dsns(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "spend.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	}
}

func fastQueue() Options {
	return Options{Delivery: delivery.Options{Name: "sql-test", FlushInterval: time.Millisecond, InitialBackoff: time.Millisecond}}
}

func TestLogger_OneRowPerTerminalEvent(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l, err := Open(ctx, dsn(t), fastQueue())
			if err != nil {
				t.Fatal(err)
			}
			evs, want := events()
			for _, e := range evs {
				if e.Type == llmux.EventFailure {
					l.LogFailureEvent(ctx, e)
				} else {
					l.LogSuccessEvent(ctx, e)
				}
			}
			if err := l.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := l.Store().Rows(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			var unknown int
			if err := l.Store().DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+Table+` WHERE cost IS NULL`).Scan(&unknown); err != nil {
				t.Fatal(err)
			}
			if unknown != 1 {
				t.Errorf("rows with NULL cost = %d, want 1 (the unpriced stream)", unknown)
			}
			if err := l.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if s := l.Stats(); s.Emitted != 4 || s.Delivered != 4 || s.Queued != 0 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestInsert_RetriedBatchDoesNotDuplicate(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := OpenStore(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, rows := events()
			for range 3 {
				if err := s.Insert(ctx, rows); err != nil {
					t.Fatal(err)
				}
			}
			// A batch that repeats an id within itself too.
			if err := s.Insert(ctx, append(rows[:1:1], rows...)); err != nil {
				t.Fatal(err)
			}
			got, err := s.Rows(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows) {
				t.Fatalf("%d rows after retries, want %d", len(got), len(rows))
			}
		})
	}
}

func TestOpenStore_MigratingACurrentDatabaseIsANoOp(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := dsn(t)
			s, err := OpenStore(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			_, rows := events()
			if err := s.Insert(ctx, rows); err != nil {
				t.Fatal(err)
			}
			s.Close()
			for range 2 {
				s, err = OpenStore(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				v, err := s.Version(ctx)
				if err != nil || v != 1 {
					t.Fatalf("version = %d, %v; want 1", v, err)
				}
				var n int
				if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+SchemaTable).Scan(&n); err != nil || n != 1 {
					t.Fatalf("%s has %d rows (%v), want 1", SchemaTable, n, err)
				}
				got, err := s.Rows(ctx, time.Time{})
				if err != nil || len(got) != len(rows) {
					t.Fatalf("rows after reopening: %d, %v", len(got), err)
				}
				s.Close()
			}
		})
	}
}

func TestOpenStore_RefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	d := filepath.Join(t.TempDir(), "spend.db")
	s, err := OpenStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO `+SchemaTable+` VALUES (99, 'later')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := OpenStore(ctx, d); err == nil || !strings.Contains(err.Error(), "newer") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("OpenStore = %v, want a newer-schema error", err)
	}
}

func TestTotals(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := OpenStore(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, rows := events()
			if err := s.Insert(ctx, rows); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				by    string
				since time.Time
				want  []Total
			}{
				{ByModel, time.Time{}, []Total{
					{Group: "gpt-4o", Requests: 2, CacheHits: 1, PromptTokens: 20, CompletionTokens: 10, TotalTokens: 30, Cost: 0.25},
					{Group: "claude", Requests: 1, Failures: 1, Cost: 0},
					{Group: "mystery", Requests: 1, PromptTokens: 3, CompletionTokens: 7, TotalTokens: 10, UnknownCost: 1},
				}},
				{ByKey, time.Time{}, []Total{
					{Group: strings.Repeat("ab", 32), Requests: 1, PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15, Cost: 0.25},
					{Group: "", Requests: 3, Failures: 1, CacheHits: 1, PromptTokens: 13, CompletionTokens: 12, TotalTokens: 25, UnknownCost: 1},
				}},
				{ByDay, time.Time{}, []Total{
					{Group: "2026-11-30", Requests: 2, Failures: 1, PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15, Cost: 0.25},
					{Group: "2026-12-01", Requests: 2, CacheHits: 1, PromptTokens: 13, CompletionTokens: 12, TotalTokens: 25, UnknownCost: 1},
				}},
				{ByDay, t0.Add(2 * time.Hour), []Total{
					{Group: "2026-12-01", Requests: 2, CacheHits: 1, PromptTokens: 13, CompletionTokens: 12, TotalTokens: 25, UnknownCost: 1},
				}},
			} {
				got, err := s.Totals(ctx, tc.by, tc.since)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("Totals(%s, %v) (-want +got):\n%s", tc.by, tc.since, d)
				}
			}
			if _, err := s.Totals(ctx, "planet", time.Time{}); err == nil {
				t.Error("Totals(planet) succeeded")
			}
		})
	}
}

// TestSecrets_NeverStoredUnmasked logs events carrying keys in every place
// a careless caller could put one and checks that no key reaches the
// database, in any column or (SQLite) anywhere in the file.
func TestSecrets_NeverStoredUnmasked(t *testing.T) {
	secrets := []string{"sk-live-0123456789abcdefSECRET", "vk-virtual-key-9876543210XYZ", "qp-query-secret-5555555555"}
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := dsn(t)
			l, err := Open(ctx, d, fastQueue())
			if err != nil {
				t.Fatal(err)
			}
			e := &llmux.Event{
				Type: llmux.EventSuccess, CallID: "call-secret", Model: "m", StartTime: t0, EndTime: t0,
				Attempt:  llmux.AttemptInfo{APIKey: secrets[0], APIBase: "https://u:" + secrets[0] + "@example.com/v1?key=" + secrets[2]},
				Metadata: map[string]any{"user_api_key_hash": secrets[1]},
			}
			e2 := e.Clone()
			e2.CallID = "call-secret-2"
			e2.Metadata = map[string]any{"user_api_key": secrets[1]}
			l.LogSuccessEvent(ctx, e)
			l.LogSuccessEvent(ctx, e2)
			if err := l.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			rows, err := l.Store().Rows(ctx, time.Time{})
			if err != nil || len(rows) != 2 {
				t.Fatalf("rows %d, %v", len(rows), err)
			}
			if err := l.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			var dump bytes.Buffer
			for _, r := range rows {
				dump.WriteString(strings.Join([]string{r.APIKey, r.UpstreamKey, r.APIBase, r.KeyAlias}, "|"))
			}
			if name == "sqlite" {
				for _, f := range []string{d, d + "-wal"} {
					b, _ := os.ReadFile(f)
					dump.Write(b)
				}
			}
			for _, s := range secrets {
				if bytes.Contains(dump.Bytes(), []byte(s)) {
					t.Errorf("secret %q stored unmasked", s)
				}
			}
			if rows[0].UpstreamKey != "sk-...CRET" {
				t.Errorf("upstream key stored as %q", rows[0].UpstreamKey)
			}
		})
	}
}

func TestInsert_ClassifiesErrors(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(ctx, filepath.Join(t.TempDir(), "spend.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.DB().ExecContext(ctx, `DROP TABLE `+Table); err != nil {
		t.Fatal(err)
	}
	_, rows := events()
	err = s.Insert(ctx, rows)
	var re *delivery.RetryableError
	if err == nil || errors.As(err, &re) {
		t.Errorf("insert into a missing table = %v, want a permanent error", err)
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "42P01"}, false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{context.DeadlineExceeded, true},
		{errors.New("unexpected EOF"), true},
		{errors.New("syntax"), false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestInsert_ConnectionRefusedIsRetryable: a batch that meets a refused connection
// is retried, not dropped.
func TestInsert_ConnectionRefusedIsRetryable(t *testing.T) {
	ctx := context.Background()
	d := pgtest.Schema(t)
	s, err := OpenStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A store whose server is gone: same schema, unused port.
	s2 := &Store{driver: Postgres}
	s2.db, err = openRaw("pgx", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, rows := events()
	var re *delivery.RetryableError
	if err := s2.Insert(ctx, rows); !errors.As(err, &re) {
		t.Fatalf("insert with the server down = %v, want retryable", err)
	}
}

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		drv  Driver
		want string
	}{
		{"postgres://u@h/db", Postgres, "postgres://u@h/db"},
		{"postgresql://u@h/db?sslmode=disable", Postgres, "postgresql://u@h/db?sslmode=disable"},
		{"host=h dbname=d", Postgres, "host=h dbname=d"},
		{"host=/var/run/postgresql dbname=d", Postgres, "host=/var/run/postgresql dbname=d"},
		{"/data/host=1.db", SQLite, "file:/data/host=1.db?"},
		{"llmux.db", SQLite, "file:llmux.db?"},
		{"sqlite:/tmp/x.db", SQLite, "file:/tmp/x.db?"},
		{"sqlite:///tmp/x.db", SQLite, "file:/tmp/x.db?"},
		{"file:x.db?mode=ro", SQLite, "file:x.db?mode=ro&"},
	} {
		drv, got, err := ParseDSN(tc.in)
		if err != nil || drv != tc.drv || !strings.HasPrefix(got, tc.want) {
			t.Errorf("ParseDSN(%q) = %s, %q, %v; want %s, %q...", tc.in, drv, got, err, tc.drv, tc.want)
		}
	}
	for _, bad := range []string{"", "sqlite:"} {
		if _, _, err := ParseDSN(bad); err == nil {
			t.Errorf("ParseDSN(%q) succeeded", bad)
		}
	}
}

func TestFactory_ReadsTheEnvironment(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			d := dsn(t)
			for _, key := range []string{"LLMUX_SPEND_DB", "DATABASE_URL"} {
				env := map[string]string{key: d}
				l, err := Factory(func(k string) string { return env[k] })
				if err != nil {
					t.Fatal(err)
				}
				lg := l.(*Logger)
				if lg.Name() != "sql" || lg.Store().Driver() != Driver(name) {
					t.Errorf("%s: name %q driver %q", key, lg.Name(), lg.Store().Driver())
				}
				if err := lg.Shutdown(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if got := DSNFromEnv(func(string) string { return "" }); got != DefaultDSN {
		t.Errorf("default DSN %q", got)
	}
}
