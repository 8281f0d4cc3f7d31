package otel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/llmux/llmux"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/llmux/llmux/integration/otel"

// maxPending caps the calls whose attempts are remembered until their
// terminal event (a terminal event dropped by a full queue never comes).
const maxPending = 10000

// Logger turns llmux events into OpenTelemetry spans. It is safe for
// concurrent use.
type Logger struct {
	tracer trace.Tracer
	tp     trace.TracerProvider
	owned  *ownedProvider // set by NewExporter

	mu      sync.Mutex
	pending map[string]*callState
	order   []string // CallIDs in arrival order, for eviction (may hold taken ones)
}

var (
	_ llmux.PreAPICallLogger  = (*Logger)(nil)
	_ llmux.PostAPICallLogger = (*Logger)(nil)
	_ llmux.SuccessLogger     = (*Logger)(nil)
	_ llmux.FailureLogger     = (*Logger)(nil)
	_ llmux.Flusher           = (*Logger)(nil)
	_ llmux.Shutdowner        = (*Logger)(nil)
	_ llmux.Named             = (*Logger)(nil)
)

// callState holds what the attempts of one call reported.
type callState struct {
	attempts []*attempt
}

// attempt is one upstream attempt.
type attempt struct {
	number       int
	start, end   time.Time
	model, prov  string
	apiBase      string
	route        llmux.Route
	status       int
	err          error
	sawPostEvent bool
}

// New returns a logger creating spans with tp's tracer. Shutdown flushes
// tp when it has ForceFlush (as the SDK's) and leaves shutting it down to
// the caller.
func New(tp trace.TracerProvider) *Logger {
	return &Logger{
		tp:      tp,
		tracer:  tp.Tracer(ScopeName),
		pending: map[string]*callState{},
	}
}

// Name names the logger in the client's statistics.
func (l *Logger) Name() string { return "otel" }

// LogPreAPICall remembers the attempt's start, deployment and api_base.
func (l *Logger) LogPreAPICall(_ context.Context, e *llmux.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(e.CallID)
	st.attempts = append(st.attempts, &attempt{
		number: e.Attempt.Number, start: e.Attempt.StartTime, model: e.Model, prov: e.Provider,
		apiBase: e.Attempt.APIBase, route: e.Route,
	})
}

// LogPostAPICall ends the attempt: its status and error.
func (l *Logger) LogPostAPICall(_ context.Context, e *llmux.Event) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(e.CallID)
	a := st.find(e.Attempt.Number)
	if a == nil {
		a = &attempt{number: e.Attempt.Number, start: e.Attempt.StartTime, model: e.Model, prov: e.Provider,
			apiBase: e.Attempt.APIBase, route: e.Route}
		st.attempts = append(st.attempts, a)
	}
	a.end, a.status, a.err, a.sawPostEvent = now, e.StatusCode, e.Attempt.Err, true
}

// state returns the call's state, creating it; l.mu is held.
func (l *Logger) state(id string) *callState {
	st := l.pending[id]
	if st == nil {
		// order may hold ids already taken: skip them.
		for len(l.pending) >= maxPending && len(l.order) > 0 {
			delete(l.pending, l.order[0])
			l.order = l.order[1:]
		}
		if len(l.order) >= 2*maxPending {
			live := l.order[:0]
			for _, o := range l.order {
				if _, ok := l.pending[o]; ok {
					live = append(live, o)
				}
			}
			l.order = live
		}
		st = &callState{}
		l.pending[id] = st
		l.order = append(l.order, id)
	}
	return st
}

func (st *callState) find(n int) *attempt {
	for _, a := range st.attempts {
		if a.number == n {
			return a
		}
	}
	return nil
}

// take removes and returns the call's attempts.
func (l *Logger) take(id string) []*attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.pending[id]
	if st == nil {
		return nil
	}
	delete(l.pending, id) // its entry in order is skipped or compacted later
	return st.attempts
}

// LogSuccessEvent exports the call's span and its attempts' spans.
func (l *Logger) LogSuccessEvent(ctx context.Context, e *llmux.Event) { l.export(ctx, e) }

// LogFailureEvent exports the failed call's span, its status error.
func (l *Logger) LogFailureEvent(ctx context.Context, e *llmux.Event) { l.export(ctx, e) }

// Operation returns gen_ai.operation.name for a call type.
func Operation(ct llmux.CallType) string {
	switch ct {
	case llmux.CallEmbedding:
		return "embeddings"
	case llmux.CallTextCompletion:
		return "text_completion"
	}
	return "chat"
}

// ProviderName returns gen_ai.provider.name for an llmux provider name.
func ProviderName(p string) string {
	switch p {
	case "azure", "azure_ai":
		return "azure.ai.openai"
	case "bedrock":
		return "aws.bedrock"
	case "vertex_ai":
		return "gcp.vertex_ai"
	case "gemini":
		return "gcp.gemini"
	case "mistral":
		return "mistral_ai"
	case "watsonx":
		return "ibm.watsonx.ai"
	}
	return p
}

func (l *Logger) export(ctx context.Context, e *llmux.Event) {
	attempts := l.take(e.CallID)
	end := e.EndTime
	if end.IsZero() {
		end = time.Now()
	}
	start := e.StartTime
	if start.IsZero() || start.After(end) {
		start = end
	}
	op := Operation(e.CallType)
	reqModel := e.Model
	if e.UpstreamModel != "" {
		reqModel = e.UpstreamModel
	}
	if e.Route.ModelGroup != "" {
		reqModel = e.Route.ModelGroup
	}
	if len(attempts) > 0 && attempts[0].route.ModelGroup != "" {
		reqModel = attempts[0].route.ModelGroup // the group asked for, before any fallback
	}
	attrs := callAttributes(e, op, reqModel)
	if len(attempts) == 0 && e.Attempt.Number > 0 {
		// Pre/post events were not delivered (a success_callback or
		// failure_callback entry): the terminal event's latest attempt.
		attempts = []*attempt{{number: e.Attempt.Number, start: e.Attempt.StartTime, model: e.Model, prov: e.Provider,
			apiBase: e.Attempt.APIBase, route: e.Route, status: e.StatusCode}}
	}
	if n := len(attempts); n > 0 {
		attrs = append(attrs, hostAttributes(attempts[n-1].apiBase)...)
	}
	ctx, span := l.tracer.Start(ctx, op+" "+reqModel,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	for i, a := range attempts {
		aEnd := end
		if a.sawPostEvent && a.end.Before(aEnd) {
			aEnd = a.end
		}
		if i+1 < len(attempts) && !attempts[i+1].start.IsZero() && attempts[i+1].start.Before(aEnd) {
			aEnd = attempts[i+1].start
		}
		aStart := a.start
		if aStart.IsZero() || aStart.Before(start) {
			aStart = start
		}
		if aEnd.Before(aStart) {
			aEnd = aStart
		}
		l.attemptSpan(ctx, op, a, aStart, aEnd)
	}
	if !e.MessagesRedacted {
		if ev := messagesEvent(e); len(ev) > 0 {
			span.AddEvent(EventOperationDetails, trace.WithTimestamp(end), trace.WithAttributes(ev...))
		}
	}
	if e.Type == llmux.EventFailure || e.Err != nil {
		recordError(span, e.Err, end)
	}
	span.End(trace.WithTimestamp(end))
}

func (l *Logger) attemptSpan(ctx context.Context, op string, a *attempt, start, end time.Time) {
	attrs := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", op),
		attribute.String("gen_ai.provider.name", ProviderName(a.prov)),
		attribute.String("gen_ai.request.model", a.model),
		attribute.Int("llmux.attempt", a.number),
	}
	if a.route.Deployment != "" {
		attrs = append(attrs, attribute.String("llmux.deployment", a.route.Deployment))
	}
	if a.route.ModelID != "" {
		attrs = append(attrs, attribute.String("llmux.model_id", a.route.ModelID))
	}
	if a.route.ModelGroup != "" {
		attrs = append(attrs, attribute.String("llmux.model_group", a.route.ModelGroup))
	}
	if a.apiBase != "" {
		attrs = append(attrs, attribute.String("llmux.api_base", a.apiBase))
		attrs = append(attrs, hostAttributes(a.apiBase)...)
	}
	if a.status != 0 {
		attrs = append(attrs, attribute.Int("http.response.status_code", a.status))
	}
	_, span := l.tracer.Start(ctx, fmt.Sprintf("attempt %d %s", a.number, a.model),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	if a.err != nil {
		recordError(span, a.err, end)
	}
	span.End(trace.WithTimestamp(end))
}

// recordError marks span failed: status error, error.type and an
// exception event.
func recordError(span trace.Span, err error, at time.Time) {
	if err == nil {
		err = errors.New("call failed")
	}
	code := llmux.CodeOf(err)
	span.SetAttributes(attribute.String("error.type", code.String()))
	// As span.RecordError, with LiteLLM's exception class as the type.
	span.AddEvent("exception", trace.WithTimestamp(at), trace.WithAttributes(
		attribute.String("exception.type", code.ExceptionName()),
		attribute.String("exception.message", err.Error())))
	span.SetStatus(codes.Error, err.Error())
}

// hostAttributes gives server.address and server.port of a URL.
func hostAttributes(raw string) []attribute.KeyValue {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	host, port := u.Hostname(), u.Port()
	out := []attribute.KeyValue{attribute.String("server.address", host)}
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	if p, err := strconv.Atoi(port); err == nil {
		out = append(out, attribute.Int("server.port", p))
	}
	return out
}

// Flush exports the spans ended so far, when the provider can
// (ForceFlush).
func (l *Logger) Flush(ctx context.Context) error {
	if f, ok := l.tp.(interface{ ForceFlush(context.Context) error }); ok {
		return f.ForceFlush(ctx)
	}
	return nil
}

// Shutdown flushes; a provider built by [NewExporter] is shut down too
// (its exporter's connections closed). Calls made afterwards are not
// exported.
func (l *Logger) Shutdown(ctx context.Context) error {
	if l.owned != nil {
		return l.owned.tp.Shutdown(ctx)
	}
	return l.Flush(ctx)
}

// RequestContext returns r's context with the W3C trace context of its
// traceparent and tracestate headers, when valid, so the call's span
// continues the client's trace; the gateway calls it for each request.
func (l *Logger) RequestContext(r *http.Request) context.Context {
	return propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
}
