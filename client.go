package llmux

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/dispatch"
	"github.com/llmux/llmux/internal/h1"
)

// Client calls LLM providers and reports every call to its loggers. It is
// safe for concurrent use and immutable after [New]. Close it to deliver
// the events still queued.
type Client struct {
	cfg      config
	resolver *resolver
	chain    CallFunc // the client's middleware around terminal; nil without
	reg      *registry
	cache    *cacher // nil without WithCache
	// reqQueue carries background events of per-request loggers; started
	// on first use.
	reqOnce  sync.Once
	reqQueue atomic.Pointer[dispatch.Queue[delivery]]
	reqStats counters
}

// New returns a client. It validates every option and logger and reports
// all problems at once.
func New(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	var errs []error
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Transport: sharedTransport()}
	}
	if cfg.prices == nil {
		cfg.prices = cost.Default()
	}
	if cfg.log == nil {
		cfg.log = slog.Default()
	}
	c := &Client{cfg: cfg, resolver: newResolver(append([]Provider{mockProvider{}}, cfg.providers...))}
	if len(cfg.middleware) > 0 {
		c.chain = chain(cfg.middleware, terminal)
	}
	reg, err := newRegistry(cfg.callbacks, registryConfig{queueSize: cfg.queueSize, log: cfg.log})
	if err != nil {
		return nil, err
	}
	c.reg = reg
	c.cache = newCacher(cfg.cache, &c.cfg)
	return c, nil
}

// Providers returns the names of the registered providers, in registration
// order, "mock" first.
func (c *Client) Providers() []string { return append([]string(nil), c.resolver.names...) }

// Completion performs a chat completion: LiteLLM's completion(). Every
// upstream attempt emits a pre- and a post-API-call event; the call ends
// with exactly one success or failure event.
func (c *Client) Completion(ctx context.Context, req *Request) (*Response, error) {
	return c.completion(ctx, req, scope{})
}

// TextCompletion performs a legacy text completion from [Request.Prompt]
// (LiteLLM's text_completion()). The answer is in Choices[i].Text.
func (c *Client) TextCompletion(ctx context.Context, req *Request) (*Response, error) {
	return c.textCompletion(ctx, req, scope{})
}

// Embedding embeds [Request.Input] (LiteLLM's embedding()).
func (c *Client) Embedding(ctx context.Context, req *Request) (*EmbeddingResponse, error) {
	return c.embedding(ctx, req, scope{})
}

// Stream starts a streamed chat completion. The error covers everything up
// to and including the response headers (bad request, authentication, rate
// limit), which are retried as for [Client.Completion]; later errors come
// from [ChatStream.Err]. The success or failure event fires when the stream
// ends, fails, or is closed.
func (c *Client) Stream(ctx context.Context, req *Request) (*ChatStream, error) {
	return c.stream(ctx, req, scope{})
}

// Flush waits until every event queued so far was delivered to the
// client's loggers and to per-request loggers, or ctx ends.
func (c *Client) Flush(ctx context.Context) error {
	if err := c.reg.flush(ctx); err != nil {
		return err
	}
	if q := c.reqQueue.Load(); q != nil {
		return q.Flush(ctx)
	}
	return nil
}

// requestQueue returns the queue of per-request loggers, starting it on
// first use.
func (c *Client) requestQueue() *dispatch.Queue[delivery] {
	c.reqOnce.Do(func() {
		q := dispatch.New(c.cfg.queueSize, handle)
		if c.reg.closed.Load() {
			_ = q.Close(context.Background())
		}
		c.reqQueue.Store(q)
	})
	return c.reqQueue.Load()
}

// Close delivers the queued events and stops the loggers' goroutines,
// waiting until done or ctx ends. Events emitted after Close are counted as
// dropped. Calls made after Close still work. Close is idempotent.
func (c *Client) Close(ctx context.Context) error {
	c.reqOnce.Do(func() {}) // no queue starts after Close
	err := c.reg.close(ctx)
	if q := c.reqQueue.Load(); q != nil {
		err = errors.Join(err, q.Close(ctx))
	}
	return err
}

// CacheStats returns the counters of the client's cache; zero without
// [WithCache].
func (c *Client) CacheStats() CacheStats { return c.cache.stats() }

// Stats returns the delivery counters of each client logger, in
// registration order, then one entry named "per-request" for all loggers
// given in [Request.Callbacks].
func (c *Client) Stats() []LoggerStats {
	return append(c.reg.stats(), c.reqStats.stats("per-request"))
}

// sharedTransport is the default clients' transport: HTTP/1.1 on the
// caller's goroutine (internal/h1), keeping up to 256 idle connections a
// host, over http.DefaultTransport's settings for what it leaves to
// net/http (proxies, 100-continue). With DefaultTransport's 2 idle
// connections a host, every call beyond the second in flight opened and
// then closed a connection of its own; and its two goroutines a
// connection cost a gateway more than the rest of its hop. Clients made
// by New share it, as clients of http.DefaultTransport share that.
var sharedTransport = sync.OnceValue(func() *h1.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	return h1.New(t, 256)
})
