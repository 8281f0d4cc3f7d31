// Package pgtest gives tests a PostgreSQL database: [Schema] creates a
// private schema on the shared server at 127.0.0.1:5432 (database test,
// user postgres, trust auth) and returns a DSN whose search_path is that
// schema, so tests run in parallel and leave nothing behind.
//
// Without a server a test is skipped with a message saying how to start
// one, except when the environment variable CI is "true": there a missing
// server fails the test, so CI cannot go green by skipping everything.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSN is the shared server's test database; $LLMUX_TEST_PG overrides it.
const DSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func base() string {
	if v := os.Getenv("LLMUX_TEST_PG"); v != "" {
		return v
	}
	return DSN
}

// Schema creates a schema of its own for t, drops it (cascade) when t
// ends, and returns a DSN that uses it. It skips t (or fails it under
// CI=true) when the server does not answer within 2 s.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := base()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		msg := "pgtest: no PostgreSQL at " + dsn + " (" + err.Error() + "); start one with: " +
			"pg_ctlcluster <version> main start, then createdb -U postgres test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing PostgreSQL fails instead of skipping)")
		}
		t.Skip(msg)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "llmux_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	for i := 0; i < len(dsn); i++ {
		if dsn[i] == '?' {
			sep = "&"
		}
	}
	return dsn + sep + "search_path=" + schema
}
