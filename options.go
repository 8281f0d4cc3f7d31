package llmux

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/llmux/llmux/cost"
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
	queueSize   int
	log         *slog.Logger
}

func defaultConfig() config {
	return config{
		maxRetries:  2,
		backoffBase: 500 * time.Millisecond,
		backoffMax:  8 * time.Second,
		maxWait:     60 * time.Second,
		timeout:     10 * time.Minute,
		idleTimeout: 5 * time.Minute,
		queueSize:   4096,
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
// [WithTimeout]) over http.DefaultTransport.
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
// counted ([LoggerStats.DroppedQueueFull]). Default: 4096.
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
