package otel

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux/provider"
	"go.opentelemetry.io/otel"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The OTLP transport: an otlptrace.Client that sends export requests over
// OTLP/HTTP (protobuf) or OTLP/gRPC.
//
// The OTel SDK, its batch processor and its otlptrace exporter (the span
// to protobuf conversion) are used as they come; only the last step,
// posting the encoded request, is ours. The SDK's own transports
// (otlptracehttp, otlptracegrpc) import the OTLP collector package, which
// imports google.golang.org/grpc, which imports golang.org/x/net/trace,
// whose init puts html/template into every binary. That turns off the
// linker's dead-method elimination for the whole program: measured on
// bench/gateway, +17 MB of binary and +5.6 MB of resident memory for
// every gateway, whether it exports traces or not. An export request is
// one repeated field and gRPC's framing is five bytes, so the transport is
// written here, against the OTLP specification
// (https://opentelemetry.io/docs/specs/otlp/), and tested against a real
// gRPC server and an HTTP receiver.

const (
	grpcExportPath   = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	maxResponseBytes = 4 << 20
	userAgent        = "llmux-otlp"
)

// Retry schedule of a failed export (the OTLP exporters' defaults): the
// first wait, the longest wait and the total time spent retrying.
var (
	retryInitial = 5 * time.Second
	retryMax     = 30 * time.Second
	retryElapsed = time.Minute
)

// otlpClient posts export requests to one collector.
type otlpClient struct {
	grpc     bool
	url      string // the traces URL (HTTP) or the Export method's URL (gRPC)
	headers  map[string]string
	gzip     bool
	timeout  time.Duration
	hc       *http.Client
	endpoint string // for errors, without user info or query
}

// newOTLPClient checks the endpoint and builds the client for cfg, whose
// Protocol, Endpoint and Timeout are set.
func newOTLPClient(cfg Config) (*otlpClient, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("endpoint %q: want an http:// or https:// URL", redactURL(cfg.Endpoint))
	}
	c := &otlpClient{grpc: cfg.Protocol == ProtocolGRPC, headers: cfg.Headers, gzip: cfg.Gzip, timeout: cfg.Timeout,
		endpoint: redactURL(cfg.Endpoint)}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.TLS != nil {
		t.TLSClientConfig = cfg.TLS.Clone()
	}
	if c.grpc {
		// gRPC is HTTP/2 only: with TLS (ALPN h2) for https, without
		// (prior knowledge) for http, as the gRPC exporters do.
		var p http.Protocols
		if u.Scheme == "http" {
			p.SetUnencryptedHTTP2(true)
		} else {
			p.SetHTTP2(true)
		}
		t.Protocols = &p
		c.url = u.Scheme + "://" + u.Host + grpcExportPath
	} else {
		c.url = u.String()
	}
	c.hc = &http.Client{Transport: t}
	return c, nil
}

// Start implements otlptrace.Client.
func (c *otlpClient) Start(context.Context) error { return nil }

// Stop implements otlptrace.Client: it closes idle connections.
func (c *otlpClient) Stop(context.Context) error {
	c.hc.CloseIdleConnections()
	return nil
}

// UploadTraces implements otlptrace.Client: it sends one export request,
// retrying what the specification calls retryable (HTTP 429, 502, 503,
// 504; gRPC UNAVAILABLE, RESOURCE_EXHAUSTED and the like) with
// exponential backoff, or after the server's Retry-After, for up to a
// minute and never past ctx.
func (c *otlpClient) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := encodeExportRequest(spans, c.gzip)
	if err != nil {
		return err
	}
	if c.grpc {
		body = grpcFrame(body, c.gzip)
	}
	start := time.Now()
	wait := retryInitial
	for {
		err := c.send(ctx, body)
		var re *retryableError
		if err == nil || !errors.As(err, &re) {
			return err
		}
		d := wait
		if re.after > 0 {
			d = re.after
		} else {
			d = d/2 + rand.N(d/2+1) // jitter: [d/2, d]
		}
		if time.Since(start)+d > retryElapsed {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (retry cut short: %w)", err, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, retryMax)
	}
}

// retryableError is an export failure worth retrying, with the delay the
// server asked for, if any.
type retryableError struct {
	err   error
	after time.Duration
}

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// send makes one attempt.
func (c *otlpClient) send(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", userAgent)
	if c.grpc {
		req.Header.Set("Content-Type", "application/grpc")
		req.Header.Set("Te", "trailers")
		req.Header.Set("Grpc-Timeout", strconv.FormatInt(max(c.timeout.Milliseconds(), 1), 10)+"m")
		req.Header.Set("Grpc-Accept-Encoding", "gzip")
		if c.gzip {
			req.Header.Set("Grpc-Encoding", "gzip")
		}
	} else {
		req.Header.Set("Content-Type", "application/x-protobuf")
		if c.gzip {
			req.Header.Set("Content-Encoding", "gzip")
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// The collector is down or the attempt timed out: worth retrying
		// while the caller's context lasts.
		// The transport's error names the full URL, whose query may hold a
		// token: keep what went wrong, and name the redacted endpoint.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &retryableError{err: fmt.Errorf("export to %s: %w", c.endpoint, err)}
	}
	defer resp.Body.Close()
	rb, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if c.grpc {
		return c.grpcResult(resp, rb, rerr)
	}
	return c.httpResult(resp, rb, rerr)
}

// httpResult interprets an OTLP/HTTP answer.
func (c *otlpClient) httpResult(resp *http.Response, body []byte, rerr error) error {
	if resp.StatusCode/100 == 2 {
		if rerr == nil {
			reportPartialSuccess(body)
		}
		return nil
	}
	err := fmt.Errorf("export to %s: HTTP %d%s", c.endpoint, resp.StatusCode, statusDetail(body))
	if retryableStatus(resp.StatusCode) {
		return &retryableError{err: err, after: provider.RetryAfter(resp.Header)}
	}
	return err
}

// retryableStatus reports whether the OTLP specification retries an HTTP
// status: 429, 502, 503 and 504.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// grpcResult interprets an OTLP/gRPC answer: the status is in the
// trailers, or in the headers of a trailers-only answer.
func (c *otlpClient) grpcResult(resp *http.Response, body []byte, rerr error) error {
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("export to %s: HTTP %d from a gRPC endpoint", c.endpoint, resp.StatusCode)
		if retryableStatus(resp.StatusCode) {
			return &retryableError{err: err}
		}
		return err
	}
	status := resp.Trailer.Get("Grpc-Status")
	msg := resp.Trailer.Get("Grpc-Message")
	if status == "" {
		status, msg = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	if status == "" {
		if rerr != nil {
			return &retryableError{err: fmt.Errorf("export to %s: reading the answer: %w", c.endpoint, rerr)}
		}
		return fmt.Errorf("export to %s: the answer has no grpc-status", c.endpoint)
	}
	code, err := strconv.Atoi(status)
	if err != nil {
		return fmt.Errorf("export to %s: bad grpc-status %q", c.endpoint, status)
	}
	if code == 0 {
		if msg, err := grpcUnframe(body, resp.Header.Get("Grpc-Encoding")); err == nil {
			reportPartialSuccess(msg)
		}
		return nil
	}
	if m, err := url.PathUnescape(msg); err == nil {
		msg = m
	}
	e := fmt.Errorf("export to %s: gRPC status %d (%s): %s", c.endpoint, code, grpcCodeName(code), provider.Truncate(msg, 300))
	switch code {
	case 1, 4, 8, 10, 11, 14, 15: // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS
		return &retryableError{err: e}
	}
	return e
}

// encodeExportRequest encodes an ExportTraceServiceRequest: field 1,
// resource_spans, repeated; gzipped when asked.
func encodeExportRequest(spans []*tracepb.ResourceSpans, gz bool) ([]byte, error) {
	var b []byte
	opts := proto.MarshalOptions{UseCachedSize: true}
	for _, rs := range spans {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(opts.Size(rs)))
		var err error
		if b, err = opts.MarshalAppend(b, rs); err != nil {
			return nil, fmt.Errorf("encoding spans: %w", err)
		}
	}
	if !gz {
		return b, nil
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// grpcFrame puts msg in a gRPC length-prefixed message: a compressed flag
// and a big-endian length.
func grpcFrame(msg []byte, compressed bool) []byte {
	out := make([]byte, 5, 5+len(msg))
	if compressed {
		out[0] = 1
	}
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	return append(out, msg...)
}

// grpcUnframe returns the message of a one-message gRPC body.
func grpcUnframe(b []byte, encoding string) ([]byte, error) {
	if len(b) < 5 {
		return nil, io.ErrUnexpectedEOF
	}
	n := binary.BigEndian.Uint32(b[1:5])
	if uint32(len(b)-5) < n {
		return nil, io.ErrUnexpectedEOF
	}
	msg := b[5 : 5+n]
	if b[0] == 0 {
		return msg, nil
	}
	if encoding != "gzip" {
		return nil, fmt.Errorf("compressed answer in %q", encoding)
	}
	r, err := gzip.NewReader(bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(r, maxResponseBytes))
}

// reportPartialSuccess reports, through the OTel error handler as the
// SDK's exporters do, spans the collector accepted the request for but
// rejected: ExportTraceServiceResponse.partial_success (field 1) with
// rejected_spans (1) and error_message (2).
func reportPartialSuccess(b []byte) {
	ps := protoField(b, 1)
	rejected, _ := protowire.ConsumeVarint(protoField(ps, 1)) // 0 when absent
	msg := string(protoField(ps, 2))
	if rejected > 0 || msg != "" {
		otel.Handle(fmt.Errorf("otel: the collector rejected %d spans: %s", rejected, provider.Truncate(msg, 300)))
	}
}

// protoField returns the value of the last field num in the protobuf
// message b: the contents of a length-delimited field, the encoded value of
// any other; nil when absent or b is malformed.
func protoField(b []byte, num protowire.Number) (v []byte) {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return nil
		}
		b = b[l:]
		m := protowire.ConsumeFieldValue(n, typ, b)
		if m < 0 {
			return nil
		}
		if n == num {
			v = b[:m]
			if typ == protowire.BytesType {
				v, _ = protowire.ConsumeBytes(v)
			}
		}
		b = b[m:]
	}
	return v
}

// statusDetail is a short rendering of an error answer's body.
func statusDetail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" || !isPrintable(s) {
		return ""
	}
	return ": " + provider.Truncate(s, 300)
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

var grpcCodes = [...]string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

func grpcCodeName(c int) string {
	if c >= 0 && c < len(grpcCodes) {
		return grpcCodes[c]
	}
	return "code " + strconv.Itoa(c)
}
