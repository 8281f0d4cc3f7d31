package llmux

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llmux/cost"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCompletion_MockSuccessEventsAndCost(t *testing.T) {
	c, rec := newTestClient(t)
	resp, err := c.Completion(context.Background(), &Request{
		Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: "hi", Metadata: map[string]any{"hello": "world"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() != "hi" {
		t.Fatalf("text = %q", resp.Text())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	e := rec.last()
	if e.CostErr != nil || e.ResponseCost != 3.5e-05 {
		t.Fatalf("cost = %v (err %v), want 3.5e-05", e.ResponseCost, e.CostErr)
	}
	if fmt.Sprint(e.ResponseCost) != "3.5e-05" {
		t.Fatalf("cost prints as %v", e.ResponseCost)
	}
	// No registered provider claims the name, so the mock reports itself.
	if e.Provider != "mock" || e.Model != "gpt-3.5-turbo" || e.Metadata["hello"] != "world" {
		t.Fatalf("event = provider %q model %q metadata %v", e.Provider, e.Model, e.Metadata)
	}
	if e.Usage.PromptTokens != 10 || e.Usage.CompletionTokens != 20 {
		t.Fatalf("usage = %+v", e.Usage)
	}
	if e.CallID == "" || e.TraceID == "" || e.StartTime.IsZero() || e.EndTime.Before(e.StartTime) {
		t.Fatalf("ids/times not set: %+v", e)
	}
	// All events of a call share its id.
	for _, ev := range rec.all() {
		if ev.CallID != e.CallID {
			t.Fatalf("call id changed between events")
		}
	}
	pre := rec.all()[0]
	if pre.Attempt.Number != 1 || len(pre.Attempt.RequestBody) == 0 || pre.Response != nil {
		t.Fatalf("pre event = %+v", pre.Attempt)
	}
}

func TestCompletion_MockErrorGivesPreThenFailure(t *testing.T) {
	c, rec := newTestClient(t)
	boom := errors.New("boom")
	_, err := c.Completion(context.Background(), &Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: boom})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom in chain", err)
	}
	wantTypes(t, rec, "pre_api_call", "failed_api_call")
	if e := rec.last(); !errors.Is(e.Err, boom) || e.Traceback == "" {
		t.Fatalf("failure event err = %v traceback %d bytes", e.Err, len(e.Traceback))
	}
}

func TestCompletion_ErrorsBeforeAnyAttemptGiveFailureAlone(t *testing.T) {
	tests := []struct {
		name  string
		req   *Request
		code  Code
		param string
	}{
		{"nil request", nil, CodeInvalidRequest, ""},
		{"no model", &Request{Messages: hi()}, CodeInvalidRequest, "model"},
		{"no messages", &Request{Model: "mock/x"}, CodeInvalidRequest, "messages"},
		{"bad role", &Request{Model: "mock/x", Messages: []Message{{Role: "wizard", Content: "x"}}}, CodeInvalidRequest, "messages[0].role"},
		{"bad temperature", &Request{Model: "mock/x", Messages: hi(), Temperature: ptr(3.0)}, CodeInvalidRequest, "temperature"},
		{"unknown model", &Request{Model: "zzz-unknown", Messages: hi()}, CodeNotFound, "model"},
		{"unregistered provider", &Request{Model: "anthropic/claude-sonnet-4-5", Messages: hi()}, CodeNotFound, "model"},
		{"bad mock type", &Request{Model: "mock/x", Messages: hi(), MockResponse: 42}, CodeInvalidRequest, "mock_response"},
		{"not a logger", &Request{Model: "mock/x", Messages: hi(), Callbacks: []any{42}}, CodeInvalidRequest, "callbacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := newTestClient(t)
			_, err := c.Completion(context.Background(), tt.req)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Param != tt.param {
				t.Fatalf("err = %#v, want code %v param %q", err, tt.code, tt.param)
			}
			if tt.param != "" && !strings.Contains(e.Error(), tt.param) {
				t.Fatalf("message %q does not name %q", e.Error(), tt.param)
			}
			wantTypes(t, rec, "failed_api_call")
		})
	}
}

func TestCompletion_MissingKeyGivesFailureAlone(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	rec := &recorder{}
	c, err := New(WithProvider(&fakeProvider{name: "openai", base: u.URL}), WithCallbacks(Inline(rec)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Completion(context.Background(), &Request{Model: "openai/gpt-4o", Messages: hi()})
	if CodeOf(err) != CodeAuthentication {
		t.Fatalf("err = %v", err)
	}
	wantTypes(t, rec, "failed_api_call")
	if u.requests() != 0 {
		t.Fatalf("%d requests sent", u.requests())
	}
}

func TestCompletion_HTTPSuccessCarriesWireDetails(t *testing.T) {
	u := newUpstream(t, reply{body: okBody, header: map[string]string{"x-request-id": "req_1"}})
	c, rec := fakeClient(t, u)
	resp, err := c.Completion(context.Background(), &Request{Model: "gpt-4o-mini", Messages: hi(), Temperature: ptr(0.2)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() != "Hello! How can I assist you today?" {
		t.Fatalf("text %q", resp.Text())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	ev := rec.all()
	pre, post, ok := ev[0], ev[1], ev[2]
	if string(pre.Attempt.RequestBody) != u.bodies[0] {
		t.Fatalf("complete input dict %s\nsent              %s", pre.Attempt.RequestBody, u.bodies[0])
	}
	if pre.Attempt.APIKey != "sk-...1234" || pre.Attempt.Headers["Authorization"] != "Bearer sk-...1234" {
		t.Fatalf("key not masked: %q %q", pre.Attempt.APIKey, pre.Attempt.Headers["Authorization"])
	}
	if !strings.HasPrefix(pre.Attempt.APIBase, u.URL) || pre.OptionalParams["temperature"] != 0.2 {
		t.Fatalf("api base %q params %v", pre.Attempt.APIBase, pre.OptionalParams)
	}
	if post.OriginalResponse != okBody || post.StatusCode != 200 || post.ResponseHeaders["X-Request-Id"] != "req_1" {
		t.Fatalf("post = %q %d %v", post.OriginalResponse, post.StatusCode, post.ResponseHeaders)
	}
	if ok.Usage.TotalTokens != 29 || ok.CostErr != nil || ok.ResponseCost <= 0 {
		t.Fatalf("success usage %+v cost %v err %v", ok.Usage, ok.ResponseCost, ok.CostErr)
	}
	// Snapshots: the pre event does not see later fields.
	if pre.OriginalResponse != "" || pre.Response != nil {
		t.Fatalf("pre event was mutated later")
	}
	assertNoSecret(t, rec)
}

// assertNoSecret checks that the test key never shows in any event.
func assertNoSecret(t *testing.T, rec *recorder) {
	t.Helper()
	for _, e := range rec.all() {
		if s := fmt.Sprintf("%+v %+v %v", *e, e.Attempt, e.Err); strings.Contains(s, "SECRETSECRET") {
			t.Fatalf("secret in %s event", e.Type)
		}
	}
}

func TestCompletion_RetriesGiveOnePairPerAttempt(t *testing.T) {
	u := newUpstream(t,
		reply{status: 429, header: map[string]string{"retry-after-ms": "1"}, body: `{"error":{"message":"slow down"}}`},
		reply{status: 503, body: `{"error":{"message":"overloaded"}}`},
		reply{body: okBody},
	)
	c, rec := fakeClient(t, u)
	if _, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "successful_api_call")
	ev := rec.all()
	for i, want := range []int{1, 1, 2, 2, 3, 3} {
		if ev[i].Attempt.Number != want {
			t.Fatalf("event %d attempt %d, want %d", i, ev[i].Attempt.Number, want)
		}
	}
	if CodeOf(ev[1].Attempt.Err) != CodeRateLimited || ev[1].StatusCode != 429 {
		t.Fatalf("first post: %v %d", ev[1].Attempt.Err, ev[1].StatusCode)
	}
	if ev[6].Attempt.Err != nil {
		t.Fatalf("success event carries an attempt error")
	}
}

func TestCompletion_NoRetryOnNonRetryable(t *testing.T) {
	u := newUpstream(t, reply{status: 401, body: `{"error":{"message":"bad key"}}`})
	c, rec := fakeClient(t, u)
	_, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeAuthentication || e.StatusCode != 401 || e.Provider != "openai" {
		t.Fatalf("err = %#v", err)
	}
	if u.requests() != 1 {
		t.Fatalf("%d requests, want 1", u.requests())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "failed_api_call")
	if rec.last().StatusCode != 401 {
		t.Fatalf("failure status %d", rec.last().StatusCode)
	}
}

func TestCompletion_RetryAfterBeyondMaxWaitIsNotRetried(t *testing.T) {
	u := newUpstream(t, reply{status: 429, header: map[string]string{"retry-after": "3600"}, body: `{}`})
	c, _ := fakeClient(t, u, WithRetryBackoff(0, 0, time.Second))
	_, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter != time.Hour || u.requests() != 1 {
		t.Fatalf("err = %v, requests %d", err, u.requests())
	}
}

func TestCompletion_ContextCanceledStaysVisible(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	u := newUpstream(t, reply{body: "", block: release})
	c, rec := fakeClient(t, u)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for u.requests() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Completion(ctx, &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if !errors.Is(err, context.Canceled) || CodeOf(err) != CodeCanceled {
		t.Fatalf("err = %v (code %v)", err, CodeOf(err))
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "failed_api_call")
}

func TestCompletion_TimeoutIsRetriedThenReported(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	u := newUpstream(t, reply{block: release})
	c, rec := fakeClient(t, u, WithMaxRetries(1))
	_, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi(), Timeout: 20 * time.Millisecond})
	if CodeOf(err) != CodeTimeout {
		t.Fatalf("err = %v", err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "failed_api_call")
}

func TestCompletion_PerRequestKeyAndBase(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	rec := &recorder{}
	c, err := New(WithProvider(&fakeProvider{name: "openai", base: "http://127.0.0.1:1"}), WithCallbacks(Inline(rec)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi(), APIKey: testKey, APIBase: u.URL})
	if err != nil {
		t.Fatal(err)
	}
	if got := u.headers[0].Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("auth header %q", got)
	}
	assertNoSecret(t, rec)
}

func TestCompletion_KeyMaskedInErrors(t *testing.T) {
	c, rec := newTestClient(t)
	_, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), APIKey: testKey,
		MockResponse: fmt.Errorf("upstream said: invalid key %s", testKey)})
	if err == nil || strings.Contains(err.Error(), "SECRETSECRET") {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, rec)
}

func TestStream_EventsAndCompleteResponse(t *testing.T) {
	u := newUpstream(t, reply{body: streamBody})
	c, rec := fakeClient(t, u)
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for s.Next() {
		text.WriteString(s.Chunk().Text())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if text.String() != "Hello world" || s.Response().Text() != "Hello world" {
		t.Fatalf("text %q response %q", text.String(), s.Response().Text())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*5", "successful_api_call")
	e := rec.last()
	if e.CompleteStreamingResponse == nil || e.CompleteStreamingResponse.Text() != "Hello world" || e.CompleteStreamingResponse.Choices[0].FinishReason != "stop" {
		t.Fatalf("complete streaming response %+v", e.CompleteStreamingResponse)
	}
	if e.Usage.TotalTokens != 29 || e.Usage.Estimated || e.CostErr != nil || e.ResponseCost <= 0 {
		t.Fatalf("usage %+v cost %v %v", e.Usage, e.ResponseCost, e.CostErr)
	}
	if !e.Stream || e.CompletionStartTime.IsZero() || e.CompletionStartTime.After(e.EndTime) {
		t.Fatalf("stream flag/times: %v %v %v", e.Stream, e.CompletionStartTime, e.EndTime)
	}
	if len(rec.chunks) != 5 || rec.chunks[1].Text() != "Hello" {
		t.Fatalf("chunks %d", len(rec.chunks))
	}
	if !strings.Contains(u.bodies[0], `"stream":true`) {
		t.Fatalf("body %s", u.bodies[0])
	}
}

func TestStream_EarlyCloseReportsCanceledWithPartial(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	partial := strings.Join(strings.SplitAfter(streamBody, "\n\n")[:3], "")
	u := newUpstream(t, reply{body: partial, block: release})
	c, rec := fakeClient(t, u)
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3 && s.Next(); i++ {
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close() // idempotent
	if s.Next() {
		t.Fatal("Next after Close")
	}
	if !errors.Is(s.Err(), ErrStreamClosed) || CodeOf(s.Err()) != CodeCanceled {
		t.Fatalf("err = %v", s.Err())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*3", "failed_api_call")
	e := rec.last()
	if !errors.Is(e.Err, ErrStreamClosed) || e.Response == nil || e.Response.Text() != "Hello world" {
		t.Fatalf("failure event: err %v response %+v", e.Err, e.Response)
	}
	if !e.Usage.Estimated || e.Usage.CompletionTokens == 0 || e.CostErr != nil || e.ResponseCost <= 0 {
		t.Fatalf("partial usage %+v cost %v %v", e.Usage, e.ResponseCost, e.CostErr)
	}
}

func TestStream_ContextCancelMidStreamFails(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	partial := strings.Join(strings.SplitAfter(streamBody, "\n\n")[:2], "")
	u := newUpstream(t, reply{body: partial, block: release})
	c, rec := fakeClient(t, u)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.Stream(ctx, &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	for s.Next() {
		n++
		if n == 2 {
			cancel()
		}
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("err = %v", s.Err())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*2", "failed_api_call")
}

func TestStream_IdleTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	u := newUpstream(t, reply{body: strings.SplitAfter(streamBody, "\n\n")[0], block: release})
	c, rec := fakeClient(t, u, WithStreamIdleTimeout(30*time.Millisecond))
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
	}
	if CodeOf(s.Err()) != CodeTimeout {
		t.Fatalf("err = %v", s.Err())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*1", "failed_api_call")
}

func TestStream_ErrorBeforeFirstByteIsReturnedAndRetried(t *testing.T) {
	u := newUpstream(t, reply{status: 500, body: `{}`}, reply{body: streamBody})
	c, rec := fakeClient(t, u)
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	wantTypes(t, rec, "pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "stream_event*5", "successful_api_call")

	u2 := newUpstream(t, reply{status: 400, body: `{"error":{"message":"bad"}}`})
	c2, rec2 := fakeClient(t, u2)
	if _, err := c2.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()}); CodeOf(err) != CodeInvalidRequest {
		t.Fatalf("err = %v", err)
	}
	wantTypes(t, rec2, "pre_api_call", "post_api_call", "failed_api_call")
}

func TestStream_MockStreams(t *testing.T) {
	c, rec := newTestClient(t)
	s, err := c.Stream(context.Background(), &Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: "one two three"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for ch, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ch.Text())
	}
	if strings.Join(got, "") != "one two three" {
		t.Fatalf("chunks %q", got)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*5", "successful_api_call")
	if e := rec.last(); e.ResponseCost != 3.5e-05 || e.CompleteStreamingResponse.Text() != "one two three" {
		t.Fatalf("cost %v response %q", e.ResponseCost, e.CompleteStreamingResponse.Text())
	}
}

func TestStream_UsageEstimatedWhenMissing(t *testing.T) {
	body := strings.Replace(streamBody, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}`+"\n\n", "", 1)
	u := newUpstream(t, reply{body: body})
	c, rec := fakeClient(t, u)
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	e := rec.last()
	if e.Type != EventSuccess || !e.Usage.Estimated || e.Usage.CompletionTokens != 2 || e.Usage.PromptTokens == 0 || e.CostErr != nil {
		t.Fatalf("event %s usage %+v cost err %v", e.Type, e.Usage, e.CostErr)
	}
	if !s.Response().Usage.Estimated {
		t.Fatal("caller's response usage not marked estimated")
	}
}

func TestCompletion_UnpricedModelHasUnknownCost(t *testing.T) {
	c, rec := newTestClient(t)
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/my-own-model", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	e := rec.last()
	if e.Type != EventSuccess || e.CostErr == nil {
		t.Fatalf("event %s cost err %v", e.Type, e.CostErr)
	}
}

func TestDelivery_SlowLoggerDoesNotBlockCall(t *testing.T) {
	release := make(chan struct{})
	var got atomic.Int32
	slow := SuccessCallback(func(e *Event, resp any, start, end time.Time) {
		<-release // blocks until the test lets it go: as slow as we like
		got.Add(1)
	})
	c, err := New(WithCallbacks(slow))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if got.Load() != 0 {
		t.Fatal("logger ran before release")
	}
	st := c.Stats()[0]
	if st.Emitted != 3 || st.Delivered+st.Queued+st.Dropped() != 3 {
		t.Fatalf("stats %+v", st)
	}
	close(release)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Load() != 3 {
		t.Fatalf("delivered %d after Close, want 3", got.Load())
	}
	if st := c.Stats()[0]; st.Delivered != 3 || st.Queued != 0 {
		t.Fatalf("stats after close %+v", st)
	}
}

func TestDelivery_BackgroundContextKeepsValuesNotCancel(t *testing.T) {
	type key struct{}
	var gotCtx atomic.Pointer[context.Context]
	c, err := New(WithCallbacks(successCtx(func(ctx context.Context) { gotCtx.Store(&ctx) })))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	if _, err := c.Completion(ctx, &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := *gotCtx.Load()
	if got.Value(key{}) != "v" || got.Err() != nil {
		t.Fatalf("ctx value %v err %v", got.Value(key{}), got.Err())
	}
}

type successCtx func(ctx context.Context)

func (f successCtx) LogSuccessEvent(ctx context.Context, e *Event) { f(ctx) }

type panicker struct{}

func (panicker) LogPreAPICall(context.Context, *Event)   { panic("pre boom") }
func (panicker) LogSuccessEvent(context.Context, *Event) { panic("success boom") }
func (panicker) Name() string                            { return "panicker" }

func TestDelivery_PanickingLoggerIsRecoveredAndCounted(t *testing.T) {
	rec := &recorder{}
	c, err := New(WithCallbacks(panicker{}, rec), WithLog(discardLog()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), MockResponse: "ok"})
	if err != nil || resp.Text() != "ok" {
		t.Fatalf("resp %v err %v", resp, err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	st := c.Stats()[0]
	if st.Name != "panicker" || st.Panics != 2 || st.Delivered != 2 || st.Emitted != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDelivery_QueueFullDropsAndCounts(t *testing.T) {
	release := make(chan struct{})
	slow := SuccessCallback(func(*Event, any, time.Time, time.Time) { <-release })
	c, err := New(WithCallbacks(slow), WithQueueSize(2), WithLog(discardLog()))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	st := c.Stats()[0]
	if st.Emitted != 10 || st.DroppedQueueFull < 7 || st.Emitted != st.Delivered+st.Dropped()+st.Queued {
		t.Fatalf("stats %+v", st)
	}
	close(release)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st = c.Stats()[0]
	if st.Queued != 0 || st.Emitted != st.Delivered+st.Dropped() {
		t.Fatalf("stats after close %+v", st)
	}
}

func TestClose_IdempotentHonoursContextAndCountsLateEvents(t *testing.T) {
	release := make(chan struct{})
	slow := SuccessCallback(func(*Event, any, time.Time, time.Time) { <-release })
	c, err := New(WithCallbacks(slow))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := c.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush = %v", err)
	}
	if err := c.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	// Calls still work after Close; their events are dropped and counted.
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()[0]
	if st.Emitted != 2 || st.Delivered != 1 || st.DroppedClosed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRegistration_RejectsNonLoggers(t *testing.T) {
	_, err := New(WithCallbacks(&recorder{}, "not a logger", struct{}{}))
	if !errors.Is(err, ErrNotALogger) || !strings.Contains(err.Error(), "callback 1 (string)") || !strings.Contains(err.Error(), "callback 2 (struct {})") {
		t.Fatalf("err = %v", err)
	}
	if err := SetCallbacks(42); !errors.Is(err, ErrNotALogger) {
		t.Fatalf("SetCallbacks err = %v", err)
	}
}

func TestCallbacks_OrderAndScopes(t *testing.T) {
	var mu sync.Mutex
	var order []string
	mk := func(name string) any {
		return Inline(SuccessCallback(func(*Event, any, time.Time, time.Time) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}))
	}
	c, err := New(WithCallbacks(mk("a"), mk("b")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	req := &Request{Model: "mock/x", Messages: hi(), Callbacks: []any{mk("request")}}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "a,b,request,a,b" {
		t.Fatalf("order %s", got)
	}
}

func TestCallbacks_PerRequestBackgroundLoggerIsFlushed(t *testing.T) {
	rec := &recorder{}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), Callbacks: []any{rec}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	st := c.Stats()
	if last := st[len(st)-1]; last.Name != "per-request" || last.Emitted != 3 || last.Delivered != 3 {
		t.Fatalf("stats %+v", st)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRedaction_LoggersSeeMarkerCallerGetsText(t *testing.T) {
	for _, perRequest := range []bool{false, true} {
		t.Run(fmt.Sprint("perRequest=", perRequest), func(t *testing.T) {
			var opts []Option
			if !perRequest {
				opts = append(opts, WithTurnOffMessageLogging(true))
			}
			c, rec := newTestClient(t, opts...)
			secret := "my private diary"
			resp, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: []Message{User(secret)},
				MockResponse: "the private answer", TurnOffMessageLogging: onlyIf(perRequest)})
			if err != nil || resp.Text() != "the private answer" {
				t.Fatalf("resp %v err %v", resp, err)
			}
			s, err := c.Stream(context.Background(), &Request{Model: "mock/x", Messages: []Message{User(secret)},
				MockResponse: "the private answer", TurnOffMessageLogging: onlyIf(perRequest)})
			if err != nil {
				t.Fatal(err)
			}
			for s.Next() {
			}
			s.Close()
			for _, e := range rec.all() {
				s := fmt.Sprintf("%+v %+v %+v %s", *e, e.Attempt, e.Response, e.Attempt.RequestBody)
				if strings.Contains(s, "private") {
					t.Fatalf("%s event leaks: %s", e.Type, s)
				}
				if !e.MessagesRedacted || e.Messages[0].Content != RedactedText {
					t.Fatalf("%s event messages %+v", e.Type, e.Messages)
				}
			}
			for _, ch := range rec.chunks {
				if strings.Contains(ch.Text(), "private") {
					t.Fatal("chunk leaks")
				}
			}
			if e := rec.last(); e.Response.Text() != RedactedText {
				t.Fatalf("response %q", e.Response.Text())
			}
		})
	}
}

func TestEvent_MessagesAreASnapshot(t *testing.T) {
	c, rec := newTestClient(t)
	msgs := []Message{User("original")}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	msgs[0].Content = "changed"
	if rec.last().Messages[0].Content != "original" {
		t.Fatal("event shares the caller's messages")
	}
}

func TestPackageLevel_GlobalCallbacks(t *testing.T) {
	rec := &recorder{}
	if err := SetCallbacks(Inline(rec)); err != nil {
		t.Fatal(err)
	}
	defer SetCallbacks() //nolint:errcheck
	resp, err := Completion(context.Background(), &Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: "hello"})
	if err != nil || resp.Text() != "hello" {
		t.Fatalf("%v %v", resp, err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	// Global callbacks do not apply to other clients.
	c, _ := newTestClient(t)
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatal(err)
	}
	if len(rec.all()) != 3 {
		t.Fatalf("global logger saw another client's call")
	}
	if err := Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTextCompletionAndEmbedding_Mock(t *testing.T) {
	c, rec := newTestClient(t)
	r, err := c.TextCompletion(context.Background(), &Request{Model: "mock/x", Prompt: "Say this is a test", MockResponse: "This is a test"})
	if err != nil || r.Choices[0].Text != "This is a test" {
		t.Fatalf("%v %v", r, err)
	}
	e := rec.last()
	if e.CallType != CallTextCompletion || e.Prompt != "Say this is a test" {
		t.Fatalf("event %+v", e)
	}
	em, err := c.Embedding(context.Background(), &Request{Model: "mock/emb", Input: []string{"a", "b"}})
	if err != nil || len(em.Data) != 2 || len(em.Data[0].Vector) != mockDims {
		t.Fatalf("%+v %v", em, err)
	}
	em2, _ := c.Embedding(context.Background(), &Request{Model: "mock/emb", Input: []string{"a"}})
	if em2.Data[0].Vector[0] != em.Data[0].Vector[0] {
		t.Fatal("mock embeddings not deterministic")
	}
	if e := rec.last(); e.CallType != CallEmbedding || e.EmbeddingResponse == nil || e.Type != EventSuccess {
		t.Fatalf("event %+v", e)
	}
	if _, err := c.Embedding(context.Background(), &Request{Model: "mock/emb"}); CodeOf(err) != CodeInvalidRequest {
		t.Fatalf("err %v", err)
	}
}

func TestUnsupportedCapability(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	c, rec := fakeClient(t, u)
	_, err := c.Embedding(context.Background(), &Request{Model: "openai/text-embedding-3-small", Input: []string{"x"}})
	if CodeOf(err) != CodeUnsupported {
		t.Fatalf("err %v", err)
	}
	wantTypes(t, rec, "failed_api_call")
}

// claimer is a fake provider that declares its own model names, as the
// real provider packages do.
type claimer struct {
	fakeProvider
	prefixes []string
	claims   func(string) bool
}

func (c *claimer) Prefixes() []string { return c.prefixes }

func (c *claimer) ClaimModel(m string) bool { return c.claims != nil && c.claims(m) }

func TestResolve_ProvidersDeclareTheirNames(t *testing.T) {
	oa := &claimer{fakeProvider: fakeProvider{name: "openai"}, prefixes: []string{"text-completion-openai"},
		claims: func(m string) bool { return strings.HasPrefix(m, "gpt-") || strings.HasPrefix(m, "o3") }}
	an := &claimer{fakeProvider: fakeProvider{name: "anthropic"}, claims: func(m string) bool { return strings.HasPrefix(m, "claude") }}
	c, err := New(WithProvider(oa), WithProvider(an), WithProvider(&fakeProvider{name: "azure"}), WithProvider(&fakeProvider{name: "groq"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for model, want := range map[string][2]string{
		"gpt-4o":                             {"openai", "gpt-4o"},
		"openai/gpt-4o":                      {"openai", "gpt-4o"},
		"text-completion-openai/davinci-002": {"openai", "davinci-002"},
		"azure/my-deploy":                    {"azure", "my-deploy"},
		"anthropic/claude-sonnet-4-5":        {"anthropic", "claude-sonnet-4-5"},
		"claude-sonnet-4-5":                  {"anthropic", "claude-sonnet-4-5"},
		"o3-mini":                            {"openai", "o3-mini"},
		"groq/llama-3.1-8b":                  {"groq", "llama-3.1-8b"},
		"groq/meta-llama/Llama-3-70b":        {"groq", "meta-llama/Llama-3-70b"},
		"mock/anything":                      {"mock", "anything"},
	} {
		_, name, up, err := c.resolve(&Request{Model: model}, false)
		if err != nil || name != want[0] || up != want[1] {
			t.Errorf("%s -> %s %s %v, want %v", model, name, up, err, want)
		}
	}
}

func TestResolve_UnknownModelsNameWhatIsRegistered(t *testing.T) {
	oa := &claimer{fakeProvider: fakeProvider{name: "openai"}, prefixes: []string{"text-completion-openai"}}
	c, err := New(WithProvider(oa))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for _, tc := range []struct {
		model  string
		global bool
		want   []string
	}{
		{"gemini/gemini-2.5-flash", false, []string{`prefix "gemini"`, "registered: mock, openai (also text-completion-openai/)",
			`openai.New(openai.WithName("gemini")`, "github.com/llmux/llmux/provider/openai", "llmux.New(llmux.WithProvider("}},
		{"command-r", false, []string{`serves "command-r"`, `"provider/model"`, "registered: mock, openai", "provider/anthropic"}},
		{"command-r", true, []string{"llmux.SetDefault(llmux.New(llmux.WithProvider(...)))"}},
	} {
		_, _, _, err := c.resolve(&Request{Model: tc.model}, tc.global)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeNotFound || e.Param != "model" {
			t.Fatalf("%s: err = %v, want not_found on model", tc.model, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(e.Message, w) {
				t.Errorf("%s: %q lacks %q", tc.model, e.Message, w)
			}
		}
		for _, bad := range []string{"ollama.New", "vertex_ai-language-models"} {
			if strings.Contains(e.Message, bad) {
				t.Errorf("%s: %q names a package that does not exist", tc.model, e.Message)
			}
		}
	}
}

func TestResolve_ThePriceTableDoesNotRoute(t *testing.T) {
	table := cost.New()
	table.Register("my-model", cost.Price{Provider: "anthropic", InputPerToken: 1e-6})
	table.Register("claude-sonnet-4-5", cost.Price{Provider: "anthropic", InputPerToken: 1e-6})
	c, err := New(WithProvider(&claimer{fakeProvider: fakeProvider{name: "anthropic"}}), WithPriceTable(table))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for _, m := range []string{"my-model", "claude-sonnet-4-5"} {
		if _, _, _, err := c.resolve(&Request{Model: m}, false); CodeOf(err) != CodeNotFound {
			t.Errorf("%s: err = %v; a price entry must not pick the provider", m, err)
		}
	}
}

func TestResolve_MocksReportTheProviderTheNameResolvesTo(t *testing.T) {
	oa := &claimer{fakeProvider: fakeProvider{name: "openai"}, claims: func(m string) bool { return strings.HasPrefix(m, "gpt-") }}
	c, err := New(WithProvider(oa))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for model, want := range map[string][2]string{
		"gpt-4o":             {"openai", "gpt-4o"}, // a registered provider claims it
		"bedrock/titan":      {"bedrock", "titan"}, // an unregistered prefix
		"some-private-model": {"mock", "some-private-model"},
	} {
		p, name, up, err := c.resolve(&Request{Model: model, MockResponse: "hi"}, false)
		if err != nil || name != want[0] || up != want[1] || p.Name() != "mock" {
			t.Errorf("%s -> %s %s %v, want %v served by the mock", model, name, up, err, want)
		}
	}
}

func TestCost_PublicFunction(t *testing.T) {
	resp := &Response{Model: "gpt-3.5-turbo", Usage: Usage{PromptTokens: 10, CompletionTokens: 20, TotalTokens: 30}}
	b, err := Cost(resp, "openai")
	if err != nil || b.Total != 3.5e-05 {
		t.Fatalf("cost %v err %v", b.Total, err)
	}
	if _, err := Cost(&Response{Model: "nope-model"}, "openai"); err == nil {
		t.Fatal("unknown model priced")
	}
	c, _ := newTestClient(t)
	if b, err := c.Cost(resp, "openai"); err != nil || b.Total != 3.5e-05 {
		t.Fatalf("client cost %v %v", b.Total, err)
	}
}

func TestCost_PerRequestPrice(t *testing.T) {
	c, rec := newTestClient(t)
	p := &cost.Price{InputPerToken: 1e-6, OutputPerToken: 2e-6}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/custom", Messages: hi(), Price: p}); err != nil {
		t.Fatal(err)
	}
	if e := rec.last(); e.CostErr != nil || e.ResponseCost != 5e-05 {
		t.Fatalf("cost %v err %v", e.ResponseCost, e.CostErr)
	}
}

func TestStream_NoRetryAfterFirstChunk(t *testing.T) {
	// The upstream sends two chunks then drops the connection: a retryable
	// connection error, but chunks already reached the caller.
	partial := strings.Join(strings.SplitAfter(streamBody, "\n\n")[:2], "")
	u := newUpstream(t, reply{body: partial})
	c, rec := fakeClient(t, u)
	s, err := c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	for s.Next() {
		n++
	}
	if n != 2 || s.Err() == nil {
		t.Fatalf("chunks %d err %v", n, s.Err())
	}
	if u.requests() != 1 {
		t.Fatalf("%d upstream requests, want 1", u.requests())
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "stream_event*2", "failed_api_call")
}

type nilProvider struct{}

func (nilProvider) Name() string                                              { return "nil" }
func (nilProvider) Chat(context.Context, *Attempt) (*Response, error)         { return nil, nil }
func (nilProvider) ChatStream(context.Context, *Attempt) (ChunkReader, error) { return nil, nil }

func TestProvider_NoResultNoErrorIsBadResponse(t *testing.T) {
	c, rec := newTestClient(t, WithProvider(nilProvider{}))
	if _, err := c.Completion(context.Background(), &Request{Model: "nil/x", Messages: hi()}); CodeOf(err) != CodeBadResponse {
		t.Fatalf("err %v", err)
	}
	if _, err := c.Stream(context.Background(), &Request{Model: "nil/x", Messages: hi()}); CodeOf(err) != CodeBadResponse {
		t.Fatalf("err %v", err)
	}
	wantTypes(t, rec, "failed_api_call", "failed_api_call")
}
