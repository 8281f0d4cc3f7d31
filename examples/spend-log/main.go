// Command spend-log writes a spend log, LiteLLM's LiteLLM_SpendLogs in
// spirit: integration/spend (the gateway's "sql" callback) inserts one row
// per finished call into SQLite (or PostgreSQL, given a postgres:// URL),
// then prints the totals by model that `llmux spend` prints.
//
// It runs offline on the built-in mock provider and writes the database
// into a temporary directory (or the file named by -db):
//
//	go run ./examples/spend-log
//	go run ./examples/spend-log -db postgres://postgres@127.0.0.1:5432/test
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/integration/spend"
)

func main() {
	db := flag.String("db", "", "spend log DSN (default: spend.db in a temporary directory)")
	flag.Parse()
	dsn := *db
	if dsn == "" {
		dir, err := os.MkdirTemp("", "spend-log")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "spend.db")
	}
	if err := run(context.Background(), dsn, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn string, w io.Writer) (err error) {
	logger, err := spend.Open(ctx, dsn, spend.Options{})
	if err != nil {
		return err
	}
	mem, err := cache.NewMemory()
	if err != nil {
		return err
	}
	c, err := llmux.New(llmux.WithCallbacks(logger), llmux.WithCache(mem))
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			err = errors.Join(err, c.Close(context.WithoutCancel(ctx)))
		}
	}()

	msgs := []llmux.Message{llmux.User("What does a spend log hold?")}
	// What LiteLLM's proxy puts in metadata for a virtual key; the
	// gateway sets the same keys.
	meta := map[string]any{"user_api_key_alias": "team-a-key", "user_api_key_team_id": "team-a", "user_api_key_user_id": "ann"}

	// A priced call, then the same call again: a cache hit, its own row.
	for range 2 {
		if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo", Messages: msgs, Metadata: meta, MockResponse: "One row per call."}); err != nil {
			return err
		}
	}
	// A stream: its row has the time to the first token.
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-4o-mini", Messages: msgs, MockResponse: "Tokens, cost, status."})
	if err != nil {
		return err
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		return err
	}
	// An unpriced model: cost NULL, not 0.
	if _, err := c.Completion(ctx, &llmux.Request{Model: "mock/in-house", Messages: msgs}); err != nil {
		return err
	}
	// A failure: status failure, error code rate_limited.
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o-mini", Messages: msgs, MockResponse: "litellm.RateLimitError"}); err == nil {
		return errors.New("the mock rate limit did not fail")
	}

	// Close inserts what is queued and closes the database.
	closed = true
	if err := c.Close(ctx); err != nil {
		return err
	}

	store, err := spend.OpenStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.Rows(ctx, time.Time{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d rows\n", len(rows))
	for _, r := range rows {
		cost := "unknown"
		if r.Cost != nil {
			cost = fmt.Sprintf("%g", *r.Cost)
		}
		ttft := ""
		if r.TTFTMS != nil {
			ttft = " ttft_ms=set"
		}
		fmt.Fprintf(w, "%-14s %-7s cache_hit=%-5v tokens=%-2d cost=%s team=%q error=%q%s\n",
			r.Model, r.Status, r.CacheHit, r.TotalTokens, cost, r.TeamID, r.ErrorCode, ttft)
	}
	totals, err := store.Totals(ctx, spend.ByModel, time.Time{})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "by model:")
	for _, t := range totals {
		fmt.Fprintf(w, "%-14s requests=%d tokens=%d cost=%.6g unknown_cost=%d\n", t.Group, t.Requests, t.TotalTokens, t.Cost, t.UnknownCost)
	}
	return nil
}
