package otel

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux/integration/delivery"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The protocols of [Config.Protocol].
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// Config configures the exporter [NewExporter] builds. Zero values take
// the defaults documented on each field.
type Config struct {
	// Protocol is ProtocolHTTP (default) or ProtocolGRPC.
	Protocol string
	// Endpoint is the collector's URL: for HTTP the full traces URL
	// (default http://localhost:4318/v1/traces), for gRPC
	// scheme://host:port (default http://localhost:4317). An http:// URL
	// is sent without TLS.
	Endpoint string
	// Headers are sent with every export (authentication).
	Headers map[string]string
	// ServiceName is the service.name resource attribute (default "llmux").
	ServiceName string
	// Timeout bounds one export request (default 10 s); the exporter
	// retries a failed export for up to a minute.
	Timeout time.Duration
	// BatchTimeout is how long a span may wait for its batch (default 5 s,
	// the SDK's).
	BatchTimeout time.Duration
	// MaxQueueSize caps the spans waiting for export or being exported
	// (default 2048, the SDK's); a span ended when it is full is dropped
	// and counted ([Logger.SinkStats]), the logger never waits.
	MaxQueueSize int
	// Gzip compresses export requests.
	Gzip bool
	// TLS is the TLS configuration for an https:// endpoint: RootCAs for
	// a collector whose certificate a private CA signed, Certificates for
	// mutual TLS. Nil trusts the system's roots and sends no client
	// certificate. The exporter uses a copy; ALPN is set for gRPC.
	// [ConfigFromEnv] fills it from OTEL_EXPORTER_OTLP_CERTIFICATE and
	// OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE/_CLIENT_KEY.
	TLS *tls.Config
}

// ownedProvider is the SDK provider NewExporter built, with its counters.
type ownedProvider struct {
	tp                                 *sdktrace.TracerProvider
	name                               string
	max                                int64
	ended, exported, failed, queueFull atomic.Uint64
	inflight                           atomic.Int64 // handed to the batch processor, not yet exported or failed
}

// NewExporter returns a logger exporting to an OTLP collector through an
// SDK TracerProvider it builds (the SDK's OTLP exporter over llmux's
// OTLP/HTTP or gRPC transport, batch span processor); Shutdown flushes and shuts that provider down.
func NewExporter(ctx context.Context, cfg Config) (*Logger, error) {
	if cfg.ServiceName == "" {
		cfg.ServiceName = "llmux"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	switch cfg.Protocol {
	case "", ProtocolHTTP:
		cfg.Protocol = ProtocolHTTP
		if cfg.Endpoint == "" {
			cfg.Endpoint = "http://localhost:4318/v1/traces"
		}
	case ProtocolGRPC:
		if cfg.Endpoint == "" {
			cfg.Endpoint = "http://localhost:4317"
		}
	default:
		return nil, fmt.Errorf("otel: unknown protocol %q (want %q or %q)", cfg.Protocol, ProtocolHTTP, ProtocolGRPC)
	}
	client, err := newOTLPClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("otel: %w", err)
	}
	exp, err := otlptrace.New(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("otel: exporter: %w", err)
	}
	if cfg.MaxQueueSize <= 0 {
		cfg.MaxQueueSize = 2048
	}
	owned := &ownedProvider{name: "otel:" + redactURL(cfg.Endpoint), max: int64(cfg.MaxQueueSize)}
	bopts := []sdktrace.BatchSpanProcessorOption{sdktrace.WithMaxQueueSize(cfg.MaxQueueSize)}
	if cfg.BatchTimeout > 0 {
		bopts = append(bopts, sdktrace.WithBatchTimeout(cfg.BatchTimeout))
	}
	bsp := sdktrace.NewBatchSpanProcessor(countingExporter{exp, owned}, bopts...)
	res := resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName))
	owned.tp = sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(gate{bsp, owned}),
	)
	l := New(owned.tp)
	l.owned = owned
	return l, nil
}

// SinkStats reports the spans of a provider built by [NewExporter], with
// Emitted = Delivered + Dropped + Queued at every moment: Emitted spans
// ended, Delivered spans the collector acknowledged,
// Dropped["queue_full"] spans refused because MaxQueueSize spans were
// already waiting or being exported (a collector slower than the calls),
// Dropped["export_failed"] spans of exports that failed after the
// exporter's retries, Queued the spans waiting or being exported. The
// zero Stats for a logger made with [New].
func (l *Logger) SinkStats() delivery.Stats {
	o := l.owned
	if o == nil {
		return delivery.Stats{Name: "otel"}
	}
	// Read the outcomes before ended, so Queued is never negative.
	s := delivery.Stats{Name: o.name, Delivered: o.exported.Load(),
		Dropped: map[string]uint64{"export_failed": o.failed.Load(), delivery.DropQueueFull: o.queueFull.Load()}}
	s.Emitted = o.ended.Load()
	if done := s.Delivered + s.Dropped["export_failed"] + s.Dropped[delivery.DropQueueFull]; s.Emitted > done {
		s.Queued = s.Emitted - done
	}
	return s
}

// gate counts the spans ended and hands them to the batch processor
// while fewer than max are waiting or being exported; it drops (and
// counts) the others, so the processor never drops one silently and the
// logger never waits.
type gate struct {
	next sdktrace.SpanProcessor
	o    *ownedProvider
}

func (g gate) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) { g.next.OnStart(ctx, s) }

func (g gate) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return // the batch processor ignores these too
	}
	g.o.ended.Add(1)
	if g.o.inflight.Add(1) > g.o.max {
		g.o.inflight.Add(-1)
		g.o.queueFull.Add(1)
		return
	}
	g.next.OnEnd(s)
}

func (g gate) Shutdown(ctx context.Context) error   { return g.next.Shutdown(ctx) }
func (g gate) ForceFlush(ctx context.Context) error { return g.next.ForceFlush(ctx) }

// countingExporter counts what its exporter delivered or lost.
type countingExporter struct {
	sdktrace.SpanExporter
	o *ownedProvider
}

func (c countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := c.SpanExporter.ExportSpans(ctx, spans)
	if err != nil {
		c.o.failed.Add(uint64(len(spans)))
	} else {
		c.o.exported.Add(uint64(len(spans)))
	}
	c.o.inflight.Add(-int64(len(spans)))
	return err
}

// redactURL drops a URL's user info and query (never a secret in a name).
func redactURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.LastIndex(u[i+3:], "@"); j >= 0 {
			u = u[:i+3] + u[i+3+j+1:]
		}
	}
	return u
}
