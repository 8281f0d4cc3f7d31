package llmux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// counter counts every event it gets.
type counter struct{ n atomic.Int32 }

func (c *counter) LogPreAPICall(context.Context, *Event)          { c.n.Add(1) }
func (c *counter) LogPostAPICall(context.Context, *Event)         { c.n.Add(1) }
func (c *counter) LogStreamEvent(context.Context, *Event, *Chunk) { c.n.Add(1) }
func (c *counter) LogSuccessEvent(context.Context, *Event)        { c.n.Add(1) }
func (c *counter) LogFailureEvent(context.Context, *Event)        { c.n.Add(1) }

// The same logger registered twice, on a client twice, on the client and
// per request, or globally and on the default client, gets each event
// once.
func TestLoggers_SameLoggerTwiceGetsEachEventOnce(t *testing.T) {
	ctx := context.Background()
	req := func(cb ...any) *Request { return &Request{Model: "mock/x", Messages: hi(), Callbacks: cb} }
	for name, run := range map[string]func(l *counter){
		"twice on a client": func(l *counter) {
			c, _ := New(WithCallbacks(Inline(l), Inline(l)))
			defer c.Close(ctx)
			_, _ = c.Completion(ctx, req())
		},
		"client and request": func(l *counter) {
			c, _ := New(WithCallbacks(Inline(l)))
			defer c.Close(ctx)
			_, _ = c.Completion(ctx, req(l, Inline(l)))
		},
		"global and default client and request": func(l *counter) {
			if err := SetCallbacks(Inline(l)); err != nil {
				t.Fatal(err)
			}
			defer SetCallbacks()
			_, _ = Completion(ctx, req(l))
		},
	} {
		l := &counter{}
		run(l)
		if got := l.n.Load(); got != 3 {
			t.Errorf("%s: %d events, want 3 (pre, post, success)", name, got)
		}
	}
}

func TestTurnOffMessageLogging_RequestOverridesClientBothWays(t *testing.T) {
	for _, tc := range []struct {
		client  bool
		request *bool
		want    bool
	}{
		{false, nil, false}, {true, nil, true}, {true, ptr(false), false}, {false, ptr(true), true},
	} {
		c, rec := newTestClient(t, WithTurnOffMessageLogging(tc.client))
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: []Message{User("private")},
			MockResponse: "secret answer", TurnOffMessageLogging: tc.request}); err != nil {
			t.Fatal(err)
		}
		e := rec.last()
		redacted := e.Messages[0].Content == RedactedText && e.Response.Text() == RedactedText
		if redacted != tc.want || e.MessagesRedacted != tc.want {
			t.Errorf("client %v request %v: redacted %v (flag %v), want %v", tc.client, fmtPtr(tc.request), redacted, e.MessagesRedacted, tc.want)
		}
	}
}

func fmtPtr(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// A logger wrapped with RedactMessages gets redacted events while the
// others see the messages and the response.
func TestLoggers_RedactMessagesPerLogger(t *testing.T) {
	plain, private := &recorder{}, &recorder{}
	c, err := New(WithCallbacks(Inline(plain), RedactMessages(Inline(private))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	s, err := c.Stream(context.Background(), &Request{Model: "mock/x", Messages: []Message{User("my diary")}, MockResponse: "dear diary"})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	all := func(r *recorder) string {
		b, _ := json.Marshal(struct {
			E []*Event
			C []*Chunk
		}{r.all(), r.chunks})
		return string(b)
	}
	if p := all(private); strings.Contains(p, "diary") || !strings.Contains(p, RedactedText) {
		t.Errorf("the redacting logger saw the messages: %.600s", p)
	}
	if p := all(plain); !strings.Contains(p, "my diary") || !strings.Contains(p, "dear") {
		t.Errorf("the other logger lost the messages: %.600s", p)
	}
}

func TestRequest_NoLogSendsNoEvent(t *testing.T) {
	c, rec := newTestClient(t)
	l := &counter{}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), NoLog: true, Callbacks: []any{Inline(l)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), NoLog: true, MockResponse: errors.New("x")}); err == nil {
		t.Fatal("want the mock error")
	}
	if n := len(rec.all()); n != 0 || l.n.Load() != 0 {
		t.Errorf("no_log calls emitted %d + %d events", n, l.n.Load())
	}
}

func TestMockResponse_LiteLLMExceptionNames(t *testing.T) {
	c, rec := newTestClient(t, WithMaxRetries(0))
	for name, want := range map[string]Code{
		"litellm.RateLimitError":              CodeRateLimited,
		"litellm.ContextWindowExceededError":  CodeContextLength,
		"litellm.AuthenticationError":         CodeAuthentication,
		"litellm.BadRequestError":             CodeInvalidRequest,
		"litellm.NotFoundError":               CodeNotFound,
		"litellm.ServiceUnavailableError":     CodeOverloaded,
		"litellm.Timeout":                     CodeTimeout,
		"litellm.InternalServerError":         CodeServer,
		"litellm.APIConnectionError":          CodeConnection,
		"litellm.ContentPolicyViolationError": CodeContentFiltered,
		"RateLimitError":                      CodeRateLimited,
	} {
		_, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), MockResponse: name})
		var e *Error
		if !errors.As(err, &e) || e.Code != want {
			t.Errorf("%s: err = %v, want code %v", name, err, want)
			continue
		}
		if got := e.Code.ExceptionName(); !strings.HasSuffix(name, got) && name != "litellm.BadRequestError" && name != "litellm.APIConnectionError" {
			t.Errorf("%s: exception name %s", name, got)
		}
	}
	// Plain text stays an answer.
	resp, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), MockResponse: "RateLimit is fine"})
	if err != nil || resp.Text() != "RateLimit is fine" {
		t.Errorf("text mock: %v %v", resp, err)
	}
	_ = rec
}

// The idle timeout measures time waiting on the upstream: a caller that
// takes longer than it between Next calls still gets the whole stream.
func TestStream_IdleTimerCountsOnlyUpstreamWaits(t *testing.T) {
	c, rec := newTestClient(t, WithStreamIdleTimeout(100*time.Millisecond))
	s, err := c.Stream(context.Background(), &Request{Model: "mock/x", Messages: hi(), MockResponse: "a b c"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s.Next() {
		n++
		time.Sleep(250 * time.Millisecond) // the caller is slow, not the upstream
	}
	s.Close()
	if err := s.Err(); err != nil || s.Response().Text() != "a b c" {
		t.Fatalf("err %v, text %q after %d chunks", err, s.Response().Text(), n)
	}
	if rec.last().Type != EventSuccess {
		t.Errorf("terminal event %s", rec.last().Type)
	}
}

// A call after Close still works; its dropped events are reported once.
func TestClose_CallAfterCloseIsReportedOnce(t *testing.T) {
	logs := &countingHandler{}
	c, err := New(WithCallbacks(&counter{}), WithLog(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if w := logs.get(slog.LevelWarn); len(w) != 1 || !strings.HasPrefix(w[0], "llmux: an event was emitted after Close") {
		t.Errorf("warnings %q, want one", w)
	}
	if s := c.Stats()[0]; s.DroppedClosed != 9 {
		t.Errorf("stats %+v, want 9 dropped after Close", s)
	}
}

// supporter is a fake provider that supports only some parameters, as
// Anthropic does.
type supporter struct {
	fakeProvider
	ok map[string]bool
}

func (s *supporter) SupportsParam(_ CallType, _ string, name string) bool { return s.ok[name] }

func TestParams_UnsupportedIsAnErrorOrDropped(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	p := &supporter{fakeProvider: fakeProvider{name: "anthropic", base: u.URL, key: testKey}, ok: map[string]bool{"temperature": true}}
	base := func() *Request {
		return &Request{Model: "anthropic/claude", Messages: hi(), Temperature: ptr(0.2), Seed: ptr(7),
			ResponseFormat: json.RawMessage(`{"type":"json_schema"}`), PresencePenalty: ptr(0.1),
			Extra: map[string]json.RawMessage{"logit_bias": json.RawMessage(`{}`), "top_k": json.RawMessage(`5`)}}
	}
	c, rec := newTestClient(t, WithProvider(p))
	_, err := c.Completion(context.Background(), base())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidRequest || e.Provider != "anthropic" ||
		!strings.Contains(e.Message, `"seed"`) || !strings.Contains(e.Message, `"response_format"`) ||
		!strings.Contains(e.Message, `"logit_bias"`) || !strings.Contains(e.Message, `"presence_penalty"`) || strings.Contains(e.Message, "top_k") {
		t.Fatalf("err = %v, want an invalid_request naming each unsupported parameter and the provider", err)
	}
	if u.requests() != 0 {
		t.Fatal("an unsupported parameter reached the provider")
	}

	// Dropped per request: the call goes on, the body lacks them, the
	// event names them.
	r := base()
	r.DropParams = ptr(true)
	if _, err := c.Completion(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if body := u.bodies[0]; strings.Contains(body, "seed") || !strings.Contains(body, "temperature") {
		t.Errorf("body %s", body)
	}
	ev := rec.last()
	if fmt.Sprint(ev.DroppedParams) != "[frequency_penalty logit_bias presence_penalty response_format seed]" &&
		fmt.Sprint(ev.DroppedParams) != "[logit_bias presence_penalty response_format seed]" {
		t.Errorf("dropped %v", ev.DroppedParams)
	}
	if _, ok := ev.OptionalParams["seed"]; ok || ev.OptionalParams["top_k"] == nil {
		t.Errorf("optional params %v: want what was sent", ev.OptionalParams)
	}
	if r.Seed == nil || r.Extra["logit_bias"] == nil {
		t.Error("dropping changed the caller's request")
	}

	// Dropped by the client, one sent anyway with AllowedParams.
	c2, _ := newTestClient(t, WithProvider(p), WithDropParams(true))
	r = base()
	r.AllowedParams = []string{"seed"}
	if _, err := c2.Completion(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if body := u.bodies[1]; !strings.Contains(body, `"seed":7`) || strings.Contains(body, "presence_penalty") {
		t.Errorf("body %s", body)
	}
	// Per request false beats the client's true.
	r = base()
	r.DropParams = ptr(false)
	if _, err := c2.Completion(context.Background(), r); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("err = %v", err)
	}
}

func TestRequest_ExtraMayNotOverrideWhatTheCallOwns(t *testing.T) {
	c, rec := newTestClient(t)
	for _, k := range []string{"model", "messages", "stream", "temperature", "input", "prompt"} {
		_, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(),
			Extra: map[string]json.RawMessage{k: json.RawMessage(`1`)}})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidRequest || e.Param != "extra."+k || !strings.Contains(e.Message, k) {
			t.Errorf("Extra[%q]: err = %v, want invalid_request on extra.%s", k, err, k)
		}
	}
	if got := len(rec.all()); got != 6 {
		t.Errorf("%d events, want 6 failures alone", got)
	}
}
