package otel_test

import (
	"context"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// span is one decoded span with its resource's service.name.
type span struct {
	*tracepb.Span
	service string
}

// attrs returns the span's attributes as Go values (string, int64,
// float64, bool, []any).
func (s span) attrs() map[string]any { return attrMap(s.GetAttributes()) }

func (s span) traceID() string  { return hex.EncodeToString(s.GetTraceId()) }
func (s span) spanID() string   { return hex.EncodeToString(s.GetSpanId()) }
func (s span) parentID() string { return hex.EncodeToString(s.GetParentSpanId()) }

func attrMap(kvs []*commonpb.KeyValue) map[string]any {
	out := map[string]any{}
	for _, kv := range kvs {
		out[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return out
}

func anyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, anyValue(e))
		}
		return out
	}
	return nil
}

// collector gathers the spans of decoded export requests.
type collector struct {
	mu      sync.Mutex
	spans   []span
	headers []map[string]string
}

func (c *collector) add(req *coltracepb.ExportTraceServiceRequest, h map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headers = append(c.headers, h)
	for _, rs := range req.GetResourceSpans() {
		svc, _ := attrMap(rs.GetResource().GetAttributes())["service.name"].(string)
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				c.spans = append(c.spans, span{Span: sp, service: svc})
			}
		}
	}
}

func (c *collector) all() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]span(nil), c.spans...)
}

func (c *collector) lastHeaders() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.headers) == 0 {
		return nil
	}
	return c.headers[len(c.headers)-1]
}

// httpReceiver is an OTLP/HTTP collector: POST /v1/traces with an
// ExportTraceServiceRequest in protobuf.
func httpReceiver(t *testing.T) (*collector, *httptest.Server) {
	t.Helper()
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want POST /v1/traces application/x-protobuf", http.StatusBadRequest)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h := map[string]string{}
		for k := range r.Header {
			h[http.CanonicalHeaderKey(k)] = r.Header.Get(k)
		}
		c.add(&req, h)
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return c, srv
}

// grpcTraceService is an OTLP/gRPC collector.
type grpcTraceService struct {
	coltracepb.UnimplementedTraceServiceServer
	c *collector
}

func (g *grpcTraceService) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	h := map[string]string{}
	md, _ := metadata.FromIncomingContext(ctx)
	for k, v := range md {
		if len(v) > 0 {
			h[k] = v[0]
		}
	}
	g.c.add(req, h)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// grpcReceiver serves the TraceService on a local port; it returns the
// collector and the endpoint URL.
func grpcReceiver(t *testing.T) (*collector, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	s := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(s, &grpcTraceService{c: c})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Stop()
		<-done
	})
	return c, "http://" + ln.Addr().String()
}

// waitSpans waits until the collector holds at least n spans.
func waitSpans(t *testing.T, c *collector, n int) []span {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := c.all()
		if len(s) >= n || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}
