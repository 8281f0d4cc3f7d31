package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/llmux/llmux/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `Pre-API Call
Post-API Call
On Success: cache_hit=false response_cost=3.5e-05 saved_cache_cost=0
On Success: cache_hit=true response_cost=0 saved_cache_cost=3.5e-05
caller got "Hello from the cache example" cache_hit=false
caller got "Hello from the cache example" cache_hit=true
both calls share one cache key
cache stats: hits=1 misses=1 stores=1 errors=0
`

// The seed's four events, on the in-memory cache.
func TestRun_MemoryGivesFourEvents(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, "memory", ""); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}

// The same on the real Redis server; run twice, to show a rerun starts
// cold too.
func TestRun_RedisGivesFourEvents(t *testing.T) {
	addr := redistest.Need(t)
	for range 2 {
		var buf bytes.Buffer
		if err := run(context.Background(), &buf, "redis", "redis://"+addr+"/0"); err != nil {
			t.Fatal(err)
		}
		// The package-level stats count from the first SetCache of each run.
		if got := buf.String(); got != want {
			t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestRun_UnknownBackendIsAnError(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, "memcached", "")
	if err == nil || !strings.Contains(err.Error(), `-cache: want memory or redis, got "memcached"`) {
		t.Fatalf("err = %v", err)
	}
}
