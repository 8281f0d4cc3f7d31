// Command otel sends llmux calls to an OpenTelemetry collector as GenAI
// traces (LiteLLM's "otel" callback): one span per call, "chat gpt-4o",
// with a child per upstream attempt, the caller's span as parent.
//
// The collector comes from LiteLLM's and the SDK's variables (OTEL_EXPORTER,
// OTEL_ENDPOINT, OTEL_HEADERS, OTEL_EXPORTER_OTLP_ENDPOINT, ...); without
// any, the program starts a local OTLP/HTTP receiver that prints the spans
// it decodes, so it runs offline on the built-in mock provider:
//
//	go run ./examples/otel
//	OTEL_ENDPOINT=http://localhost:4318 go run ./examples/otel   # a local collector, Jaeger, Phoenix...
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, getenv func(string) string) (err error) {
	cfg, err := otel.ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	var local *receiver
	if cfg.Endpoint == "" {
		local = &receiver{}
		srv := httptest.NewServer(local)
		defer srv.Close()
		cfg.Endpoint = srv.URL + "/v1/traces"
	}
	cfg.ServiceName = "otel-example"
	l, err := otel.NewExporter(ctx, cfg)
	if err != nil {
		return err
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		return err
	}

	// The caller's span: here a remote parent, as an incoming traceparent
	// header gives; with an SDK of your own, your tracer's span.
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true}))

	temp := 0.2
	resp, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Temperature: &temp,
		Messages: []llmux.Message{llmux.User("Hi")}, MockResponse: "Hello from the mock"})
	if err != nil {
		return errors.Join(err, c.Close(ctx))
	}
	fmt.Fprintf(w, "answer: %s\n", resp.Text())
	// Close delivers the queued events, then flushes and shuts the
	// exporter down: every span is sent when it returns.
	if err := c.Close(ctx); err != nil {
		return err
	}
	if local != nil {
		local.print(w)
	}
	return nil
}

// receiver is a minimal OTLP/HTTP collector keeping what it decodes.
type receiver struct {
	mu    sync.Mutex
	lines []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, err := io.ReadAll(req.Body)
	var in coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(b, &in)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range in.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				var attrs []string
				for _, kv := range sp.GetAttributes() {
					if strings.HasPrefix(kv.GetKey(), "gen_ai.") {
						attrs = append(attrs, kv.GetKey()+"="+value(kv.GetValue()))
					}
				}
				sort.Strings(attrs)
				parent := "none"
				if len(sp.GetParentSpanId()) > 0 {
					parent = fmt.Sprintf("%x", sp.GetParentSpanId())
				}
				r.lines = append(r.lines, fmt.Sprintf("span %q trace %x parent %s\n  %s", sp.GetName(), sp.GetTraceId(), parent, strings.Join(attrs, "\n  ")))
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// value formats an attribute value.
func value(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return strconv.Quote(x.StringValue)
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_ArrayValue:
		var out []string
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	return v.String()
}

func (r *receiver) print(w io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Strings(r.lines)
	for _, l := range r.lines {
		fmt.Fprintln(w, l)
	}
}
