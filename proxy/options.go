package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/config"
)

// Defaults of the gateway's limits.
const (
	DefaultMaxBodySize       = 32 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 30 * time.Second
)

// Option configures a [Server].
type Option func(*settings) error

type settings struct {
	clientOpts        []llmux.Option
	callbacks         []any
	hooks             []any
	router            Router
	models            Models
	masterKey         string
	log               *slog.Logger
	maxBodySize       int64
	maxStreams        int
	readHeaderTimeout time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	clientCredentials bool
	loggerFactories   map[string]LoggerFactory
	closers           []func() error // what the config opened (Redis clients)
	config            *config.Config
	getenv            func(string) string
	maxBodySizeSet    bool
	timeoutsSet       bool
}

// Router is what the gateway needs of a router: the middleware that sends
// a call to one deployment of its model group, and the groups it serves.
// Package router's Router is one.
type Router interface {
	Middleware() llmux.Middleware
	Groups() []string
}

// Models says which model names the gateway serves. Without a router and
// without WithModels, every name the client resolves is served.
type Models interface {
	// Serves reports whether a request for model may be served.
	Serves(model string) bool
	// List returns the names GET /v1/models lists and a 404 names.
	List() []string
}

// WithClientOptions configures the llmux client every request goes
// through: providers, cache, price table, retries, logging switches.
// The gateway adds its own middleware (hooks, then the router) after
// the ones given here.
func WithClientOptions(opts ...llmux.Option) Option {
	return func(s *settings) error {
		s.clientOpts = append(s.clientOpts, opts...)
		return nil
	}
}

// WithCallbacks adds loggers that receive every request's events, as
// [llmux.WithCallbacks]: the Go answer to LiteLLM's custom callbacks.
func WithCallbacks(loggers ...any) Option {
	return func(s *settings) error {
		s.callbacks = append(s.callbacks, loggers...)
		return nil
	}
}

// WithHooks adds proxy hooks: values implementing one or more of
// [PreCallHook], [ModerationHook], [SuccessHook], [FailureHook] and
// [StreamHook]. Hooks run in the order given, before the router.
func WithHooks(hooks ...any) Option {
	return func(s *settings) error {
		for i, h := range hooks {
			if !isHook(h) {
				return fmt.Errorf("proxy: WithHooks: hook %d (%T) implements no hook interface", i, h)
			}
		}
		s.hooks = append(s.hooks, hooks...)
		return nil
	}
}

// WithRouter serves the router's model groups (a LiteLLM model_list).
// Unless WithModels says otherwise, only its groups are served.
func WithRouter(r Router) Option {
	return func(s *settings) error {
		if r == nil {
			return errors.New("proxy: WithRouter: nil router")
		}
		s.router = r
		return nil
	}
}

// WithModels sets which model names are served.
func WithModels(m Models) Option {
	return func(s *settings) error {
		if m == nil {
			return errors.New("proxy: WithModels: nil models")
		}
		s.models = m
		return nil
	}
}

// WithMasterKey requires every request but the health checks to carry
// the key, as "Authorization: Bearer <key>" or "x-api-key: <key>".
// Default: none (no authentication).
func WithMasterKey(key string) Option {
	return func(s *settings) error {
		s.masterKey = key
		return nil
	}
}

// WithLog sets the logger of the gateway's own lines (requests, errors,
// shutdown). Default: JSON lines on stderr at level info.
func WithLog(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("proxy: WithLog: nil logger")
		}
		s.log = l
		return nil
	}
}

// WithMaxBodySize bounds request bodies; a larger one is answered 413.
// Default: 32 MiB.
func WithMaxBodySize(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("proxy: WithMaxBodySize: %d is not positive", n)
		}
		s.maxBodySize, s.maxBodySizeSet = n, true
		return nil
	}
}

// WithMaxConcurrentStreams bounds the streams served at once; a stream
// beyond it is answered 429. Default: 0, no bound.
func WithMaxConcurrentStreams(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("proxy: WithMaxConcurrentStreams: %d is negative", n)
		}
		s.maxStreams = n
		return nil
	}
}

// WithTimeouts sets how long a client may take to send its headers, how
// long an idle keep-alive connection stays open, and how long shutdown
// waits for requests in flight. Zero keeps a default (10 s, 120 s, 30 s).
func WithTimeouts(readHeader, idle, shutdown time.Duration) Option {
	return func(s *settings) error {
		if readHeader < 0 || idle < 0 || shutdown < 0 {
			return errors.New("proxy: WithTimeouts: negative timeout")
		}
		if readHeader > 0 {
			s.readHeaderTimeout = readHeader
		}
		if idle > 0 {
			s.idleTimeout = idle
		}
		if shutdown > 0 {
			s.shutdownTimeout = shutdown
		}
		s.timeoutsSet = true
		return nil
	}
}

// WithClientCredentials lets clients send api_key, api_base, base_url and
// api_version in the request body (LiteLLM's
// allow_client_side_credentials). Default: refused with 400, so a client
// cannot point the gateway at a host on its network.
func WithClientCredentials(allow bool) Option {
	return func(s *settings) error {
		s.clientCredentials = allow
		return nil
	}
}
