package otel_test

import (
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	otelapi "go.opentelemetry.io/otel"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the receiver accepts gzip
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// exportOne makes one call through a logger built by NewExporter with cfg
// and shuts the logger down, which flushes the batch; it returns the
// logger for its SinkStats.
func exportOne(t *testing.T, cfg otel.Config) *otel.Logger {
	t.Helper()
	ctx := context.Background()
	l, err := otel.NewExporter(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_ = l.Shutdown(ctx)
	return l
}

// TestHTTP_GzipRequestIsAnExportRequest: with Gzip the body is a gzipped
// ExportTraceServiceRequest sent with Content-Encoding: gzip.
func TestHTTP_GzipRequestIsAnExportRequest(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want gzip protobuf", http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(zr)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				got.Add(int64(len(ss.GetSpans())))
			}
		}
	}))
	defer srv.Close()
	l := exportOne(t, otel.Config{Endpoint: srv.URL + "/v1/traces", Gzip: true})
	if got.Load() < 2 {
		t.Fatalf("receiver decoded %d spans, want the call span and its attempt", got.Load())
	}
	if st := l.SinkStats(); st.Delivered != uint64(got.Load()) || st.Dropped["export_failed"] != 0 {
		t.Errorf("SinkStats %+v, want %d delivered", st, got.Load())
	}
}

// TestHTTP_RetryableStatusIsRetried: 503 and 429 (with Retry-After: 0)
// are retried until the export succeeds; a 400 is not retried and its
// spans count as failed.
func TestHTTP_RetryableStatusIsRetried(t *testing.T) {
	defer otel.SetRetryForTest(time.Millisecond, 5*time.Millisecond, 10*time.Second)()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch calls.Add(1) {
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "0")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	l := exportOne(t, otel.Config{Endpoint: srv.URL + "/v1/traces"})
	if calls.Load() != 3 {
		t.Errorf("%d export requests, want 3 (503, 429, 200)", calls.Load())
	}
	if st := l.SinkStats(); st.Delivered == 0 || st.Dropped["export_failed"] != 0 {
		t.Errorf("SinkStats %+v, want all delivered", st)
	}

	calls.Store(0)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "malformed", http.StatusBadRequest)
	}))
	defer bad.Close()
	var handled []error
	var mu sync.Mutex
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) { mu.Lock(); handled = append(handled, err); mu.Unlock() }))
	defer otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(error) {}))
	l = exportOne(t, otel.Config{Endpoint: bad.URL + "/v1/traces"})
	if calls.Load() != 1 {
		t.Errorf("%d export requests for a 400, want 1", calls.Load())
	}
	if st := l.SinkStats(); st.Delivered != 0 || st.Dropped["export_failed"] == 0 {
		t.Errorf("SinkStats %+v, want the spans counted as export_failed", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) == 0 || !strings.Contains(handled[0].Error(), "HTTP 400: malformed") {
		t.Errorf("error handler got %v, want the 400 with its body", handled)
	}
}

// TestHTTP_PartialSuccessIsReported: rejected spans in a 200 answer reach
// the OTel error handler, as the SDK's exporters report them.
func TestHTTP_PartialSuccessIsReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{
			RejectedSpans: 1, ErrorMessage: "span too old"}})
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	var handled atomic.Value
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) { handled.Store(err.Error()) }))
	defer otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(error) {}))
	exportOne(t, otel.Config{Endpoint: srv.URL + "/v1/traces"})
	if got, _ := handled.Load().(string); got != "otel: the collector rejected 1 spans: span too old" {
		t.Errorf("error handler got %q", got)
	}
}

// flakyTraceService fails its first n exports with code, then accepts.
type flakyTraceService struct {
	coltracepb.UnimplementedTraceServiceServer
	n     int64
	code  codes.Code
	calls atomic.Int64
	spans atomic.Int64
	enc   atomic.Value
}

func (f *flakyTraceService) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	if f.calls.Add(1) <= f.n {
		return nil, status.Error(f.code, "collector says no: ünïcode")
	}
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			f.spans.Add(int64(len(ss.GetSpans())))
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// compression records the compression of incoming requests.
type compression struct{ enc *atomic.Value }

func (c compression) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (c compression) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (c compression) HandleConn(context.Context, stats.ConnStats)                       {}
func (c compression) HandleRPC(_ context.Context, s stats.RPCStats) {
	if h, ok := s.(*stats.InHeader); ok {
		c.enc.Store(h.Compression)
	}
}

func serveGRPC(t *testing.T, svc *flakyTraceService) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.StatsHandler(compression{&svc.enc}))
	coltracepb.RegisterTraceServiceServer(s, svc)
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Stop(); <-done })
	return "http://" + ln.Addr().String()
}

// TestGRPC_GzipAndRetry: over gRPC with gzip, UNAVAILABLE is retried and
// the export then lands, compressed; UNAUTHENTICATED is not retried and
// its message (percent-decoded) reaches the error handler.
func TestGRPC_GzipAndRetry(t *testing.T) {
	defer otel.SetRetryForTest(time.Millisecond, 5*time.Millisecond, 10*time.Second)()
	svc := &flakyTraceService{n: 2, code: codes.Unavailable}
	l := exportOne(t, otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: serveGRPC(t, svc), Gzip: true})
	if svc.calls.Load() != 3 || svc.spans.Load() < 2 {
		t.Errorf("%d exports, %d spans; want 3 exports (2 UNAVAILABLE) and the spans", svc.calls.Load(), svc.spans.Load())
	}
	if enc, _ := svc.enc.Load().(string); enc != "gzip" {
		t.Errorf("grpc-encoding %q, want gzip", enc)
	}
	if st := l.SinkStats(); st.Delivered != uint64(svc.spans.Load()) {
		t.Errorf("SinkStats %+v", st)
	}

	denied := &flakyTraceService{n: 100, code: codes.Unauthenticated}
	var handled atomic.Value
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) { handled.Store(err.Error()) }))
	defer otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(error) {}))
	l = exportOne(t, otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: serveGRPC(t, denied)})
	if denied.calls.Load() != 1 {
		t.Errorf("%d exports for UNAUTHENTICATED, want 1", denied.calls.Load())
	}
	if got, _ := handled.Load().(string); !strings.Contains(got, "gRPC status 16 (UNAUTHENTICATED): collector says no: ünïcode") {
		t.Errorf("error handler got %q", got)
	}
	if st := l.SinkStats(); st.Dropped["export_failed"] == 0 {
		t.Errorf("SinkStats %+v, want export_failed", st)
	}
}

// TestGRPC_TrailersOnlyAndBadFrames drives the client with a hand-written
// HTTP/2 server: a trailers-only error, then an OK answer whose status is
// in the trailers. It checks the request the client sends: method path,
// content type, te, grpc-timeout and a well-formed frame.
func TestGRPC_TrailersOnlyAndBadFrames(t *testing.T) {
	var calls atomic.Int64
	var reqErr atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch {
		case r.ProtoMajor != 2:
			reqErr.Store("not HTTP/2")
		case r.URL.Path != "/opentelemetry.proto.collector.trace.v1.TraceService/Export":
			reqErr.Store("path " + r.URL.Path)
		case r.Header.Get("Content-Type") != "application/grpc" || r.Header.Get("Te") != "trailers" || r.Header.Get("Grpc-Timeout") != "2000m":
			reqErr.Store(fmt.Sprint("headers ", r.Header))
		case len(b) < 5 || b[0] != 0 || int(binary.BigEndian.Uint32(b[1:5])) != len(b)-5:
			reqErr.Store("bad frame")
		}
		w.Header().Set("Content-Type", "application/grpc")
		if calls.Add(1) == 1 {
			w.Header().Set("Grpc-Status", "3")
			w.Header().Set("Grpc-Message", "bad%20request")
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Trailer", "Grpc-Status")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte{0, 0, 0, 0, 0}) // an empty ExportTraceServiceResponse
		w.Header().Set("Grpc-Status", "0")
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	var handled atomic.Value
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) { handled.Store(err.Error()) }))
	defer otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(error) {}))
	cfg := otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: srv.URL, Timeout: 2 * time.Second}
	first := exportOne(t, cfg)
	second := exportOne(t, cfg)
	if e, _ := reqErr.Load().(string); e != "" {
		t.Fatalf("request: %s", e)
	}
	if got, _ := handled.Load().(string); !strings.Contains(got, "gRPC status 3 (INVALID_ARGUMENT): bad request") {
		t.Errorf("error handler got %q", got)
	}
	if st := first.SinkStats(); st.Dropped["export_failed"] == 0 {
		t.Errorf("trailers-only error: SinkStats %+v", st)
	}
	if st := second.SinkStats(); st.Delivered == 0 || st.Dropped["export_failed"] != 0 {
		t.Errorf("OK in trailers: SinkStats %+v", st)
	}
}

// TestNewExporter_BadEndpoint names the endpoint.
func TestNewExporter_BadEndpoint(t *testing.T) {
	for _, ep := range []string{"localhost:4317", "ftp://collector/v1/traces", "http://"} {
		_, err := otel.NewExporter(context.Background(), otel.Config{Protocol: otel.ProtocolGRPC, Endpoint: ep})
		if err == nil || !strings.Contains(err.Error(), "want an http:// or https:// URL") {
			t.Errorf("%q: err %v", ep, err)
		}
	}
}

// TestTransportError_NamesTheRedactedEndpoint: a collector that cannot be
// reached is retried, then reported with the endpoint's redacted name;
// the query's token is in no message.
func TestTransportError_NamesTheRedactedEndpoint(t *testing.T) {
	defer otel.SetRetryForTest(time.Millisecond, time.Millisecond, 20*time.Millisecond)()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	var handled atomic.Value
	otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(err error) { handled.Store(err.Error()) }))
	defer otelapi.SetErrorHandler(otelapi.ErrorHandlerFunc(func(error) {}))
	l := exportOne(t, otel.Config{Endpoint: "http://" + addr + "/v1/traces?token=s3cret"})
	got, _ := handled.Load().(string)
	if !strings.Contains(got, "export to http://"+addr+"/v1/traces: ") || strings.Contains(got, "s3cret") {
		t.Errorf("error handler got %q", got)
	}
	if st := l.SinkStats(); st.Dropped["export_failed"] == 0 {
		t.Errorf("SinkStats %+v, want export_failed", st)
	}
}
