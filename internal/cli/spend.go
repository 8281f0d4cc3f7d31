package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmux/llmux/integration/spend"
)

const spendUsage = `usage: llmux spend [--by model|key|day] [--db DSN] [--since WHEN] [--format table|json]

Prints the spend log's totals (requests, failures, cache hits, tokens,
cost) grouped by model, key or UTC day. The database is --db, else
$LLMUX_SPEND_DB, else $DATABASE_URL, else llmux.db: a PostgreSQL URL
(postgres://...) or an SQLite file. --since is a date (2026-11-30), an
RFC 3339 time, or a duration back from now (24h, 7d).

`

// spendCmd runs `llmux spend`.
func spendCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, now time.Time) int {
	fs := flag.NewFlagSet("spend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), spendUsage)
		fs.PrintDefaults()
	}
	by := fs.String("by", spend.ByModel, "group by model, key or day")
	db := fs.String("db", "", "database: a postgres:// URL or an SQLite file (default $LLMUX_SPEND_DB, $DATABASE_URL, llmux.db)")
	since := fs.String("since", "", "only calls started at or after this date, time or duration ago (24h, 7d)")
	format := fs.String("format", "table", "output format: table or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "llmux spend: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *format != "table" && *format != "json" {
		fmt.Fprintf(stderr, "llmux spend: --format: want table or json, got %q\n", *format)
		return exitUsage
	}
	if *by != spend.ByModel && *by != spend.ByKey && *by != spend.ByDay {
		fmt.Fprintf(stderr, "llmux spend: --by: want model, key or day, got %q\n", *by)
		return exitUsage
	}
	from, err := parseSince(*since, now)
	if err != nil {
		fmt.Fprintf(stderr, "llmux spend: --since: %v\n", err)
		return exitUsage
	}
	dsn := *db
	if dsn == "" {
		dsn = spend.DSNFromEnv(getenv)
	}
	if drv, _, err := spend.ParseDSN(dsn); err == nil && drv == spend.SQLite {
		// Reading must not leave an empty database behind a typo.
		path := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(stderr, "llmux spend: no spend log at %s (%v)\n", path, err)
			return exitCall
		}
	}
	s, err := spend.OpenStore(ctx, dsn)
	if err != nil {
		fmt.Fprintf(stderr, "llmux spend: %v\n", err)
		return exitCall
	}
	defer s.Close()
	totals, err := s.Totals(ctx, *by, from)
	if err != nil {
		fmt.Fprintf(stderr, "llmux spend: %v\n", err)
		return exitCall
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(totals); err != nil {
			fmt.Fprintf(stderr, "llmux spend: %v\n", err)
			return exitCall
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tREQUESTS\tFAILURES\tCACHE HITS\tPROMPT TOKENS\tCOMPLETION TOKENS\tTOTAL TOKENS\tCOST USD\tUNKNOWN COST\t\n", strings.ToUpper(*by))
	var sum spend.Total
	for _, t := range totals {
		g := t.Group
		if g == "" {
			g = "-"
		}
		writeTotal(tw, g, t)
		sum.Requests += t.Requests
		sum.Failures += t.Failures
		sum.CacheHits += t.CacheHits
		sum.PromptTokens += t.PromptTokens
		sum.CompletionTokens += t.CompletionTokens
		sum.TotalTokens += t.TotalTokens
		sum.Cost += t.Cost
		sum.UnknownCost += t.UnknownCost
	}
	writeTotal(tw, "TOTAL", sum)
	if err := tw.Flush(); err != nil {
		return exitCall
	}
	return exitOK
}

func writeTotal(w io.Writer, group string, t spend.Total) {
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t\n", group, t.Requests, t.Failures, t.CacheHits,
		t.PromptTokens, t.CompletionTokens, t.TotalTokens, strconv.FormatFloat(t.Cost, 'f', 6, 64), t.UnknownCost)
}

// parseSince reads --since: "", a date, an RFC 3339 time, or a duration
// (Go's, plus Nd for days) back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return now.Add(-time.Duration(d) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("want a date (2026-11-30), an RFC 3339 time or a duration (24h, 7d), got %q", s)
}
