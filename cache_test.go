package llmux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mapCache is a Cache for the client's tests: a map, with knobs to fail,
// block or panic, recording what it was asked.
type mapCache struct {
	mu      sync.Mutex
	m       map[string][]byte
	ttls    map[string]time.Duration
	gets    int
	sets    int
	err     error // returned by Get and Set when set
	block   bool  // Get and Set wait for ctx to end
	panics  bool
	sawDead []bool // whether each op's ctx had a deadline
}

func newMapCache() *mapCache {
	return &mapCache{m: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (c *mapCache) op(ctx context.Context) error {
	_, ok := ctx.Deadline()
	c.mu.Lock()
	c.sawDead = append(c.sawDead, ok)
	err, block, panics := c.err, c.block, c.panics
	c.mu.Unlock()
	if panics {
		panic("cache exploded")
	}
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

func (c *mapCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok, nil
}

func (c *mapCache) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	c.mu.Lock()
	c.sets++
	c.mu.Unlock()
	if err := c.op(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key], c.ttls[key] = v, ttl
	return nil
}

func (c *mapCache) set(f func(c *mapCache)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func (c *mapCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *mapCache) only(t *testing.T) (string, *cacheEntry) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) != 1 {
		t.Fatalf("cache holds %d entries, want 1", len(c.m))
	}
	for k, v := range c.m {
		var e cacheEntry
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("stored entry: %v", err)
		}
		return k, &e
	}
	return "", nil
}

var _ Cache = (*mapCache)(nil)

func mockReq(text string) *Request {
	return &Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: text}
}

// The seed: the first call gives pre, post, success; the identical second
// call one more success with cache_hit true; four events in all.
func TestCache_HitGivesOneSuccessEventAndNoAPICall(t *testing.T) {
	mc := newMapCache()
	c, rec := newTestClient(t, WithCache(mc))
	ctx := context.Background()

	first, err := c.Completion(ctx, mockReq("Hello from the cache"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Completion(ctx, mockReq("Hello from the cache"))
	if err != nil {
		t.Fatal(err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call", "successful_api_call")
	if first.CacheHit || !second.CacheHit {
		t.Fatalf("CacheHit = %v, %v; want false, true", first.CacheHit, second.CacheHit)
	}
	if second.Text() != "Hello from the cache" || second.ID != first.ID || !second.Usage.Equal(first.Usage) {
		t.Fatalf("hit = %+v, want the stored %+v", second, first)
	}

	evs := rec.all()
	miss, hit := evs[2], evs[3]
	if miss.CacheHit || miss.ResponseCost != 3.5e-05 || miss.SavedCacheCost != 0 {
		t.Errorf("miss: hit=%v cost=%v saved=%v; want false, 3.5e-05, 0", miss.CacheHit, miss.ResponseCost, miss.SavedCacheCost)
	}
	if !hit.CacheHit || hit.ResponseCost != 0 || hit.CostErr != nil || hit.SavedCacheCost != 3.5e-05 {
		t.Errorf("hit: hit=%v cost=%v costErr=%v saved=%v; want true, 0, nil, 3.5e-05", hit.CacheHit, hit.ResponseCost, hit.CostErr, hit.SavedCacheCost)
	}
	if len(miss.CacheKey) != 64 || hit.CacheKey != miss.CacheKey {
		t.Errorf("cache keys %q, %q: want the same 64-hex key", miss.CacheKey, hit.CacheKey)
	}
	if hit.Attempt.Number != 0 || hit.Attempt.APIKey != "" || hit.Response.Text() != "Hello from the cache" {
		t.Errorf("hit event: attempt %+v, response %q", hit.Attempt, hit.Response.Text())
	}
	if hit.CallID == miss.CallID {
		t.Error("a hit is its own call: it needs its own call id")
	}

	// The LiteLLM views of these events (kwargs cache_hit/cache_key,
	// the payload's "<call id>_cache_hit<time>" id) are tested in package
	// litellm.
	if s := c.CacheStats(); s != (CacheStats{Hits: 1, Misses: 1, Stores: 1}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestCache_HTTPHitNeverReachesUpstream(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	mc := newMapCache()
	c, rec := fakeClient(t, u, WithCache(mc))
	req := func() *Request {
		return &Request{Model: "gpt-4o-mini", Messages: hi(), Temperature: ptr(0.2), Metadata: map[string]any{"n": 1}}
	}
	first, err := c.Completion(context.Background(), req())
	if err != nil {
		t.Fatal(err)
	}
	r2 := req()
	r2.Metadata = map[string]any{"other": "metadata"}
	r2.User = "someone-else"
	r2.APIKey = "sk-another-key-0000000000"
	second, err := c.Completion(context.Background(), r2)
	if err != nil {
		t.Fatal(err)
	}
	if u.requests() != 1 {
		t.Fatalf("upstream got %d requests, want 1", u.requests())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call", "successful_api_call")
	first.Raw = nil
	second.CacheHit = false
	if diff := cmp.Diff(first, second, cmpWire); diff != "" {
		t.Errorf("hit differs from the stored answer (-stored +hit):\n%s", diff)
	}
	hit := rec.last()
	if hit.Metadata["other"] != "metadata" || hit.User != "someone-else" {
		t.Errorf("hit event carries the stored call's metadata/user: %v %q", hit.Metadata, hit.User)
	}
	// gpt-4o-mini: 19 prompt tokens at 1.5e-7, 10 completion at 6e-7.
	if want := 19*1.5e-7 + 10*6e-7; abs(hit.SavedCacheCost-want) > 1e-12 {
		t.Errorf("saved cost %v, want %v", hit.SavedCacheCost, want)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestCache_StreamMissIsStoredThenReplayedAsAStream(t *testing.T) {
	u := newUpstream(t, reply{body: streamBody})
	mc := newMapCache()
	c, rec := fakeClient(t, u, WithCache(mc))
	ctx := context.Background()

	read := func() (string, *ChatStream, []*Chunk) {
		t.Helper()
		s, err := c.Stream(ctx, &Request{Model: "gpt-4o-mini", Messages: hi()})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var b strings.Builder
		var chunks []*Chunk
		for s.Next() {
			b.WriteString(s.Chunk().Text())
			chunks = append(chunks, s.Chunk())
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return b.String(), s, chunks
	}
	text1, s1, _ := read()
	if mc.len() != 1 {
		t.Fatalf("the completed stream was not stored: %d entries", mc.len())
	}
	text2, s2, chunks := read()
	if u.requests() != 1 {
		t.Fatalf("upstream got %d requests, want 1", u.requests())
	}
	if text1 != "Hello world" || text2 != text1 {
		t.Fatalf("texts %q, %q", text1, text2)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*5", "successful_api_call",
		"stream_event*3", "successful_api_call")

	// The replay has the shapes the provider's stream has: a role and
	// content chunk, a finish chunk, a usage chunk with no choices.
	want := []*Chunk{
		{ID: "c1", Object: "chat.completion.chunk", Created: 1, Model: "gpt-4o-mini",
			Choices: []ChunkChoice{{Index: 0, Delta: Delta{Role: RoleAssistant, Content: "Hello world"}}}},
		{ID: "c1", Object: "chat.completion.chunk", Created: 1, Model: "gpt-4o-mini",
			Choices: []ChunkChoice{{Index: 0, FinishReason: "stop"}}},
		{ID: "c1", Object: "chat.completion.chunk", Created: 1, Model: "gpt-4o-mini", Choices: []ChunkChoice{},
			Usage: &Usage{PromptTokens: 19, CompletionTokens: 10, TotalTokens: 29}},
	}
	if diff := cmp.Diff(want, chunks, cmpWire); diff != "" {
		t.Errorf("replayed chunks (-want +got):\n%s", diff)
	}
	r1, r2 := s1.Response(), s2.Response()
	if !r2.CacheHit || r1.CacheHit {
		t.Errorf("Response().CacheHit = %v, %v", r1.CacheHit, r2.CacheHit)
	}
	r2.CacheHit = false
	if diff := cmp.Diff(r1, r2, cmpWire); diff != "" {
		t.Errorf("replayed response differs (-first +replay):\n%s", diff)
	}
	hit := rec.last()
	if !hit.CacheHit || hit.CompleteStreamingResponse.Text() != "Hello world" || hit.ResponseCost != 0 || hit.SavedCacheCost <= 0 {
		t.Errorf("hit event: hit=%v complete=%q cost=%v saved=%v", hit.CacheHit, hit.CompleteStreamingResponse.Text(), hit.ResponseCost, hit.SavedCacheCost)
	}

	// A plain call shares the entry of the streamed one.
	resp, err := c.Completion(ctx, &Request{Model: "gpt-4o-mini", Messages: hi()})
	if err != nil || !resp.CacheHit || resp.Text() != "Hello world" || u.requests() != 1 {
		t.Fatalf("plain call after a stream: %v, hit=%v, %q, upstream %d", err, resp.CacheHit, resp.Text(), u.requests())
	}
}

func TestCache_StreamedHitWithToolCallsAndChoices(t *testing.T) {
	mc := newMapCache()
	c, _ := newTestClient(t, WithCache(mc))
	stored := &Response{ID: "chatcmpl-9", Object: "chat.completion", Created: 7, Model: "gpt-4o",
		Choices: []Choice{
			{Index: 0, FinishReason: "tool_calls", Message: Message{Role: RoleAssistant, ToolCalls: []ToolCall{
				{ID: "call_1", Type: "function", Function: FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
				{ID: "call_2", Type: "function", Function: FunctionCall{Name: "get_time", Arguments: `{}`}},
			}}},
			{Index: 1, FinishReason: "stop", Message: Assistant("It is sunny.")},
		},
		Usage: Usage{PromptTokens: 5, CompletionTokens: 7, TotalTokens: 12}}
	req := &Request{Model: "openai/gpt-4o", Messages: hi(), N: ptr(2), MockResponse: "never used: the cache answers"}
	key, err := c.CacheKey(CallCompletion, req)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := json.Marshal(&cacheEntry{V: cacheEntryVersion, CallType: CallCompletion, Created: time.Now().UnixMilli(), Response: stored})
	mc.m[key] = v

	s, err := c.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	got := s.Response()
	if !got.CacheHit {
		t.Error("not a hit")
	}
	got.CacheHit = false
	if diff := cmp.Diff(stored, got, cmpWire); diff != "" {
		t.Errorf("accumulated replay (-stored +got):\n%s", diff)
	}
}

func TestCache_FailedOrPartialAnswersAreNeverStored(t *testing.T) {
	ctx := context.Background()
	t.Run("error status", func(t *testing.T) {
		u := newUpstream(t, reply{status: 400, body: `{"error":{"message":"bad","type":"invalid_request_error"}}`})
		mc := newMapCache()
		c, _ := fakeClient(t, u, WithCache(mc))
		if _, err := c.Completion(ctx, &Request{Model: "gpt-4o-mini", Messages: hi()}); err == nil {
			t.Fatal("want an error")
		}
		if mc.len() != 0 || mc.sets != 0 {
			t.Fatalf("a failure was stored: %d entries", mc.len())
		}
	})
	finish := `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`
	for _, tc := range []struct {
		name  string
		body  string
		reads int // Next calls before Close; -1 reads to the end
		fails bool
	}{
		{"stream dropped before its end", streamBody[:strings.Index(streamBody, finish)], -1, true},
		{"stream closed early", streamBody, 1, true},
		{"stream without finish reason", strings.ReplaceAll(streamBody, `"finish_reason":"stop"`, `"finish_reason":null`), -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mc := newMapCache()
			c, rec := fakeClient(t, newUpstream(t, reply{body: tc.body}), WithCache(mc))
			s, err := c.Stream(ctx, &Request{Model: "gpt-4o-mini", Messages: hi()})
			if err != nil {
				t.Fatal(err)
			}
			for n := 0; (tc.reads < 0 || n < tc.reads) && s.Next(); n++ {
			}
			s.Close()
			if mc.len() != 0 || mc.sets != 0 {
				t.Fatal("an incomplete stream was stored")
			}
			wantType := EventSuccess
			if tc.fails {
				wantType = EventFailure
			}
			if e := rec.last(); e.Type != wantType || e.CacheHit || e.CacheKey == "" {
				t.Errorf("last event %s hit=%v key=%q; want %s with the key", e.Type, e.CacheHit, e.CacheKey, wantType)
			}
		})
	}
}

func TestCache_RequestControls(t *testing.T) {
	ctx := context.Background()
	u := newUpstream(t, reply{body: okBody})
	mc := newMapCache()
	c, rec := fakeClient(t, u, WithCache(mc))
	call := func(cc *CacheControl) *Response {
		t.Helper()
		resp, err := c.Completion(ctx, &Request{Model: "gpt-4o-mini", Messages: hi(), Cache: cc})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	call(&CacheControl{NoStore: true})
	if mc.len() != 0 || u.requests() != 1 {
		t.Fatalf("no-store: %d entries, %d requests", mc.len(), u.requests())
	}
	call(&CacheControl{TTL: 90 * time.Second})
	key, _ := mc.only(t)
	if mc.ttls[key] != 90*time.Second {
		t.Errorf("ttl = %v, want 90s", mc.ttls[key])
	}
	if r := call(nil); !r.CacheHit || u.requests() != 2 {
		t.Fatalf("default: hit=%v requests=%d", r.CacheHit, u.requests())
	}
	if r := call(&CacheControl{NoCache: true}); r.CacheHit || u.requests() != 3 || mc.ttls[key] != 0 {
		t.Fatalf("no-cache: hit=%v requests=%d ttl=%v; want a fresh answer, stored again with the default ttl", r.CacheHit, u.requests(), mc.ttls[key])
	}
	if r := call(&CacheControl{NoCache: true, NoStore: true}); r.CacheHit || u.requests() != 4 || rec.last().CacheKey != "" {
		t.Fatalf("no-cache+no-store: hit=%v requests=%d key=%q; want the cache left alone", r.CacheHit, u.requests(), rec.last().CacheKey)
	}

	// s-maxage: an entry older than MaxAge is a miss.
	mc.set(func(mc *mapCache) {
		var e cacheEntry
		_ = json.Unmarshal(mc.m[key], &e)
		e.Created = time.Now().Add(-time.Hour).UnixMilli()
		mc.m[key], _ = json.Marshal(&e)
	})
	if r := call(&CacheControl{MaxAge: 2 * time.Hour}); !r.CacheHit {
		t.Fatal("max-age 2h: want a hit on a 1h-old entry")
	}
	if r := call(&CacheControl{MaxAge: time.Minute, NoStore: true}); r.CacheHit || u.requests() != 5 {
		t.Fatalf("max-age 1m: hit=%v requests=%d; want a miss on a 1h-old entry", r.CacheHit, u.requests())
	}

	// A namespace keeps entries apart.
	if r := call(&CacheControl{Namespace: "tenant-a"}); r.CacheHit {
		t.Fatal("namespace: hit an entry of another namespace")
	}
	if k := rec.last().CacheKey; k != "tenant-a:"+key {
		t.Errorf("namespaced key = %q, want %q", k, "tenant-a:"+key)
	}
	if r := call(&CacheControl{Namespace: "tenant-a"}); !r.CacheHit {
		t.Fatal("namespace: want a hit on the second call")
	}
}

func TestCache_RequestControlValidation(t *testing.T) {
	c, rec := newTestClient(t, WithCache(newMapCache()))
	for _, tc := range []struct {
		cc    CacheControl
		param string
	}{
		{CacheControl{TTL: -time.Second}, "cache.ttl"},
		{CacheControl{MaxAge: -time.Second}, "cache.s-maxage"},
	} {
		req := mockReq("x")
		req.Cache = &tc.cc
		_, err := c.Completion(context.Background(), req)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidRequest || e.Param != tc.param || !strings.Contains(e.Message, tc.param) {
			t.Errorf("%+v: err = %v, want invalid request naming %s", tc.cc, err, tc.param)
		}
	}
	wantTypes(t, rec, "failed_api_call", "failed_api_call")
}

func TestCache_OptionsAreValidated(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithCache(nil), "WithCache: nil cache"},
		{WithCacheTimeout(0), "WithCacheTimeout: must be positive"},
		{WithCacheRetryInterval(-time.Second), "WithCacheRetryInterval: must be positive"},
		{WithCacheLogInterval(0), "WithCacheLogInterval: must be positive"},
		{WithCacheCallTypes("image"), `WithCacheCallTypes: unknown call type "image"`},
		{WithCacheCallTypes(), "WithCacheCallTypes: no call type given"},
	} {
		if _, err := New(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want it to contain %q", err, tc.want)
		}
	}
}

func TestCache_TextCompletionAndEmbeddingAreCached(t *testing.T) {
	mc := newMapCache()
	c, rec := newTestClient(t, WithCache(mc))
	ctx := context.Background()
	text := &Request{Model: "gpt-3.5-turbo-instruct", Prompt: "Say hi", MockResponse: "hi"}
	t1, err := c.TextCompletion(ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := c.TextCompletion(ctx, text)
	if err != nil || !t2.CacheHit || t2.Text() != "hi" || t2.Choices[0].Text != t1.Choices[0].Text {
		t.Fatalf("text completion hit: %v %v %q", err, t2.CacheHit, t2.Text())
	}
	emb := &Request{Model: "text-embedding-3-small", Input: []string{"a", "b"}, MockResponse: "x"}
	e1, err := c.Embedding(ctx, emb)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := c.Embedding(ctx, emb)
	if err != nil || !e2.CacheHit {
		t.Fatalf("embedding hit: %v %v", err, e2.CacheHit)
	}
	e1.Raw = nil
	e2.CacheHit = false
	if diff := cmp.Diff(e1, e2, cmpWire); diff != "" {
		t.Errorf("embedding hit differs (-stored +hit):\n%s", diff)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call", "successful_api_call",
		"pre_api_call", "post_api_call", "successful_api_call", "successful_api_call")
	hit := rec.last()
	if hit.CallType != CallEmbedding || !hit.CacheHit || hit.EmbeddingResponse == nil || hit.ResponseCost != 0 || hit.SavedCacheCost <= 0 {
		t.Errorf("embedding hit event: %s hit=%v cost=%v saved=%v", hit.CallType, hit.CacheHit, hit.ResponseCost, hit.SavedCacheCost)
	}
	if mc.len() != 2 {
		t.Errorf("%d entries, want 2", mc.len())
	}
	// A chat request never reads a text completion's entry.
	if k1, _ := c.CacheKey(CallCompletion, text); k1 == rec.all()[2].CacheKey {
		t.Error("chat and text completion share a key")
	}
}

func TestCache_CallTypesOption(t *testing.T) {
	mc := newMapCache()
	c, rec := newTestClient(t, WithCache(mc), WithCacheCallTypes(CallEmbedding))
	for range 2 {
		if _, err := c.Completion(context.Background(), mockReq("x")); err != nil {
			t.Fatal(err)
		}
	}
	if mc.len() != 0 || rec.last().CacheHit || rec.last().CacheKey != "" {
		t.Fatal("a completion was cached though only embeddings are")
	}
}

// countingHandler counts slog records by level.
type countingHandler struct {
	mu   sync.Mutex
	msgs map[slog.Level][]string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.msgs == nil {
		h.msgs = map[slog.Level][]string{}
	}
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	h.msgs[r.Level] = append(h.msgs[r.Level], b.String())
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
func (h *countingHandler) get(l slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.msgs[l]...)
}

func TestCache_ErrorsNeverFailACallAndRestTheCache(t *testing.T) {
	mc := newMapCache()
	mc.err = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	h := &countingHandler{}
	c, rec := newTestClient(t, WithCache(mc), WithLog(slog.New(h)),
		WithCacheRetryInterval(time.Hour), WithCacheLogInterval(time.Hour))
	ctx := context.Background()
	for i := range 10 {
		resp, err := c.Completion(ctx, mockReq("still answered"))
		if err != nil || resp.Text() != "still answered" || resp.CacheHit {
			t.Fatalf("call %d: %v %q", i, err, resp.Text())
		}
	}
	// The first lookup failed and rested the cache: the store and the
	// nine later calls bypassed it.
	if s := c.CacheStats(); s != (CacheStats{Errors: 1, Bypassed: 19}) {
		t.Errorf("stats = %+v", s)
	}
	if mc.gets != 1 || mc.sets != 0 {
		t.Errorf("cache was asked %d gets and %d sets during its rest; want 1 and 0", mc.gets, mc.sets)
	}
	warns := h.get(slog.LevelWarn)
	if len(warns) != 1 || !strings.Contains(warns[0], "connection refused") || !strings.Contains(warns[0], "errors=1") {
		t.Errorf("warnings = %q, want exactly one naming the error", warns)
	}
	if n := len(rec.all()); n != 30 {
		t.Errorf("%d events, want 30 (pre, post, success per call)", n)
	}
}

func TestCache_RecoversAfterTheRetryInterval(t *testing.T) {
	mc := newMapCache()
	mc.err = errors.New("connection refused")
	h := &countingHandler{}
	c, _ := newTestClient(t, WithCache(mc), WithLog(slog.New(h)), WithCacheRetryInterval(20*time.Millisecond))
	ctx := context.Background()
	if _, err := c.Completion(ctx, mockReq("a")); err != nil {
		t.Fatal(err)
	}
	mc.set(func(mc *mapCache) { mc.err = nil })
	// Wait out the rest without timing anything: poll until a call stores.
	deadline := time.Now().Add(10 * time.Second)
	for c.CacheStats().Stores == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("caching never resumed: %+v", c.CacheStats())
		}
		time.Sleep(5 * time.Millisecond)
		if _, err := c.Completion(ctx, mockReq("a")); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := c.Completion(ctx, mockReq("a"))
	if err != nil || !resp.CacheHit {
		t.Fatalf("after recovery: %v hit=%v", err, resp.CacheHit)
	}
	if infos := h.get(slog.LevelInfo); len(infos) != 1 || !strings.Contains(infos[0], "available again") {
		t.Errorf("info logs = %q", infos)
	}
}

func TestCache_SlowCacheIsBoundedByTheTimeout(t *testing.T) {
	mc := newMapCache()
	mc.block = true
	c, _ := newTestClient(t, WithCache(mc), WithCacheTimeout(20*time.Millisecond), WithLog(discardLog()))
	resp, err := c.Completion(context.Background(), mockReq("answered"))
	if err != nil || resp.Text() != "answered" {
		t.Fatalf("%v %q", err, resp.Text())
	}
	if s := c.CacheStats(); s.Errors != 1 || s.Bypassed != 1 {
		t.Errorf("stats = %+v, want the timed-out lookup counted and the store bypassed", s)
	}
	for i, d := range mc.sawDead {
		if !d {
			t.Errorf("cache op %d had no deadline", i)
		}
	}
}

func TestCache_CallerCancelIsNoCacheError(t *testing.T) {
	mc := newMapCache()
	mc.block = true
	c, _ := newTestClient(t, WithCache(mc), WithCacheTimeout(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err := c.Completion(ctx, mockReq("x"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	if s := c.CacheStats(); s.Errors != 0 {
		t.Errorf("the caller's cancel was counted as a cache error: %+v", s)
	}
}

func TestCache_RejectedEntryDoesNotRestTheCache(t *testing.T) {
	mc := newMapCache()
	mc.err = fmt.Errorf("too big: %w", ErrCacheRejected)
	c, _ := newTestClient(t, WithCache(mc), WithLog(discardLog()))
	req := mockReq("fits")
	req.Cache = &CacheControl{NoCache: true} // only the store meets the error
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	mc.set(func(mc *mapCache) { mc.err = nil })
	if _, err := c.Completion(context.Background(), mockReq("fits")); err != nil {
		t.Fatal(err)
	}
	if s := c.CacheStats(); s != (CacheStats{Rejected: 1, Misses: 1, Stores: 1}) {
		t.Errorf("stats = %+v, want one rejected store and the cache still in use", s)
	}
}

func TestCache_PanickingCacheIsCountedNotFatal(t *testing.T) {
	mc := newMapCache()
	mc.panics = true
	c, _ := newTestClient(t, WithCache(mc), WithLog(discardLog()))
	resp, err := c.Completion(context.Background(), mockReq("fine"))
	if err != nil || resp.Text() != "fine" {
		t.Fatalf("%v %q", err, resp.Text())
	}
	if s := c.CacheStats(); s.Errors != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestCache_UnreadableEntryIsAMissAndIsReplaced(t *testing.T) {
	for name, v := range map[string]string{
		"garbage":       "not json",
		"other version": `{"v":99,"call_type":"completion","response":{}}`,
		"no response":   `{"v":1,"call_type":"completion"}`,
	} {
		t.Run(name, func(t *testing.T) {
			mc := newMapCache()
			c, _ := newTestClient(t, WithCache(mc), WithLog(discardLog()))
			key, _ := c.CacheKey(CallCompletion, mockReq("fresh"))
			mc.m[key] = []byte(v)
			resp, err := c.Completion(context.Background(), mockReq("fresh"))
			if err != nil || resp.CacheHit || resp.Text() != "fresh" {
				t.Fatalf("%v hit=%v %q", err, resp.CacheHit, resp.Text())
			}
			if _, e := mc.only(t); e.V != cacheEntryVersion || e.Response.Text() != "fresh" {
				t.Errorf("entry not replaced: %+v", e)
			}
			if s := c.CacheStats(); s.Errors != 1 || s.Stores != 1 {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestCache_RedactedLoggersSeeNoCachedText(t *testing.T) {
	c, rec := newTestClient(t, WithCache(newMapCache()), WithTurnOffMessageLogging(true))
	for range 2 {
		resp, err := c.Completion(context.Background(), mockReq("secret answer"))
		if err != nil || resp.Text() != "secret answer" {
			t.Fatal(err, resp.Text())
		}
	}
	hit := rec.last()
	if !hit.CacheHit || hit.Response.Text() != RedactedText {
		t.Errorf("hit event response %q, want %q", hit.Response.Text(), RedactedText)
	}
}

func TestCache_PackageLevelSetCache(t *testing.T) {
	mc := newMapCache()
	SetCache(mc)
	t.Cleanup(func() { SetCache(nil) })
	rec := &recorder{}
	if err := SetCallbacks(Inline(rec)); err != nil {
		t.Fatal(err)
	}
	defer SetCallbacks() //nolint:errcheck
	for range 2 {
		if _, err := Completion(context.Background(), mockReq("package level")); err != nil {
			t.Fatal(err)
		}
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call", "successful_api_call")
	if !rec.last().CacheHit || GlobalCacheStats().Hits != 1 || mc.len() != 1 {
		t.Fatalf("hit %v, stats %+v, entries %d", rec.last().CacheHit, GlobalCacheStats(), mc.len())
	}
	SetCache(nil)
	if resp, err := Completion(context.Background(), mockReq("package level")); err != nil || resp.CacheHit {
		t.Fatalf("after SetCache(nil): %v hit=%v", err, resp.CacheHit)
	}
}

// N identical calls on a cold key may all miss, but what is stored is one
// complete answer, and every later hit returns exactly it.
func TestCache_ConcurrentSafe_ColdKeyStoresOneCompleteAnswer(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		text := strings.Repeat(fmt.Sprintf("answer-%d ", i), 200)
		fmt.Fprintf(w, `{"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"gpt-4o-mini",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`, i, text, i, i, 2*i)
	}))
	t.Cleanup(srv.Close)
	mc := newMapCache()
	c, _ := newTestClient(t, WithProvider(&fakeProvider{name: "openai", base: srv.URL, key: testKey}), WithCache(mc))
	req := func() *Request { return &Request{Model: "gpt-4o-mini", Messages: hi()} }

	const N = 16
	var wg sync.WaitGroup
	for range N {
		wg.Go(func() {
			resp, err := c.Completion(context.Background(), req())
			if err != nil {
				t.Error(err)
				return
			}
			checkWhole(t, resp)
		})
	}
	wg.Wait()
	_, e := mc.only(t)
	checkWhole(t, e.Response)
	for range N {
		wg.Go(func() {
			resp, err := c.Completion(context.Background(), req())
			if err != nil {
				t.Error(err)
				return
			}
			checkWhole(t, resp)
			if resp.ID != e.Response.ID {
				t.Errorf("hit %s, stored %s", resp.ID, e.Response.ID)
			}
		})
	}
	wg.Wait()
}

// checkWhole checks that a response is one upstream answer, not a mix.
func checkWhole(t *testing.T, r *Response) {
	t.Helper()
	var i int
	if _, err := fmt.Sscanf(r.ID, "chatcmpl-%d", &i); err != nil {
		t.Fatalf("id %q", r.ID)
	}
	want := strings.Repeat(fmt.Sprintf("answer-%d ", i), 200)
	if r.Text() != want || r.Usage.PromptTokens != i || r.Usage.TotalTokens != 2*i {
		t.Errorf("torn response: id %s, usage %+v, text starts %.20q", r.ID, r.Usage, r.Text())
	}
}

// FuzzCacheEntry feeds arbitrary bytes to the entry decoder, as a shared
// cache may hold anything: it never panics, and an accepted completion
// entry replays as a stream that the accumulator takes back unchanged in
// text, choices and usage.
func FuzzCacheEntry(f *testing.F) {
	ok, _ := json.Marshal(&cacheEntry{V: cacheEntryVersion, CallType: CallCompletion, Created: 1, Response: &Response{
		ID: "x", Choices: []Choice{{FinishReason: "stop", Message: Message{Role: RoleAssistant, Content: "hi",
			ToolCalls: []ToolCall{{ID: "c", Type: "function", Function: FunctionCall{Name: "f", Arguments: "{}"}}}}}},
		Usage: Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}}})
	emb, _ := json.Marshal(&cacheEntry{V: cacheEntryVersion, CallType: CallEmbedding, Created: 1,
		Embedding: &EmbeddingResponse{Data: []EmbeddingVector{{Vector: []float32{1, 2}}}}})
	f.Add(ok, uint8(0))
	f.Add(emb, uint8(2))
	f.Add([]byte(`{"v":1,"call_type":"completion","response":{"choices":[{"message":{"content":[{"type":"text","text":"a"}]}},{}]}}`), uint8(0))
	f.Add([]byte(`{"v":1,"call_type":"completion","response":null}`), uint8(0))
	f.Add([]byte("garbage"), uint8(1))
	types := []CallType{CallCompletion, CallTextCompletion, CallEmbedding}
	f.Fuzz(func(t *testing.T, b []byte, ti uint8) {
		ct := types[int(ti)%len(types)]
		e, err := decodeEntry(b, ct)
		if err != nil {
			return
		}
		if ct == CallEmbedding {
			if e.Embedding == nil {
				t.Fatal("accepted an embedding entry without an embedding")
			}
			return
		}
		if e.Response == nil {
			t.Fatal("accepted an entry without a response")
		}
		r := newReplayReader(context.Background(), e.Response)
		var acc accumulator
		for {
			c, err := r.Recv()
			if err != nil {
				break
			}
			if err := acc.add(c); err != nil {
				if !overBounds(e.Response) {
					t.Fatalf("replay refused by the accumulator: %v", err)
				}
				return
			}
		}
		got := acc.response("chat.completion")
		if len(got.Choices) != len(e.Response.Choices) {
			t.Fatalf("%d choices replayed, %d stored", len(got.Choices), len(e.Response.Choices))
		}
		for i, c := range e.Response.Choices {
			if got.Choices[i].Message.Content != c.Message.Text() || got.Choices[i].Text != c.Text ||
				len(got.Choices[i].Message.ToolCalls) != len(c.Message.ToolCalls) {
				t.Fatalf("choice %d replayed as %+v, stored %+v", i, got.Choices[i], c)
			}
		}
		if !e.Response.Usage.IsZero() && !got.Usage.Equal(e.Response.Usage) {
			t.Fatalf("usage replayed %+v, stored %+v", got.Usage, e.Response.Usage)
		}
	})
}

// overBounds reports whether a response has more choices or tool calls
// than a stream may carry: its replay fails as a bad response.
func overBounds(r *Response) bool {
	if len(r.Choices) >= maxChoices {
		return true
	}
	for _, c := range r.Choices {
		if len(c.Message.ToolCalls) >= maxToolCalls {
			return true
		}
	}
	return false
}

// A streamed hit is a stream like any other: closed before its end, or
// cancelled by the caller, it ends with one failure event (still marked as
// a hit), and nothing is stored again.
func TestCache_StreamedHitClosedOrCancelledFails(t *testing.T) {
	for _, how := range []string{"close", "cancel"} {
		t.Run(how, func(t *testing.T) {
			mc := newMapCache()
			c, rec := newTestClient(t, WithCache(mc))
			if _, err := c.Completion(context.Background(), mockReq("one two three")); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := c.Stream(ctx, mockReq("one two three"))
			if err != nil {
				t.Fatal(err)
			}
			if !s.Next() {
				t.Fatal("no first chunk")
			}
			if how == "close" {
				s.Close()
			} else {
				cancel()
				for s.Next() {
				}
				s.Close()
			}
			e := rec.last()
			want := CodeCanceled
			if e.Type != EventFailure || !e.CacheHit || e.ErrorCode() != want || CodeOf(s.Err()) != want {
				t.Fatalf("last event %s hit=%v code=%s err=%v", e.Type, e.CacheHit, e.ErrorCode(), s.Err())
			}
			if mc.sets != 1 {
				t.Errorf("%d stores, want only the first call's", mc.sets)
			}
		})
	}
}

func TestCache_UnreadableEntriesAreLoggedOncePerInterval(t *testing.T) {
	mc := newMapCache()
	h := &countingHandler{}
	c, _ := newTestClient(t, WithCache(mc), WithLog(slog.New(h)), WithCacheLogInterval(time.Hour))
	for i := range 5 {
		req := mockReq(fmt.Sprint("answer ", i))
		req.Cache = &CacheControl{NoStore: true}
		key, _ := c.CacheKey(CallCompletion, req)
		mc.m[key] = []byte(`{"v":0}`)
		if resp, err := c.Completion(context.Background(), req); err != nil || resp.CacheHit {
			t.Fatalf("%v hit=%v", err, resp.CacheHit)
		}
	}
	if warns := h.get(slog.LevelWarn); len(warns) != 1 || !strings.Contains(warns[0], "unreadable") {
		t.Errorf("warnings = %q, want one", warns)
	}
	if s := c.CacheStats(); s.Errors != 5 || s.Bypassed != 0 {
		t.Errorf("stats = %+v: want 5 errors and the cache still in use", s)
	}
}

// A stored answer with reasoning, thinking blocks, audio, logprobs and
// provider extras replays as a stream that accumulates back to it.
func TestCache_ReplayKeepsEverythingTheAnswerHad(t *testing.T) {
	stored := &Response{ID: "chatcmpl-1", Object: "chat.completion", Created: 1, Model: "m", ServiceTier: "default",
		SystemFingerprint: "fp", Choices: []Choice{{
			Index: 0, FinishReason: "stop",
			Logprobs: json.RawMessage(`{"content":[{"token":"Hi","logprob":-0.1}],"refusal":[]}`),
			Extra:    map[string]json.RawMessage{"content_filter_results": json.RawMessage(`{"hate":{"filtered":false}}`)},
			Message: Message{Role: RoleAssistant, Content: "Hi", ReasoningContent: "abc",
				ThinkingBlocks: []ThinkingBlock{{Type: "thinking", Thinking: "ab", Signature: "S1"}, {Type: "redacted_thinking", Data: "R"},
					{Type: "thinking", Thinking: "c", Signature: "S2"}},
				Audio: &Audio{ID: "audio_1", Data: "UklG", Transcript: "Hi", ExpiresAt: 9}},
		}}, Usage: Usage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: 2}}
	r := newReplayReader(context.Background(), stored)
	var acc accumulator
	for {
		c, err := r.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.add(c); err != nil {
			t.Fatal(err)
		}
	}
	got := acc.response("chat.completion")
	want, _ := json.Marshal(stored)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Errorf("replay accumulates to\n%s\nwant\n%s", have, want)
	}
}
