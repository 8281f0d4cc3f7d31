package spend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
)

// Logger writes one spend-log row per finished call. Rows are queued
// (never blocking the call), batched and inserted by an
// [delivery.Queue]; Flush and Shutdown (called by the client's Flush and
// Close) deliver what is queued.
type Logger struct {
	store *Store
	q     *delivery.Queue
	name  string
}

var (
	_ llmux.SuccessLogger = (*Logger)(nil)
	_ llmux.FailureLogger = (*Logger)(nil)
	_ llmux.Flusher       = (*Logger)(nil)
	_ llmux.Shutdowner    = (*Logger)(nil)
	_ llmux.Named         = (*Logger)(nil)
)

// Options configure a [Logger]. The zero value is ready to use.
type Options struct {
	// Delivery configures the queue between the calls and the database
	// (batch size, flush interval, retries); Name defaults to "sql".
	Delivery delivery.Options
}

// Open opens the spend log at dsn ([ParseDSN]: a PostgreSQL URL, else an
// SQLite file, created when missing), creates or migrates its schema and
// returns a logger writing to it.
func Open(ctx context.Context, dsn string, o Options) (*Logger, error) {
	s, err := OpenStore(ctx, dsn)
	if err != nil {
		return nil, err
	}
	l, err := New(s, o)
	if err != nil {
		s.Close()
		return nil, err
	}
	return l, nil
}

// New returns a logger writing to s; its Shutdown closes s.
func New(s *Store, o Options) (*Logger, error) {
	if o.Delivery.Name == "" {
		o.Delivery.Name = "sql"
	}
	l := &Logger{store: s, name: o.Delivery.Name}
	q, err := delivery.New(delivery.SinkFunc(l.send), o.Delivery)
	if err != nil {
		return nil, err
	}
	l.q = q
	return l, nil
}

// Factory builds the logger the gateway's config names "sql": the spend
// log at $LLMUX_SPEND_DB, else $DATABASE_URL (LiteLLM's), else
// [DefaultDSN].
func Factory(getenv func(string) string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := delivery.FromEnv("sql", getenv) // LLMUX_SPOOL_DIR and the like: a disk spool
	if err != nil {
		return nil, err
	}
	return Open(ctx, DSNFromEnv(getenv), Options{Delivery: d})
}

// DSNFromEnv returns $LLMUX_SPEND_DB, else $DATABASE_URL, else
// [DefaultDSN].
func DSNFromEnv(getenv func(string) string) string {
	for _, k := range []string{"LLMUX_SPEND_DB", "DATABASE_URL"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return DefaultDSN
}

// Store is the logger's database.
func (l *Logger) Store() *Store { return l.store }

// Stats are the logger's delivery counters.
func (l *Logger) Stats() delivery.Stats { return l.q.Stats() }

// Name names the logger in the client's statistics and warnings.
func (l *Logger) Name() string { return l.name }

// LogSuccessEvent queues the call's row.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.add(e) }

// LogFailureEvent queues the call's row.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.add(e) }

func (l *Logger) add(e *llmux.Event) {
	b, err := json.Marshal(RowOf(e))
	if err != nil { // a Row always encodes; keep the record countable anyway
		b = fmt.Appendf(nil, `{"id":%q,"status":"failure","error_code":"marshal"}`, e.CallID)
	}
	l.q.Add(b)
}

// send is the queue's sink: one batch, one transaction.
func (l *Logger) send(ctx context.Context, batch []delivery.Record) error {
	rows := make([]Row, 0, len(batch))
	for _, r := range batch {
		var row Row
		if err := json.Unmarshal(r, &row); err != nil {
			return fmt.Errorf("spend: undecodable record: %w", err)
		}
		rows = append(rows, row)
	}
	return l.store.Insert(ctx, rows)
}

// Flush inserts every row queued before it, or returns when ctx ends.
func (l *Logger) Flush(ctx context.Context) error { return l.q.Flush(ctx) }

// Shutdown inserts what is queued (until ctx ends) and closes the
// database.
func (l *Logger) Shutdown(ctx context.Context) error {
	return errors.Join(l.q.Close(ctx), l.store.Close())
}

func retryableErr(err error) error { return delivery.Retryable(err, 0) }
