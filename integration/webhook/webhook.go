package webhook

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/jsonl"
)

// Log formats, LiteLLM's log_format values.
const (
	JSONArray = "json_array" // one JSON array of payloads per request (the default)
	NDJSON    = "ndjson"     // one payload per line
	Single    = "single"     // one request per payload, the payload object itself
)

// Logger posts standard logging payloads to an endpoint. It is safe for
// concurrent use.
type Logger struct {
	name     string
	endpoint string
	redacted string // endpoint with query values masked, for messages
	headers  http.Header
	gzip     bool
	format   string
	client   *http.Client
	qo       delivery.Options
	q        *delivery.Queue
}

var (
	_ llmux.SuccessLogger = (*Logger)(nil)
	_ llmux.FailureLogger = (*Logger)(nil)
	_ llmux.Flusher       = (*Logger)(nil)
	_ llmux.Shutdowner    = (*Logger)(nil)
	_ llmux.Named         = (*Logger)(nil)
)

// Option configures a [Logger].
type Option func(*Logger) error

// WithHeader adds a request header (default: only Content-Type:
// application/json, and Content-Encoding with gzip). Its value is sent to
// the endpoint only, never logged.
func WithHeader(key, value string) Option {
	return func(l *Logger) error {
		if key == "" {
			return errors.New("webhook: empty header name")
		}
		l.headers.Set(key, value)
		return nil
	}
}

// WithHeaders adds request headers, as [WithHeader] does for each.
func WithHeaders(h map[string]string) Option {
	return func(l *Logger) error {
		for k, v := range h {
			if err := WithHeader(k, v)(l); err != nil {
				return err
			}
		}
		return nil
	}
}

// WithGzip compresses request bodies (Content-Encoding: gzip); default off.
func WithGzip(on bool) Option {
	return func(l *Logger) error { l.gzip = on; return nil }
}

// WithLogFormat sets how a batch is encoded, LiteLLM's log_format:
// [JSONArray] (default), [NDJSON] or [Single] (batches of one, the
// payload object as the body; LiteLLM sends these in parallel, we send
// them in order).
func WithLogFormat(f string) Option {
	return func(l *Logger) error {
		switch f {
		case JSONArray, NDJSON, Single:
			l.format = f
			return nil
		}
		return fmt.Errorf("webhook: log format %q: want %s, %s or %s", f, JSONArray, NDJSON, Single)
	}
}

// WithHTTPClient sets the client for requests (default: a client with a
// 30 s timeout that does not follow redirects).
func WithHTTPClient(c *http.Client) Option {
	return func(l *Logger) error {
		if c == nil {
			return errors.New("webhook: nil http.Client")
		}
		l.client = c
		return nil
	}
}

// WithName names the logger and its delivery queue (default "webhook"),
// so two webhook loggers in one process keep apart in statistics,
// metrics and spool directories.
func WithName(name string) Option {
	return func(l *Logger) error {
		if name == "" {
			return errors.New("webhook: empty name")
		}
		l.name = name
		return nil
	}
}

// WithQueueOptions sets the delivery queue's options: batch size, flush
// interval, retries, spool (default: delivery's defaults). An empty Name
// takes the logger's name ([WithName]).
func WithQueueOptions(o delivery.Options) Option {
	return func(l *Logger) error {
		l.qo = o
		return nil
	}
}

// New returns a logger posting to endpoint (http or https) and starts its
// delivery queue; Shutdown (called by the client's Close) stops it.
func New(endpoint string, opts ...Option) (*Logger, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: endpoint %q: want an http or https URL", redact(endpoint))
	}
	l := &Logger{
		endpoint: endpoint,
		redacted: redact(endpoint),
		headers:  http.Header{},
		format:   JSONArray,
		client: &http.Client{
			Timeout: 30 * time.Second,
			// A redirect would turn the POST into a GET without its body:
			// a 3xx is the endpoint's answer (permanent, counted).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		name: "webhook",
	}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	if l.qo.Name == "" {
		l.qo.Name = l.name
	}
	if l.format == Single {
		l.qo.BatchSize = 1
	}
	l.headers.Set("Content-Type", "application/json")
	if l.gzip {
		l.headers.Set("Content-Encoding", "gzip")
	}
	q, err := delivery.New(delivery.SinkFunc(l.send), l.qo)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	l.q = q
	return l, nil
}

// redact masks the user info and query values of a URL, which may carry
// tokens.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User("***")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q.Set(k, "***")
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Name names the logger in the client's statistics and warnings.
func (l *Logger) Name() string { return l.name }

// Stats returns the delivery queue's counters.
func (l *Logger) Stats() delivery.Stats { return l.q.Stats() }

// LogSuccessEvent queues the call's standard logging payload.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.q.Add(jsonl.PayloadLine(e)) }

// LogFailureEvent queues the call's standard logging payload.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.q.Add(jsonl.PayloadLine(e)) }

// Flush sends what is queued and returns when it was delivered or
// dropped, or when ctx ends.
func (l *Logger) Flush(ctx context.Context) error { return l.q.Flush(ctx) }

// Shutdown sends what is queued and stops the queue (see
// [delivery.Queue.Close]).
func (l *Logger) Shutdown(ctx context.Context) error { return l.q.Close(ctx) }

// body encodes one batch.
func (l *Logger) body(batch []delivery.Record) ([]byte, error) {
	var raw bytes.Buffer
	switch l.format {
	case Single:
		for _, r := range batch { // one record: BatchSize is 1
			raw.Write(r)
		}
	case NDJSON:
		for _, r := range batch {
			raw.Write(r)
			raw.WriteByte('\n')
		}
	default:
		raw.WriteByte('[')
		for i, r := range batch {
			if i > 0 {
				raw.WriteByte(',')
			}
			raw.Write(r)
		}
		raw.WriteByte(']')
	}
	if !l.gzip {
		return raw.Bytes(), nil
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

// send is the queue's sink: one POST per batch.
func (l *Logger) send(ctx context.Context, batch []delivery.Record) error {
	b, err := l.body(batch)
	if err != nil {
		return fmt.Errorf("webhook: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	for k, v := range l.headers {
		req.Header[k] = v
	}
	resp, err := l.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: l.redacted, Err: ue.Err}
		}
		return delivery.Retryable(fmt.Errorf("webhook: %w", err), 0)
	}
	defer resp.Body.Close()
	return delivery.HTTPError(resp)
}

// FromEnv builds a logger from the environment LiteLLM's generic API
// logger reads (getenv; see the package doc for the variables); opts
// apply after the environment's (the gateway passes [WithName] with the
// config's name, which also names the spool subdirectory).
func FromEnv(getenv func(string) string, opts ...Option) (*Logger, error) {
	name := "webhook"
	probe := &Logger{name: name, headers: http.Header{}}
	for _, o := range opts {
		_ = o(probe)
	}
	name = probe.name
	endpoint := getenv("GENERIC_LOGGER_ENDPOINT")
	if endpoint == "" {
		return nil, errors.New("webhook: GENERIC_LOGGER_ENDPOINT is not set")
	}
	var envOpts []Option
	if h := getenv("GENERIC_LOGGER_HEADERS"); h != "" {
		hs, err := ParseHeaders(h)
		if err != nil {
			return nil, err
		}
		envOpts = append(envOpts, WithHeaders(hs))
	}
	if v := getenv("LLMUX_WEBHOOK_GZIP"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("webhook: LLMUX_WEBHOOK_GZIP=%q: want true or false", v)
		}
		envOpts = append(envOpts, WithGzip(on))
	}
	if v := getenv("LLMUX_WEBHOOK_LOG_FORMAT"); v != "" {
		envOpts = append(envOpts, WithLogFormat(v))
	}
	qo, err := delivery.FromEnv(name, getenv)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if v := getenv("LLMUX_WEBHOOK_BATCH_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("webhook: LLMUX_WEBHOOK_BATCH_SIZE=%q: want a positive number", v)
		}
		qo.BatchSize = n
	}
	envOpts = append(envOpts, WithQueueOptions(qo))
	return New(endpoint, append(envOpts, opts...)...)
}

// ParseHeaders parses GENERIC_LOGGER_HEADERS: "Key1=value1,Key2=value2",
// spaces around keys and values trimmed; a value may contain "=".
func ParseHeaders(s string) (map[string]string, error) {
	h := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(k) == "" {
			// Do not echo the item: it may hold a token.
			return nil, errors.New("webhook: GENERIC_LOGGER_HEADERS: want Key=value pairs separated by commas")
		}
		h[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return h, nil
}
