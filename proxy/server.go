package proxy

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/later"
	"github.com/llmux/llmux/internal/stage"
)

// Server is the gateway: an http.Handler that serves OpenAI's and
// Anthropic's APIs over one llmux client. Every request is one llmux call,
// with its events, cost, cache and middleware. A Server is safe for
// concurrent use; Close it to flush its loggers.
type Server struct {
	set     settings
	client  *llmux.Client
	hooks   *hookSet
	models  Models
	mux     *http.ServeMux
	log     *slog.Logger
	streams chan struct{} // a token per stream served, when bounded
	keySum  [sha256.Size]byte
	keyHash string // hex SHA-256 of the master key
	// reqCtx are the loggers that read a request's trace context.
	reqCtx  []requestContexter
	closing atomic.Bool
	// inflight counts handlers running, so shutdown closes the client
	// (flushing the loggers) only after the last one emitted its events.
	inflight sync.WaitGroup
}

// New builds a gateway. Without options it serves every model name the
// client resolves; give providers with [WithClientOptions] (package
// proxy/config builds everything from LiteLLM's config.yaml).
func New(opts ...Option) (*Server, error) {
	set := settings{
		maxBodySize:       DefaultMaxBodySize,
		readHeaderTimeout: DefaultReadHeaderTimeout,
		idleTimeout:       DefaultIdleTimeout,
		shutdownTimeout:   DefaultShutdownTimeout,
	}
	for _, o := range opts {
		if err := o(&set); err != nil {
			return nil, err
		}
	}
	if set.log == nil {
		set.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if set.config != nil {
		if err := set.applyConfig(); err != nil {
			closeAll(set.closers)
			return nil, err
		}
	}
	s := &Server{set: set, log: set.log, hooks: newHookSet(set.hooks, set.log)}
	var mw []llmux.Middleware
	if !s.hooks.empty() {
		mw = append(mw, s.hooks.middleware())
	}
	if set.router != nil {
		mw = append(mw, set.router.Middleware())
	}
	copts := append([]llmux.Option{llmux.WithLog(set.log)}, set.clientOpts...)
	if len(set.callbacks) > 0 {
		copts = append(copts, llmux.WithCallbacks(set.callbacks...))
	}
	if len(mw) > 0 {
		copts = append(copts, llmux.WithMiddleware(mw...))
	}
	c, err := llmux.New(copts...)
	if err != nil {
		closeAll(set.closers)
		return nil, fmt.Errorf("proxy: %w", err)
	}
	s.client = c
	s.reqCtx = requestContexters(set.callbacks)
	switch {
	case set.models != nil:
		s.models = set.models
	case set.router != nil:
		s.models = newGroupModels(set.router.Groups())
	default:
		s.models = anyModel{}
	}
	if set.maxStreams > 0 {
		s.streams = make(chan struct{}, set.maxStreams)
	}
	if set.masterKey != "" {
		s.keySum = sha256.Sum256([]byte(set.masterKey))
		s.keyHash = hex.EncodeToString(s.keySum[:])
	}
	s.routes()
	return s, nil
}

// Client returns the llmux client the gateway calls through.
func (s *Server) Client() *llmux.Client { return s.client }

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Serve accepts connections on ln until ctx is done, then shuts down
// gracefully: it stops accepting, reports not ready, lets requests and
// streams in flight finish for up to the shutdown timeout (then cuts
// them), and closes the client, which delivers every queued event to the
// loggers. It returns nil after a graceful shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.set.readHeaderTimeout,
		IdleTimeout:       s.set.idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		_ = s.client.Close(context.Background())
		closeAll(s.set.closers)
		return err
	case <-ctx.Done():
	}
	s.closing.Store(true)
	s.log.Info("proxy: shutting down", "timeout", s.set.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.set.shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		s.log.Warn("proxy: requests still in flight at the shutdown deadline were cut", "err", err)
		_ = hs.Close()
	}
	<-done
	// Handlers of cut connections see their context end and finish
	// promptly; their failure events must reach the loggers.
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if !s.waitHandlers(wctx) {
		s.log.Warn("proxy: handlers still running 5s after the connections were closed")
	}
	cctx, ccancel := context.WithTimeout(context.Background(), s.set.shutdownTimeout)
	defer ccancel()
	defer closeAll(s.set.closers)
	if cerr := s.client.Close(cctx); cerr != nil {
		s.log.Warn("proxy: loggers not flushed", "err", cerr)
		if err == nil {
			err = cerr
		}
	}
	return err
}

// Close closes the client, delivering queued events, for a Server used as
// a handler without Serve. It first waits, until ctx ends, for the handlers
// still running: a completion's handler emits the call's last events after
// its answer was sent (internal/later), so a client may have its answer
// before they are queued.
func (s *Server) Close(ctx context.Context) error {
	s.closing.Store(true)
	s.waitHandlers(ctx)
	err := s.client.Close(ctx)
	if cerr := closeAll(s.set.closers); err == nil {
		err = cerr
	}
	return err
}

// waitHandlers waits until no handler runs, or ctx ends (false).
func (s *Server) waitHandlers(ctx context.Context) bool {
	waited := make(chan struct{})
	go func() { s.inflight.Wait(); close(waited) }()
	select {
	case <-waited:
		return true
	case <-ctx.Done():
		return false
	}
}

// closeAll closes what the config opened, once each.
func closeAll(fs []func() error) error {
	var errs []error
	for _, f := range fs {
		if err := f(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	api := func(path string, method string, h handlerFunc) {
		hh := s.wrap(path, method, true, h)
		m.Handle(path, hh)
		if p, ok := strings.CutPrefix(path, "/v1"); ok {
			m.Handle(p, s.wrap(p, method, true, h))
		}
	}
	api("/v1/chat/completions", http.MethodPost, s.chat)
	api("/v1/completions", http.MethodPost, s.textCompletion)
	api("/v1/embeddings", http.MethodPost, s.embeddings)
	api("/v1/models", http.MethodGet, s.listModels)
	api("/v1/messages", http.MethodPost, s.messages)
	api("/v1/responses", http.MethodPost, s.responses)
	for _, p := range []string{"/health/liveliness", "/health/liveness"} {
		m.Handle(p, s.wrap(p, http.MethodGet, false, s.liveness))
	}
	m.Handle("/health/readiness", s.wrap("/health/readiness", http.MethodGet, false, s.readiness))
	s.mountMetrics(m)
	m.Handle("/", s.wrap("/", "", true, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
		rc.fail(w, &apiError{status: http.StatusNotFound, typ: "invalid_request_error", message: fmt.Sprintf("no route %s %s", r.Method, r.URL.Path)})
	}))
	s.mux = m
}

// reqCtx is what a handler knows of its request.
type reqCtx struct {
	id       string
	endpoint string
	keyHash  string
	status   int
	model    string
	anthropc bool // answer errors in Anthropic's shape
	hc       *HookCall
	s        *Server
	ctx      context.Context
	// events holds what a call left for after its answer; nil until
	// prepare makes the call's context.
	events *later.Slot
}

// runEvents sends the answer written so far, then runs what the call left
// for after it (internal/later): neither the building of its last events
// nor an inline logger delays the client.
func (rc *reqCtx) runEvents(w http.ResponseWriter) {
	if rc.events == nil {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	rc.events.Run()
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx)

// wrap adds what every route does: the request id, the access log line,
// the method check and, when auth is set, the master key.
func (s *Server) wrap(endpoint, method string, auth bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stage.Mark(stage.Enter)
		s.inflight.Add(1)
		defer s.inflight.Done()
		start := time.Now()
		r = s.withRequestContext(r)
		id := requestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", id)
		rc := &reqCtx{id: id, endpoint: endpoint, s: s, ctx: r.Context()}
		rc.anthropc = strings.HasSuffix(endpoint, "/messages")
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			lvl := slog.LevelInfo
			if sw.status >= 500 {
				lvl = slog.LevelError
			}
			if !s.log.Enabled(r.Context(), lvl) {
				return // no access line: skip formatting it (a busy gateway often logs at warn)
			}
			s.log.LogAttrs(r.Context(), lvl, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.String("model", rc.model),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.Int64("bytes", sw.bytes))
		}()
		defer rc.runEvents(sw)
		if method != "" && r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			sw.Header().Set("Allow", method)
			rc.fail(sw, &apiError{status: http.StatusMethodNotAllowed, typ: "invalid_request_error",
				message: fmt.Sprintf("method %s not allowed on %s (use %s)", r.Method, endpoint, method)})
			return
		}
		if auth && s.set.masterKey != "" {
			key, ok := presentedKey(r)
			if !ok {
				rc.fail(sw, &apiError{status: http.StatusUnauthorized, typ: "authentication_error", code: "invalid_api_key",
					message: "missing API key: send Authorization: Bearer <key> or x-api-key"})
				return
			}
			sum := sha256.Sum256([]byte(key))
			if subtle.ConstantTimeCompare(sum[:], s.keySum[:]) != 1 {
				rc.fail(sw, &apiError{status: http.StatusUnauthorized, typ: "authentication_error", code: "invalid_api_key",
					message: "invalid API key"})
				return
			}
			rc.keyHash = s.keyHash
		}
		stage.Mark(stage.Admitted)
		h(sw, r, rc)
	})
}

// fail answers err in the endpoint's shape and records the status.
func (rc *reqCtx) fail(w http.ResponseWriter, err error) {
	if rc.hc != nil {
		err = rc.s.hooks.onFailure(rc.ctx, rc.hc, err)
	}
	var f errorFields
	if rc.anthropc {
		f = writeAnthropicError(w, err)
	} else {
		f = writeOpenAIError(w, err)
	}
	rc.status = f.status
	if f.status >= 500 {
		rc.s.log.Error("request failed", "request_id", rc.id, "status", f.status, "code", f.llmCode.String(), "err", f.message)
	}
}

// presentedKey returns the key of "Authorization: Bearer <key>" or
// "x-api-key" (or "api-key", as Azure clients send it).
func presentedKey(r *http.Request) (string, bool) {
	if a := r.Header.Get("Authorization"); a != "" {
		if k, ok := strings.CutPrefix(a, "Bearer "); ok && k != "" {
			return strings.TrimSpace(k), true
		}
		if k, ok := strings.CutPrefix(a, "bearer "); ok && k != "" {
			return strings.TrimSpace(k), true
		}
	}
	for _, h := range []string{"X-Api-Key", "Api-Key"} {
		if k := r.Header.Get(h); k != "" {
			return k, true
		}
	}
	return "", false
}

// requestID returns the client's request id when it is a sane token, else
// a new one.
func requestID(sent string) string {
	if n := len(sent); n > 0 && n <= 128 {
		ok := true
		for i := 0; i < n; i++ {
			c := sent[i]
			if c <= ' ' || c > '~' {
				ok = false
				break
			}
		}
		if ok {
			return sent
		}
	}
	return newID()
}

// statusWriter records the status and size of an answer, and passes
// Flush through for streams.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) liveness(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`"I'm alive!"`))
}

func (s *Server) readiness(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	w.Header().Set("Content-Type", "application/json")
	if s.closing.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"shutting down"}`))
		return
	}
	_, _ = w.Write([]byte(`{"status":"healthy"}`))
}

// anyModel serves every name: the client decides what it can resolve.
type anyModel struct{}

func (anyModel) Serves(string) bool { return true }
func (anyModel) List() []string     { return nil }

// groupModels serves a router's model groups.
type groupModels struct {
	names []string
	set   map[string]bool
}

func newGroupModels(names []string) *groupModels {
	g := &groupModels{names: slices.Clone(names), set: make(map[string]bool, len(names))}
	slices.Sort(g.names)
	for _, n := range names {
		g.set[n] = true
	}
	return g
}

func (g *groupModels) Serves(m string) bool { return g.set[m] }
func (g *groupModels) List() []string       { return slices.Clone(g.names) }
