package llmux

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// The masking, scrubbing and pricing left to the loggers (finish.go):
// queued loggers on their own goroutines get the same complete events as
// an inline one, a redacting logger's copy is finished as redacted, and no
// secret shows. Run with -race: three goroutines finish shared events.
func TestFinish_QueuedLoggersGetCompleteEvents(t *testing.T) {
	// The upstream echoes the key in its body and in a secret header.
	body := strings.Replace(okBody, `"model":"gpt-4o-mini-2024-07-18"`, `"model":"gpt-4o-mini-2024-07-18","echo":"`+testKey+`"`, 1)
	u := newUpstream(t, reply{body: body, header: map[string]string{"x-request-id": "req_1", "x-api-key": testKey}})
	q1, q2, red := &recorder{}, &recorder{}, &recorder{}
	c, inline := fakeClient(t, u, WithCallbacks(q1, q2, RedactMessages(red)))
	if _, err := c.Completion(context.Background(), &Request{Model: "gpt-4o-mini", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := inline.all()
	if len(want) != 3 {
		t.Fatalf("inline logger got %d events", len(want))
	}
	pre, post, ok := want[0], want[1], want[2]
	if pre.Attempt.APIKey != "sk-...1234" || pre.Attempt.Headers["Authorization"] != "Bearer sk-...1234" || !strings.HasPrefix(pre.Attempt.APIBase, u.URL) {
		t.Fatalf("pre attempt = %q %q %q", pre.Attempt.APIKey, pre.Attempt.Headers["Authorization"], pre.Attempt.APIBase)
	}
	if !strings.Contains(post.OriginalResponse, `"echo":"`) || strings.Contains(post.OriginalResponse, testKey) {
		t.Fatalf("original response not scrubbed: %s", post.OriginalResponse)
	}
	if post.ResponseHeaders["X-Request-Id"] != "req_1" || post.ResponseHeaders["X-Api-Key"] != "sk-...1234" {
		t.Fatalf("response headers = %v", post.ResponseHeaders)
	}
	if ok.ResponseCost <= 0 || ok.CostErr != nil || ok.CostBreakdown.Total != ok.ResponseCost {
		t.Fatalf("cost = %v %+v %v", ok.ResponseCost, ok.CostBreakdown, ok.CostErr)
	}
	if ok.OriginalResponse != post.OriginalResponse || ok.Attempt.APIKey != pre.Attempt.APIKey {
		t.Fatalf("success event lacks the attempt's fields: %q %q", ok.OriginalResponse, ok.Attempt.APIKey)
	}
	for _, r := range []*recorder{q1, q2} {
		got := r.all()
		if len(got) != 3 {
			t.Fatalf("queued logger got %d events", len(got))
		}
		for i, e := range got {
			w := want[i]
			if e.Attempt.APIKey != w.Attempt.APIKey || e.Attempt.APIBase != w.Attempt.APIBase ||
				e.Attempt.Headers["Authorization"] != w.Attempt.Headers["Authorization"] ||
				e.OriginalResponse != w.OriginalResponse || e.ResponseHeaders["X-Api-Key"] != w.ResponseHeaders["X-Api-Key"] ||
				e.ResponseCost != w.ResponseCost || e.CostErr != w.CostErr {
				t.Fatalf("%s: queued event differs from the inline one:\n%+v\n%+v", e.Type, e, w)
			}
		}
	}
	rg := red.all()
	if len(rg) != 3 || rg[1].OriginalResponse != RedactedText || rg[2].OriginalResponse != RedactedText {
		t.Fatalf("redacted logger: %d events, post %q", len(rg), rg[1].OriginalResponse)
	}
	if rg[1].ResponseHeaders["X-Request-Id"] != "req_1" || rg[2].ResponseCost != ok.ResponseCost {
		t.Fatalf("redacted copy not finished: %v %v", rg[1].ResponseHeaders, rg[2].ResponseCost)
	}
	for _, r := range []*recorder{inline, q1, q2, red} {
		assertNoSecret(t, r)
	}
}

// A failed attempt's events carry its masked wire details, and a cache
// hit's saved cost is worked out like a cost.
func TestFinish_FailureAndCacheHit(t *testing.T) {
	u := newUpstream(t, reply{status: 400, body: `{"error":{"message":"bad ` + testKey + `","type":"invalid_request_error"}}`})
	q := &recorder{}
	c, _ := fakeClient(t, u, WithCallbacks(q))
	if _, err := c.Completion(context.Background(), &Request{Model: "gpt-4o-mini", Messages: hi()}); err == nil {
		t.Fatal("want an error")
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := q.all()
	if len(ev) != 3 {
		t.Fatalf("%d events", len(ev))
	}
	fail := ev[2]
	if fail.Type != EventFailure || fail.Attempt.APIKey != "sk-...1234" || fail.StatusCode != 400 {
		t.Fatalf("failure event = %s %q %d", fail.Type, fail.Attempt.APIKey, fail.StatusCode)
	}
	if !strings.Contains(ev[1].OriginalResponse, "bad ") {
		t.Fatalf("post original response = %q", ev[1].OriginalResponse)
	}
	assertNoSecret(t, q)

	u2 := newUpstream(t, reply{body: okBody})
	q2 := &recorder{}
	c2, _ := fakeClient(t, u2, WithCallbacks(q2), WithCache(newMapCache()))
	for range 2 {
		if _, err := c2.Completion(context.Background(), &Request{Model: "gpt-4o-mini", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var hit *Event
	for _, e := range q2.all() {
		if e.Type == EventSuccess && e.CacheHit {
			hit = e
		}
	}
	if hit == nil || hit.SavedCacheCost <= 0 || hit.ResponseCost != 0 {
		t.Fatalf("cache hit event = %+v", hit)
	}
}

// Event.Clone of an event not yet finished finishes it first: the copy is
// complete and finishes nothing later.
func TestFinish_CloneFinishes(t *testing.T) {
	w := &wireParts{apiKey: testKey, url: "https://api.example.com/v1?key=" + testKey}
	e := &Event{Attempt: AttemptInfo{Number: 1}}
	e.fin = &finisher{wire: w}
	var wg sync.WaitGroup
	clones := make([]*Event, 4)
	for i := range clones {
		wg.Go(func() { clones[i] = e.Clone() })
	}
	wg.Wait()
	for _, c := range clones {
		if c.fin != nil || c.Attempt.APIKey != "sk-...1234" || strings.Contains(c.Attempt.APIBase, testKey) {
			t.Fatalf("clone = %q %q", c.Attempt.APIKey, c.Attempt.APIBase)
		}
	}
}
