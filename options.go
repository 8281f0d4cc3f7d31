package llmux

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/payloadkeys"
)

// Option configures a [Client] in [New].
type Option func(*config) error

type config struct {
	providers   []Provider
	callbacks   []any
	httpClient  *http.Client
	prices      *cost.Table
	maxRetries  int
	backoffBase time.Duration
	backoffMax  time.Duration
	maxWait     time.Duration
	timeout     time.Duration
	idleTimeout time.Duration
	redact      bool
	dropParams  bool
	queueSize   int
	log         *slog.Logger
	middleware  []Middleware
	// payloadExclude are standard logging payload keys left empty.
	payloadExclude []string

	cache         Cache
	cacheTimeout  time.Duration
	cacheRetry    time.Duration
	cacheLogEvery time.Duration
	cacheTypes    map[CallType]bool
}

func defaultConfig() config {
	return config{
		maxRetries:  2,
		backoffBase: 500 * time.Millisecond,
		backoffMax:  8 * time.Second,
		maxWait:     60 * time.Second,
		timeout:     10 * time.Minute,
		idleTimeout: 5 * time.Minute,
		queueSize:   1024,

		cacheTimeout:  100 * time.Millisecond,
		cacheRetry:    time.Second,
		cacheLogEvery: 10 * time.Second,
		cacheTypes:    map[CallType]bool{CallCompletion: true, CallTextCompletion: true, CallEmbedding: true},
	}
}

// WithProvider registers a provider under its [Provider.Name]; model names
// "<name>/<model>" go to it. A later provider with the same name replaces
// an earlier one. The built-in mock provider is always registered as "mock".
func WithProvider(p Provider) Option {
	return func(c *config) error {
		if p == nil {
			return fmt.Errorf("llmux: WithProvider: nil provider")
		}
		if p.Name() == "" {
			return fmt.Errorf("llmux: WithProvider: provider %T has an empty name", p)
		}
		c.providers = append(c.providers, p)
		return nil
	}
}

// WithCallbacks registers loggers on the client: values implementing one or
// more of [PreAPICallLogger], [PostAPICallLogger], [StreamLogger],
// [SuccessLogger], [FailureLogger] (or the function adapters such as
// [SuccessCallback]). A value implementing none makes [New] fail. Loggers
// are called in registration order. Default: none.
func WithCallbacks(loggers ...any) Option {
	return func(c *config) error {
		c.callbacks = append(c.callbacks, loggers...)
		return nil
	}
}

// WithHTTPClient sets the HTTP client for upstream requests. Default: a
// client with no overall timeout (per-attempt timeouts come from
// [WithTimeout]), shared by the clients New makes, over a transport that
// speaks HTTP/1.1 on the calling goroutine and keeps up to 256 idle
// connections per host, streamed calls included; requests through a proxy
// from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) go through a
// net/http Transport with http.DefaultTransport's settings. Pass a client
// of your own for HTTP/2 to the upstream, a custom TLS configuration or a
// tracing transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("llmux: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithPriceTable sets the price table for costs and for resolving bare
// model names. Default: [cost.Default], the embedded LiteLLM table.
func WithPriceTable(t *cost.Table) Option {
	return func(c *config) error {
		if t == nil {
			return fmt.Errorf("llmux: WithPriceTable: nil table")
		}
		c.prices = t
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure (rate limit,
// timeout, overload, 5xx, connection) is retried. Default: 2.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("llmux: WithMaxRetries: negative count %d", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithRetryBackoff sets the exponential backoff between attempts: base
// doubles each retry up to max, with jitter. A Retry-After header from the
// provider replaces it, up to maxWait; a longer Retry-After is not waited
// for and the error is returned. Defaults: 500ms, 8s, 60s.
func WithRetryBackoff(base, max, maxWait time.Duration) Option {
	return func(c *config) error {
		if base < 0 || max < base || maxWait < 0 {
			return fmt.Errorf("llmux: WithRetryBackoff: need 0 <= base <= max and maxWait >= 0, got %v, %v, %v", base, max, maxWait)
		}
		c.backoffBase, c.backoffMax, c.maxWait = base, max, maxWait
		return nil
	}
}

// WithTimeout bounds each attempt up to the response (for streams: up to
// the response headers). [Request.Timeout] overrides it. Default: 10
// minutes.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("llmux: WithTimeout: must be positive, got %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithStreamIdleTimeout fails a stream with CodeTimeout when no chunk
// arrives for d. Default: 5 minutes.
func WithStreamIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("llmux: WithStreamIdleTimeout: must be positive, got %v", d)
		}
		c.idleTimeout = d
		return nil
	}
}

// WithTurnOffMessageLogging hides messages and responses from every logger
// of the client (LiteLLM's turn_off_message_logging): they see
// [RedactedText]; callers still get the real response. Default: off.
func WithTurnOffMessageLogging(off bool) Option {
	return func(c *config) error {
		c.redact = off
		return nil
	}
}

// WithQueueSize sets the capacity of each background logger's queue. When
// a logger falls this far behind, further events for it are dropped and
// counted ([LoggerStats.DroppedQueueFull]). A full queue holds its
// events in memory, so a larger one costs a slow logger's heap and the
// garbage collector more. Default: 1024 (enough for a logger that keeps up
// to lose nothing at the highest call rate: see bench.BenchmarkMaxRate).
func WithQueueSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("llmux: WithQueueSize: must be at least 1, got %d", n)
		}
		c.queueSize = n
		return nil
	}
}

// WithLog sets where llmux reports its own trouble: logger panics and
// dropped events. Default: slog.Default().
func WithLog(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("llmux: WithLog: nil logger")
		}
		c.log = l
		return nil
	}
}

// WithCache answers identical calls from c instead of the provider
// (LiteLLM's caching): chat completions (streamed or not), text
// completions and embeddings. A hit makes no API call: it fires one
// success event with [Event.CacheHit] set, a response cost of 0 and
// [Event.SavedCacheCost]. Successful answers are stored; failed or
// partial ones never are. [Request.Cache] adjusts one request. The
// client does not close c. Default: no cache.
func WithCache(c Cache) Option {
	return func(cfg *config) error {
		if c == nil {
			return fmt.Errorf("llmux: WithCache: nil cache")
		}
		cfg.cache = c
		return nil
	}
}

// WithCacheTimeout bounds each cache lookup and store: past it the call
// goes on to the provider (or skips the store) and the error is counted
// in [CacheStats.Errors]. Default: 100ms.
func WithCacheTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("llmux: WithCacheTimeout: must be positive, got %v", d)
		}
		cfg.cacheTimeout = d
		return nil
	}
}

// WithCacheRetryInterval sets how long the cache rests after an error:
// lookups and stores are skipped ([CacheStats.Bypassed]) for d, then one
// call tries the cache again and caching resumes when it answers. So a
// cache that is down costs calls at most one timeout per interval.
// Default: 1s.
func WithCacheRetryInterval(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("llmux: WithCacheRetryInterval: must be positive, got %v", d)
		}
		cfg.cacheRetry = d
		return nil
	}
}

// WithCacheLogInterval sets how often at most a cache error is logged
// (to [WithLog]), with the number of errors since the last such log.
// Default: 10s.
func WithCacheLogInterval(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("llmux: WithCacheLogInterval: must be positive, got %v", d)
		}
		cfg.cacheLogEvery = d
		return nil
	}
}

// WithCacheCallTypes limits caching to the given call types (LiteLLM's
// supported_call_types). Default: completion, text_completion and
// embedding.
func WithCacheCallTypes(types ...CallType) Option {
	return func(cfg *config) error {
		m := make(map[CallType]bool, len(types))
		for _, t := range types {
			switch t {
			case CallCompletion, CallTextCompletion, CallEmbedding:
				m[t] = true
			default:
				return fmt.Errorf("llmux: WithCacheCallTypes: unknown call type %q", t)
			}
		}
		if len(m) == 0 {
			return fmt.Errorf("llmux: WithCacheCallTypes: no call type given")
		}
		cfg.cacheTypes = m
		return nil
	}
}

// WithDropParams drops request parameters the provider cannot honour
// (Anthropic has no seed, presence_penalty or response_format, for
// example) instead of failing the call with CodeInvalidRequest (LiteLLM's
// drop_params). The dropped names are reported in [Event.DroppedParams],
// kwargs' additional_args and the payload's hidden_params.
// [Request.DropParams] overrides it per call; [Request.AllowedParams] sends
// a parameter anyway. Default: off.
func WithDropParams(drop bool) Option {
	return func(c *config) error {
		c.dropParams = drop
		return nil
	}
}

// WithPayloadExcludedFields leaves the named keys of the standard logging
// payload empty (null, or an empty value where LiteLLM's type has no null)
// for every logger of the client, like LiteLLM's
// standard_logging_payload_excluded_fields: "messages" and "response" keep
// large or private content out of what backends store. A name that is not
// one of the payload's 39 keys makes [New] fail. Default: none.
func WithPayloadExcludedFields(fields ...string) Option {
	return func(c *config) error {
		for _, f := range fields {
			if !payloadkeys.Has(f) {
				return fmt.Errorf("llmux: WithPayloadExcludedFields: %q is not a key of the standard logging payload (keys: %s)",
					f, strings.Join(payloadkeys.Names, ", "))
			}
		}
		c.payloadExclude = append(c.payloadExclude, fields...)
		return nil
	}
}
