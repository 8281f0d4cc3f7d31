package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_WritesOneRowPerCall runs the example offline against SQLite in
// a temporary directory: one row per call (the cache hit its own), the
// stream's time to first token, NULL cost for the unpriced model, the
// failure's code, and the totals by model.
func TestRun_WritesOneRowPerCall(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "spend.db"), &out); err != nil {
		t.Fatal(err)
	}
	want := `5 rows
gpt-3.5-turbo  success cache_hit=false tokens=30 cost=3.5e-05 team="team-a" error=""
gpt-3.5-turbo  success cache_hit=true  tokens=30 cost=0 team="team-a" error=""
gpt-4o-mini    success cache_hit=false tokens=30 cost=1.35e-05 team="" error="" ttft_ms=set
mock/in-house  success cache_hit=false tokens=30 cost=unknown team="" error=""
gpt-4o-mini    failure cache_hit=false tokens=0  cost=0 team="" error="rate_limited"
by model:
gpt-3.5-turbo  requests=2 tokens=60 cost=3.5e-05 unknown_cost=0
gpt-4o-mini    requests=2 tokens=30 cost=1.35e-05 unknown_cost=0
mock/in-house  requests=1 tokens=30 cost=0 unknown_cost=1
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("output (-want +got):\n%s", d)
	}
}
