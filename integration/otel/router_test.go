package otel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/router"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestRouter_FallbackAttemptsAreChildrenOfOneCall routes gpt-4o to a
// deployment that is down (503) and falls back to the backup group: one
// call span (the group asked for as request model, the group that served
// as llmux.model_group) with one child per deployment tried, each naming
// its deployment and api_base.
func TestRouter_FallbackAttemptsAreChildrenOfOneCall(t *testing.T) {
	col, recv := httpReceiver(t)
	down, up := upstream(t, 1000), upstream(t, 0)
	rt, err := router.New([]router.Deployment{
		{ID: "east", ModelGroup: "gpt-4o", Model: "openai/gpt-4o", APIBase: down.URL + "/v1"},
		{ID: "west", ModelGroup: "backup", Model: "openai/gpt-4o-mini", APIBase: up.URL + "/v1"},
	}, router.WithNumRetries(0), router.WithFallbacks(map[string][]string{"gpt-4o": {"backup"}}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: recv.URL + "/v1/traces"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey("sk-test-0123456789abcdef"))),
		llmux.WithMiddleware(rt.Middleware()), llmux.WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("hi")}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	spans := waitSpans(t, col, 3)
	var call span
	var attempts []span
	for _, s := range spans {
		if strings.HasPrefix(s.GetName(), "attempt ") {
			attempts = append(attempts, s)
		} else {
			call = s
		}
	}
	if call.Span == nil || len(attempts) != 2 {
		t.Fatalf("want one call span and 2 attempts, got %v", byName(spans))
	}
	if call.GetName() != "chat gpt-4o" || call.attrs()["llmux.model_group"] != "backup" || call.attrs()["gen_ai.request.model"] != "gpt-4o" {
		t.Errorf("call span %q attrs %v", call.GetName(), call.attrs())
	}
	want := map[string]struct {
		deployment, base string
		status           int64
		failed           bool
	}{
		"attempt 1 openai/gpt-4o":      {"openai/gpt-4o", down.URL, 503, true},
		"attempt 2 openai/gpt-4o-mini": {"openai/gpt-4o-mini", up.URL, 200, false},
	}
	for _, a := range attempts {
		w, ok := want[a.GetName()]
		if !ok {
			t.Errorf("unexpected attempt span %q", a.GetName())
			continue
		}
		at := a.attrs()
		if at["llmux.deployment"] != w.deployment || !strings.HasPrefix(str(at["llmux.api_base"]), w.base) ||
			at["http.response.status_code"] != w.status || (a.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR) != w.failed {
			t.Errorf("%s: attrs %v status %v; want %+v", a.GetName(), at, a.GetStatus(), w)
		}
		if a.parentID() != call.spanID() {
			t.Errorf("%s: parent %s, want the call span %s", a.GetName(), a.parentID(), call.spanID())
		}
	}
}
