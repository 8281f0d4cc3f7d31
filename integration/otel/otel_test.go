package otel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	"github.com/llmux/llmux/provider/openai"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upstream is a fake OpenAI server: the first `fail` requests get 503,
// the others a chat completion.
func upstream(t *testing.T, fail int32) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile("../../proxy/testdata/openai-chat.json")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1) <= fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"message":"overloaded","type":"server_error"}}`))
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// times records each call's start and end as its events said.
type times struct {
	mu         sync.Mutex
	start, end map[string]time.Time
}

func (r *times) log(e *llmux.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.start == nil {
		r.start, r.end = map[string]time.Time{}, map[string]time.Time{}
	}
	r.start[e.CallID], r.end[e.CallID] = e.StartTime, e.EndTime
}

func (r *times) LogSuccessEvent(_ context.Context, e *llmux.Event) { r.log(e) }
func (r *times) LogFailureEvent(_ context.Context, e *llmux.Event) { r.log(e) }

// callerContext returns a context holding a remote caller's span.
func callerContext(t *testing.T) (context.Context, trace.SpanContext) {
	t.Helper()
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
	return trace.ContextWithRemoteSpanContext(context.Background(), sc), sc
}

func byName(spans []span) map[string]span {
	out := map[string]span{}
	for _, s := range spans {
		out[s.GetName()] = s
	}
	return out
}

// TestHTTP_CallSpanWithAttemptChildren exports one chat call that failed
// once upstream (503) and succeeded on its retry to an OTLP/HTTP
// receiver, and checks the decoded spans: the call span (name, kind,
// GenAI attributes, cost, times equal to the event's, the caller's span
// as parent), one child per attempt (timing within the call, the first
// failed with 503), the messages event and the auth header.
func TestHTTP_CallSpanWithAttemptChildren(t *testing.T) {
	col, recv := httpReceiver(t)
	up := upstream(t, 1)
	ctx, caller := callerContext(t)

	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: recv.URL + "/v1/traces", Headers: map[string]string{"Authorization": "Basic cGs6c2s="}, ServiceName: "gw-test"})
	if err != nil {
		t.Fatal(err)
	}
	tm := &times{}
	c, err := llmux.New(
		llmux.WithProvider(openai.New(openai.WithAPIKey("sk-test-0123456789abcdef"), openai.WithBaseURL(up.URL+"/v1"))),
		llmux.WithRetryBackoff(time.Millisecond, time.Millisecond, time.Second),
		llmux.WithCallbacks(l, llmux.Inline(tm)))
	if err != nil {
		t.Fatal(err)
	}
	temp, topP, maxTok := 0.5, 0.9, 100
	_, err = c.Completion(ctx, &llmux.Request{Model: "openai/gpt-4o", Messages: []llmux.Message{llmux.System("be brief"), llmux.User("hi there")},
		Temperature: &temp, TopP: &topP, MaxTokens: &maxTok, Stop: []string{"END"}, MaxRetries: llmux.Ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(context.Background()); err != nil { // flushes and shuts the exporter down
		t.Fatal(err)
	}
	spans := waitSpans(t, col, 3)
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3 (call + 2 attempts): %v", len(spans), spans)
	}
	named := byName(spans)
	call, ok := named["chat gpt-4o"]
	if !ok {
		t.Fatalf("no span named %q; got %v", "chat gpt-4o", keys(named))
	}
	if call.GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("call span kind %v, want client", call.GetKind())
	}
	if call.traceID() != caller.TraceID().String() || call.parentID() != caller.SpanID().String() {
		t.Errorf("call span trace %s parent %s, want the caller's %s/%s", call.traceID(), call.parentID(), caller.TraceID(), caller.SpanID())
	}
	if call.service != "gw-test" {
		t.Errorf("service.name %q", call.service)
	}
	a := call.attrs()
	want := map[string]any{
		"gen_ai.operation.name":          "chat",
		"gen_ai.provider.name":           "openai",
		"gen_ai.request.model":           "gpt-4o",
		"gen_ai.request.temperature":     0.5,
		"gen_ai.request.top_p":           0.9,
		"gen_ai.request.max_tokens":      int64(100),
		"gen_ai.request.stop_sequences":  []any{"END"},
		"gen_ai.response.model":          "gpt-4o-mini-2024-07-18",
		"gen_ai.response.id":             "chatcmpl-CZ2xq7n1bN5yKp0Qd8sVw3LmE4rTu",
		"gen_ai.response.finish_reasons": []any{"stop"},
		"gen_ai.usage.input_tokens":      int64(19),
		"gen_ai.usage.output_tokens":     int64(10),
		"llmux.cache_hit":                false,
		"llmux.stream":                   false,
		"server.address":                 "127.0.0.1",
	}
	for k, v := range want {
		if diff := cmp.Diff(v, a[k]); diff != "" {
			t.Errorf("attribute %s (-want +got):\n%s", k, diff)
		}
	}
	if cost, ok := a["llmux.cost_usd"].(float64); !ok || cost <= 0 {
		t.Errorf("llmux.cost_usd = %v, want > 0", a["llmux.cost_usd"])
	}
	id, _ := a["llmux.call_id"].(string)
	tm.mu.Lock()
	start, end := tm.start[id], tm.end[id]
	tm.mu.Unlock()
	if call.GetStartTimeUnixNano() != uint64(start.UnixNano()) || call.GetEndTimeUnixNano() != uint64(end.UnixNano()) {
		t.Errorf("call span %d..%d, want the event's %d..%d", call.GetStartTimeUnixNano(), call.GetEndTimeUnixNano(), start.UnixNano(), end.UnixNano())
	}
	if call.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("call span status error")
	}

	first, second := named["attempt 1 openai/gpt-4o"], named["attempt 2 openai/gpt-4o"]
	if first.Span == nil || second.Span == nil {
		t.Fatalf("attempt spans missing; got %v", keys(named))
	}
	var prevEnd uint64
	for i, at := range []span{first, second} {
		if at.parentID() != call.spanID() || at.traceID() != call.traceID() {
			t.Errorf("attempt %d parent %s, want the call span %s", i+1, at.parentID(), call.spanID())
		}
		if at.GetStartTimeUnixNano() < call.GetStartTimeUnixNano() || at.GetEndTimeUnixNano() > call.GetEndTimeUnixNano() ||
			at.GetStartTimeUnixNano() > at.GetEndTimeUnixNano() || at.GetStartTimeUnixNano() < prevEnd {
			t.Errorf("attempt %d %d..%d not within the call %d..%d after the previous attempt", i+1,
				at.GetStartTimeUnixNano(), at.GetEndTimeUnixNano(), call.GetStartTimeUnixNano(), call.GetEndTimeUnixNano())
		}
		prevEnd = at.GetEndTimeUnixNano()
		if got := at.attrs()["llmux.api_base"].(string); !strings.HasPrefix(got, up.URL) {
			t.Errorf("attempt %d api_base %q", i+1, got)
		}
	}
	if got := first.attrs()["http.response.status_code"]; got != int64(503) || first.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("attempt 1: status code %v, span status %v; want 503 and error", got, first.GetStatus())
	}
	if got := second.attrs()["http.response.status_code"]; got != int64(200) || second.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("attempt 2: status code %v, span status %v; want 200 and not error", got, second.GetStatus())
	}

	var details map[string]any
	for _, ev := range call.GetEvents() {
		if ev.GetName() == otel.EventOperationDetails {
			details = attrMap(ev.GetAttributes())
		}
	}
	var in, out []map[string]any
	if err := json.Unmarshal([]byte(str(details["gen_ai.input.messages"])), &in); err != nil {
		t.Fatalf("gen_ai.input.messages: %v (%v)", err, details)
	}
	if err := json.Unmarshal([]byte(str(details["gen_ai.output.messages"])), &out); err != nil {
		t.Fatalf("gen_ai.output.messages: %v", err)
	}
	wantIn := []map[string]any{
		{"role": "system", "parts": []any{map[string]any{"type": "text", "content": "be brief"}}},
		{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "hi there"}}},
	}
	if diff := cmp.Diff(wantIn, in); diff != "" {
		t.Errorf("input messages (-want +got):\n%s", diff)
	}
	wantOut := []map[string]any{{"role": "assistant", "finish_reason": "stop",
		"parts": []any{map[string]any{"type": "text", "content": "Hello! How can I assist you today?"}}}}
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("output messages (-want +got):\n%s", diff)
	}
	if got := col.lastHeaders()["Authorization"]; got != "Basic cGs6c2s=" {
		t.Errorf("receiver got Authorization %q", got)
	}
	for _, s := range spans {
		for _, ev := range s.GetEvents() {
			for _, kv := range ev.GetAttributes() {
				if strings.Contains(kv.GetValue().GetStringValue(), "sk-test-0123456789abcdef") {
					t.Errorf("span %s event %s carries the API key", s.GetName(), ev.GetName())
				}
			}
		}
		for _, kv := range s.GetAttributes() {
			if strings.Contains(kv.GetValue().GetStringValue(), "sk-test-0123456789abcdef") {
				t.Errorf("span %s attribute %s carries the API key", s.GetName(), kv.GetKey())
			}
		}
	}
	st := l.SinkStats()
	if st.Emitted != 3 || st.Delivered != 3 || st.Queued != 0 || st.Dropped["export_failed"] != 0 {
		t.Errorf("SinkStats %+v, want 3 emitted and delivered", st)
	}
}

// TestGRPC_FailureWithoutMessages exports a failed call over OTLP/gRPC
// from a client with message logging off: the span's status is error with
// error.type and an exception event, and no message content anywhere.
func TestGRPC_FailureWithoutMessages(t *testing.T) {
	col, endpoint := grpcReceiver(t)
	ctx := context.Background()
	l, err := otel.NewExporter(ctx, otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: endpoint, Headers: map[string]string{"api-key": "phoenix-key"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithTurnOffMessageLogging(true))
	if err != nil {
		t.Fatal(err)
	}
	_, callErr := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("secret question")},
		MockResponse: "litellm.RateLimitError", MaxRetries: llmux.Ptr(0)})
	if callErr == nil {
		t.Fatal("want an error")
	}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("secret question")}, MockResponse: "secret answer"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	spans := waitSpans(t, col, 4)
	var failed, ok []span
	for _, s := range spans {
		if !strings.HasPrefix(s.GetName(), "chat ") {
			continue
		}
		if s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
			failed = append(failed, s)
		} else {
			ok = append(ok, s)
		}
	}
	if len(failed) != 1 || len(ok) != 1 {
		t.Fatalf("call spans: %d failed, %d ok; want 1 and 1 (%d spans)", len(failed), len(ok), len(spans))
	}
	f := failed[0]
	if got := f.attrs()["error.type"]; got != "rate_limited" {
		t.Errorf("error.type %v, want rate_limited", got)
	}
	if !strings.Contains(f.GetStatus().GetMessage(), "RateLimitError") {
		t.Errorf("status message %q", f.GetStatus().GetMessage())
	}
	var exc map[string]any
	for _, ev := range f.GetEvents() {
		if ev.GetName() == "exception" {
			exc = attrMap(ev.GetAttributes())
		}
	}
	if exc == nil || exc["exception.type"] != "RateLimitError" || !strings.Contains(str(exc["exception.message"]), "RateLimitError") {
		t.Errorf("exception event %v", exc)
	}
	if _, has := f.attrs()["llmux.cost_usd"]; has {
		t.Errorf("failed call has llmux.cost_usd")
	}
	for _, s := range spans {
		for _, ev := range s.GetEvents() {
			if ev.GetName() == otel.EventOperationDetails {
				t.Errorf("span %s has a messages event with message logging off", s.GetName())
			}
		}
		b, _ := json.Marshal(s.Span)
		if strings.Contains(string(b), "secret") {
			t.Errorf("span %s carries message content: %s", s.GetName(), b)
		}
	}
	if got := col.lastHeaders()["api-key"]; got != "phoenix-key" {
		t.Errorf("receiver got api-key %q", got)
	}
}

// TestNew_UserProviderAndNoAttemptsForCacheless checks New with a
// provider of the caller's (an SDK provider exporting to the HTTP
// receiver), for an embedding: operation embeddings, and one attempt span.
func TestNew_Embedding(t *testing.T) {
	col, recv := httpReceiver(t)
	ctx := context.Background()
	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: recv.URL + "/v1/traces"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Embedding(ctx, &llmux.Request{Model: "mock/text-embedding-3-small", Input: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	named := byName(waitSpans(t, col, 2))
	e, ok := named["embeddings text-embedding-3-small"]
	if !ok {
		t.Fatalf("no embeddings span: %v", keys(named))
	}
	if got := e.attrs()["gen_ai.operation.name"]; got != "embeddings" {
		t.Errorf("operation %v", got)
	}
}

// TestConfigFromEnv reads LiteLLM's and the SDK's variables.
func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want otel.Config
	}{
		{"defaults", nil, otel.Config{Protocol: otel.ProtocolHTTP}},
		{"litellm http", map[string]string{"OTEL_EXPORTER": "otlp_http", "OTEL_ENDPOINT": "https://api.traceloop.com", "OTEL_HEADERS": "Authorization=Bearer%20tl-key"},
			otel.Config{Protocol: otel.ProtocolHTTP, Endpoint: "https://api.traceloop.com/v1/traces", Headers: map[string]string{"Authorization": "Bearer tl-key"}}},
		{"litellm grpc", map[string]string{"OTEL_EXPORTER": "otlp_grpc", "OTEL_ENDPOINT": "localhost:4317"},
			otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: "http://localhost:4317"}},
		{"langfuse", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://cloud.langfuse.com/api/public/otel",
			"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic cGs6c2s=,x-langfuse-ingestion-version=4"},
			otel.Config{Protocol: otel.ProtocolHTTP, Endpoint: "https://cloud.langfuse.com/api/public/otel/v1/traces",
				Headers: map[string]string{"Authorization": "Basic cGs6c2s=", "x-langfuse-ingestion-version": "4"}}},
		{"traces endpoint as is, protocol grpc, service", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector:4317", "OTEL_SERVICE_NAME": "gw", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"},
			otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: "https://collector:4317", ServiceName: "gw", Gzip: true}},
		{"litellm headers win", map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "api-key=a", "OTEL_HEADERS": "api-key=b"},
			otel.Config{Protocol: otel.ProtocolHTTP, Headers: map[string]string{"api-key": "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := otel.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	_, err := otel.ConfigFromEnv(func(k string) string {
		return map[string]string{"OTEL_EXPORTER": "console", "OTEL_HEADERS": "Authorization=Bearer%20sk-secret"}[k]
	})
	if err == nil {
		t.Error("OTEL_EXPORTER=console: want an error")
	}
	_, err = otel.ConfigFromEnv(func(k string) string { return map[string]string{"OTEL_HEADERS": "Authorization=Bearer%zzsk-secret"}[k] })
	if err == nil || strings.Contains(err.Error(), "sk-secret") {
		t.Errorf("bad header value: err %v; want an error that does not quote the value", err)
	}
}

func keys(m map[string]span) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// TestSinkStats_NameHasNoSecret: the sink's name (a metrics label) keeps
// the endpoint without its user info or query.
func TestSinkStats_NameHasNoSecret(t *testing.T) {
	ctx := context.Background()
	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: "http://user:s3cret@127.0.0.1:1/v1/traces?token=s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(ctx)
	if got, want := l.SinkStats().Name, "otel:http://127.0.0.1:1/v1/traces"; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
}
