package spend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Table is the spend log's table; SchemaTable records the migrations
// applied to the database.
const (
	Table       = "llmux_spend_logs"
	SchemaTable = "llmux_schema_version"
)

// DefaultDSN is the spend log of a gateway or program that names none: an
// SQLite file in the working directory.
const DefaultDSN = "llmux.db"

// Driver names a database engine.
type Driver string

// The drivers.
const (
	SQLite   Driver = "sqlite"   // modernc.org/sqlite, embedded
	Postgres Driver = "postgres" // PostgreSQL through pgx v5
)

// Store is the spend log in one database. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	driver Driver
}

// ParseDSN returns the driver a DSN names and what to hand that driver:
// postgres:// and postgresql:// URLs (and key=value strings with host=)
// are PostgreSQL; anything else is an SQLite file path, optionally
// written sqlite:PATH, sqlite://PATH or file:PATH?query.
func ParseDSN(dsn string) (Driver, string, error) {
	d := strings.TrimSpace(dsn)
	switch {
	case d == "":
		return "", "", errors.New("spend: empty DSN")
	case strings.HasPrefix(d, "postgres://"), strings.HasPrefix(d, "postgresql://"),
		isKeyValueDSN(d):
		return Postgres, d, nil
	case strings.HasPrefix(d, "sqlite://"):
		d = strings.TrimPrefix(d, "sqlite://")
	case strings.HasPrefix(d, "sqlite:"):
		d = strings.TrimPrefix(d, "sqlite:")
	}
	if d == "" {
		return "", "", fmt.Errorf("spend: DSN %q names no file", dsn)
	}
	if !strings.HasPrefix(d, "file:") {
		d = "file:" + d
	}
	sep := "?"
	if strings.Contains(d, "?") {
		sep = "&"
	}
	// WAL lets `llmux spend` read while the gateway writes; busy_timeout
	// waits for a lock instead of failing at once.
	d += sep + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	return SQLite, d, nil
}

// isKeyValueDSN reports whether d is libpq's key=value form
// ("host=h dbname=d"): every field a key=value pair, one of them host or
// dbname.
func isKeyValueDSN(d string) bool {
	fields := strings.Fields(d)
	known := false
	for _, f := range fields {
		k, _, ok := strings.Cut(f, "=")
		if !ok {
			return false
		}
		known = known || k == "host" || k == "dbname"
	}
	return known
}

// OpenStore opens the database dsn names (see [ParseDSN]), creating the
// spend log's tables or migrating them to the current schema.
func OpenStore(ctx context.Context, dsn string) (*Store, error) {
	drv, src, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	name := "pgx"
	if drv == SQLite {
		name = "sqlite"
	}
	db, err := sql.Open(name, src)
	if err != nil {
		return nil, fmt.Errorf("spend: open: %w", err)
	}
	if drv == SQLite {
		// One writer at a time is all SQLite allows; a single connection
		// also keeps ":memory:" one database.
		db.SetMaxOpenConns(1)
	} else {
		db.SetMaxOpenConns(4)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	s := &Store{db: db, driver: drv}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Driver is the store's database engine.
func (s *Store) Driver() Driver { return s.driver }

// DB is the underlying database, for queries of your own.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrations are applied in order; migration i+1 brings the schema to
// version i+1. Each is a list of statements per driver; %s is the table.
var migrations = []map[Driver][]string{
	{ // 1: the spend log and its indexes on time, model and key.
		SQLite: {`CREATE TABLE IF NOT EXISTS ` + Table + ` (
	id TEXT PRIMARY KEY,
	trace_id TEXT NOT NULL DEFAULT '',
	call_type TEXT NOT NULL DEFAULT '',
	start_time TEXT NOT NULL,
	end_time TEXT NOT NULL,
	model TEXT NOT NULL DEFAULT '',
	provider TEXT NOT NULL DEFAULT '',
	model_group TEXT NOT NULL DEFAULT '',
	model_id TEXT NOT NULL DEFAULT '',
	deployment TEXT NOT NULL DEFAULT '',
	api_base TEXT NOT NULL DEFAULT '',
	api_key TEXT NOT NULL DEFAULT '',
	key_alias TEXT NOT NULL DEFAULT '',
	upstream_key TEXT NOT NULL DEFAULT '',
	user_id TEXT NOT NULL DEFAULT '',
	team_id TEXT NOT NULL DEFAULT '',
	end_user TEXT NOT NULL DEFAULT '',
	prompt_tokens INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	total_tokens INTEGER NOT NULL DEFAULT 0,
	cost REAL,
	cache_hit INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	error_code TEXT NOT NULL DEFAULT '',
	http_status INTEGER NOT NULL DEFAULT 0,
	latency_ms INTEGER NOT NULL DEFAULT 0,
	ttft_ms INTEGER,
	request_tags TEXT NOT NULL DEFAULT '[]'
)`},
		Postgres: {`CREATE TABLE IF NOT EXISTS ` + Table + ` (
	id TEXT PRIMARY KEY,
	trace_id TEXT NOT NULL DEFAULT '',
	call_type TEXT NOT NULL DEFAULT '',
	start_time TIMESTAMPTZ NOT NULL,
	end_time TIMESTAMPTZ NOT NULL,
	model TEXT NOT NULL DEFAULT '',
	provider TEXT NOT NULL DEFAULT '',
	model_group TEXT NOT NULL DEFAULT '',
	model_id TEXT NOT NULL DEFAULT '',
	deployment TEXT NOT NULL DEFAULT '',
	api_base TEXT NOT NULL DEFAULT '',
	api_key TEXT NOT NULL DEFAULT '',
	key_alias TEXT NOT NULL DEFAULT '',
	upstream_key TEXT NOT NULL DEFAULT '',
	user_id TEXT NOT NULL DEFAULT '',
	team_id TEXT NOT NULL DEFAULT '',
	end_user TEXT NOT NULL DEFAULT '',
	prompt_tokens BIGINT NOT NULL DEFAULT 0,
	completion_tokens BIGINT NOT NULL DEFAULT 0,
	total_tokens BIGINT NOT NULL DEFAULT 0,
	cost DOUBLE PRECISION,
	cache_hit BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL,
	error_code TEXT NOT NULL DEFAULT '',
	http_status INTEGER NOT NULL DEFAULT 0,
	latency_ms BIGINT NOT NULL DEFAULT 0,
	ttft_ms BIGINT,
	request_tags TEXT NOT NULL DEFAULT '[]'
)`},
		"": {
			`CREATE INDEX IF NOT EXISTS ` + Table + `_start_time_idx ON ` + Table + ` (start_time)`,
			`CREATE INDEX IF NOT EXISTS ` + Table + `_model_idx ON ` + Table + ` (model)`,
			`CREATE INDEX IF NOT EXISTS ` + Table + `_api_key_idx ON ` + Table + ` (api_key)`,
		},
	},
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// migrate applies the migrations the database lacks, in one transaction.
// On PostgreSQL an advisory lock keeps two gateways starting together from
// racing.
func (s *Store) migrate(ctx context.Context) error {
	// A current database is only read: `llmux spend` works with a user
	// that may not create tables.
	if v, err := s.Version(ctx); err == nil && v == len(migrations) {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("spend: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if s.driver == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7151731)`); err != nil {
			return fmt.Errorf("spend: migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+SchemaTable+` (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("spend: migrate: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+SchemaTable).Scan(&v); err != nil {
		return fmt.Errorf("spend: migrate: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("spend: database schema version %d is newer than this llmux knows (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		for _, stmt := range append(append([]string(nil), migrations[i][s.driver]...), migrations[i][""]...) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("spend: migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO `+SchemaTable+` (version, applied_at) VALUES (?, ?)`),
			i+1, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("spend: migration %d: %w", i+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("spend: migrate: %w", err)
	}
	return nil
}

// Version returns the schema version recorded in the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+SchemaTable).Scan(&v)
	return v, err
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (s *Store) rebind(q string) string {
	if s.driver != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// columns of the spend log in insert order.
const columns = `id, trace_id, call_type, start_time, end_time, model, provider, model_group, model_id, deployment, ` +
	`api_base, api_key, key_alias, upstream_key, user_id, team_id, end_user, prompt_tokens, completion_tokens, ` +
	`total_tokens, cost, cache_hit, status, error_code, http_status, latency_ms, ttft_ms, request_tags`

const ncolumns = 28

// sqliteTime is how times are stored in SQLite: fixed-width UTC text that
// sorts as time does and whose first 10 characters are the day.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// Insert writes rows in one transaction with one multi-row INSERT per
// 500 rows. A row whose id is already there is left as it is, so a
// retried batch never duplicates. The error is [delivery.Retryable] when
// the database may accept the rows later (connection lost, locked, busy).
func (s *Store) Insert(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.classify(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	const per = 500
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO ` + Table + ` (` + columns + `) VALUES `)
		args := make([]any, 0, len(chunk)*ncolumns)
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?" + strings.Repeat(",?", ncolumns-1) + ")")
			args = append(args, s.args(r)...)
		}
		q.WriteString(` ON CONFLICT (id) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, s.rebind(q.String()), args...); err != nil {
			return s.classify(err)
		}
	}
	return s.classify(tx.Commit())
}

func (s *Store) args(r Row) []any {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	tj, _ := json.Marshal(tags)
	var start, end any = r.StartTime.UTC(), r.EndTime.UTC()
	var hit any = r.CacheHit
	if s.driver == SQLite {
		start, end = r.StartTime.UTC().Format(sqliteTime), r.EndTime.UTC().Format(sqliteTime)
		hit = 0
		if r.CacheHit {
			hit = 1
		}
	}
	var cost, ttft any
	if r.Cost != nil {
		cost = *r.Cost
	}
	if r.TTFTMS != nil {
		ttft = *r.TTFTMS
	}
	return []any{r.ID, r.TraceID, r.CallType, start, end, r.Model, r.Provider, r.ModelGroup, r.ModelID, r.Deployment,
		r.APIBase, r.APIKey, r.KeyAlias, r.UpstreamKey, r.UserID, r.TeamID, r.EndUser, r.PromptTokens, r.CompletionTokens,
		r.TotalTokens, cost, hit, r.Status, r.ErrorCode, r.HTTPStatus, r.LatencyMS, ttft, string(tj)}
}

// Rows returns the rows that started at or after since (all when zero),
// oldest first.
func (s *Store) Rows(ctx context.Context, since time.Time) ([]Row, error) {
	rs, err := s.db.QueryContext(ctx, s.rebind(`SELECT `+columns+` FROM `+Table+` WHERE start_time >= ? ORDER BY start_time, id`), s.timeArg(since))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var r Row
		var start, end any
		var hit any
		var cost sql.NullFloat64
		var ttft sql.NullInt64
		var tj string
		if err := rs.Scan(&r.ID, &r.TraceID, &r.CallType, &start, &end, &r.Model, &r.Provider, &r.ModelGroup, &r.ModelID,
			&r.Deployment, &r.APIBase, &r.APIKey, &r.KeyAlias, &r.UpstreamKey, &r.UserID, &r.TeamID, &r.EndUser,
			&r.PromptTokens, &r.CompletionTokens, &r.TotalTokens, &cost, &hit, &r.Status, &r.ErrorCode, &r.HTTPStatus,
			&r.LatencyMS, &ttft, &tj); err != nil {
			return nil, err
		}
		if r.StartTime, err = scanTime(start); err != nil {
			return nil, err
		}
		if r.EndTime, err = scanTime(end); err != nil {
			return nil, err
		}
		switch v := hit.(type) {
		case bool:
			r.CacheHit = v
		case int64:
			r.CacheHit = v != 0
		}
		if cost.Valid {
			r.Cost = &cost.Float64
		}
		if ttft.Valid {
			r.TTFTMS = &ttft.Int64
		}
		if err := json.Unmarshal([]byte(tj), &r.Tags); err != nil {
			return nil, fmt.Errorf("spend: row %s: request_tags: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func (s *Store) timeArg(t time.Time) any {
	if s.driver == SQLite {
		return t.UTC().Format(sqliteTime)
	}
	return t.UTC()
}

func scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return time.Parse(sqliteTime, t)
	case []byte:
		return time.Parse(sqliteTime, string(t))
	}
	return time.Time{}, fmt.Errorf("spend: unexpected time value %T", v)
}

// Groupings for [Store.Totals].
const (
	ByModel = "model"
	ByKey   = "key"
	ByDay   = "day"
)

// Total sums the rows of one group.
type Total struct {
	Group            string  `json:"group"` // the model, key or day (YYYY-MM-DD, UTC)
	Requests         int64   `json:"requests"`
	Failures         int64   `json:"failures"`
	CacheHits        int64   `json:"cache_hits"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	TotalTokens      int64   `json:"total_tokens"`
	Cost             float64 `json:"cost"`         // sum of the known costs, USD
	UnknownCost      int64   `json:"unknown_cost"` // rows whose cost is unknown (NULL)
}

// Totals sums the rows that started at or after since (all when zero),
// grouped by model, key (the virtual key hash, else the masked upstream
// key) or UTC day, largest cost first (days in order).
func (s *Store) Totals(ctx context.Context, by string, since time.Time) ([]Total, error) {
	var group, order string
	switch by {
	case ByModel:
		group, order = "model", "cost DESC, grp"
	case ByKey:
		group, order = "CASE WHEN api_key <> '' THEN api_key ELSE upstream_key END", "cost DESC, grp"
	case ByDay:
		group, order = "substr(start_time, 1, 10)", "grp"
		if s.driver == Postgres {
			group = "to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
		}
	default:
		return nil, fmt.Errorf("spend: cannot group by %q (want model, key or day)", by)
	}
	hit := "cache_hit"
	if s.driver == Postgres {
		hit = "CASE WHEN cache_hit THEN 1 ELSE 0 END"
	}
	q := `SELECT ` + group + ` AS grp, COUNT(*), ` +
		`SUM(CASE WHEN status = 'failure' THEN 1 ELSE 0 END), SUM(` + hit + `), ` +
		`COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0), COALESCE(SUM(total_tokens), 0), ` +
		`COALESCE(SUM(cost), 0) AS cost, SUM(CASE WHEN cost IS NULL THEN 1 ELSE 0 END) ` +
		`FROM ` + Table + ` WHERE start_time >= ? GROUP BY grp ORDER BY ` + order
	rs, err := s.db.QueryContext(ctx, s.rebind(q), s.timeArg(since))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []Total{}
	for rs.Next() {
		var t Total
		if err := rs.Scan(&t.Group, &t.Requests, &t.Failures, &t.CacheHits, &t.PromptTokens, &t.CompletionTokens,
			&t.TotalTokens, &t.Cost, &t.UnknownCost); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rs.Err()
}

// classify marks err retryable when the database may accept the same
// statement later; constraint, syntax and schema errors are permanent.
func (s *Store) classify(err error) error {
	if err == nil {
		return nil
	}
	if retryable(err) {
		return retryableErr(err)
	}
	return err
}

func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),       // insufficient resources
			strings.HasPrefix(pe.Code, "57P"),      // operator intervention: shutdown
			pe.Code == "40001", pe.Code == "40P01", // serialization failure, deadlock
			pe.Code == "55P03": // lock not available
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, sql.ErrConnDone) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	// Anything else the driver reports without a server error code that
	// reads like a broken connection (EOF, reset) is worth retrying.
	return isConnErr(err)
}

func isConnErr(err error) bool {
	msg := err.Error()
	for _, s := range []string{"EOF", "connection reset", "broken pipe", "connection refused", "bad connection", "closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func openRaw(driver, src string) (*sql.DB, error) { return sql.Open(driver, src) }
