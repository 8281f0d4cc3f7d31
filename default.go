package llmux

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// The default client and the global callbacks behind the package-level
// functions, like http.DefaultClient.
var (
	defaultClient atomic.Pointer[Client]
	defaultOnce   sync.Once
	globalMu      sync.Mutex // serialises SetCallbacks
	globalReg     atomic.Pointer[registry]
	globalCache   atomic.Pointer[cacher]
)

func globalScope() scope {
	return scope{reg: globalReg.Load(), cache: globalCache.Load(), global: true}
}

// SetCache sets the cache of the package-level calls ([Completion],
// [Stream], ...), LiteLLM's litellm.cache = Cache(...): an in-memory cache
// from package cache or, shared by many replicas, a Redis one from
// cache/redis (see ExampleSetCache).
// It takes the cache settings ([WithCacheTimeout] and the others) of the
// default client at the time of the call, and stands in for any cache of
// the default client in package-level calls. SetCache(nil) removes it.
// SetCache does not close the cache it replaces.
func SetCache(c Cache) {
	if c == nil {
		globalCache.Store(nil)
		return
	}
	globalCache.Store(newCacher(c, &Default().cfg))
}

// GlobalCacheStats returns the counters of the cache set with [SetCache].
func GlobalCacheStats() CacheStats { return globalCache.Load().stats() }

// Default returns the client used by the package-level functions. Unless
// replaced with [SetDefault], it has only the built-in mock provider, so
// it answers [Request.MockResponse] and "mock/..." models; give it real
// providers with SetDefault (see its example).
func Default() *Client {
	if c := defaultClient.Load(); c != nil {
		return c
	}
	defaultOnce.Do(func() {
		c, err := New()
		if err != nil {
			panic("llmux: default client: " + err.Error()) // New without options cannot fail
		}
		defaultClient.CompareAndSwap(nil, c)
	})
	return defaultClient.Load()
}

// SetDefault replaces the client used by the package-level functions. The
// global callbacks ([SetCallbacks]) stay in place: they apply to every
// package-level call, whichever client serves it.
func SetDefault(c *Client) {
	if c == nil {
		panic("llmux: SetDefault(nil)")
	}
	defaultOnce.Do(func() {})
	defaultClient.Store(c)
}

// setCallbacksTimeout bounds how long SetCallbacks waits for the loggers
// it replaces to deliver what is queued for them and shut down.
var setCallbacksTimeout = 5 * time.Second

// SetCallbacks sets the global loggers (LiteLLM's litellm.callbacks),
// called for every package-level call ([Completion], [Stream], ...), with
// the default client's own loggers and per-request ones (a logger in
// several gets each event once). It replaces the previous global loggers,
// first delivering what is queued for them and shutting them down, for at
// most 5 seconds; what they could not deliver by then is
// dropped, counted and logged. A value implementing no logger interface is
// an error and changes nothing.
func SetCallbacks(loggers ...any) error {
	c := Default()
	r, err := newRegistry(loggers, registryConfig{queueSize: c.cfg.queueSize, log: c.cfg.log})
	if err != nil {
		return err
	}
	globalMu.Lock()
	defer globalMu.Unlock()
	old := globalReg.Swap(r)
	ctx, cancel := context.WithTimeout(context.Background(), setCallbacksTimeout)
	defer cancel()
	if err := old.close(ctx); err != nil {
		c.cfg.log.Warn("llmux: SetCallbacks: the replaced loggers did not finish", "err", err.Error())
	}
	return nil
}

// Completion calls [Client.Completion] on the default client with the
// global callbacks.
func Completion(ctx context.Context, req *Request) (*Response, error) {
	return Default().completion(ctx, req, globalScope())
}

// Stream calls [Client.Stream] on the default client with the global
// callbacks.
func Stream(ctx context.Context, req *Request) (*ChatStream, error) {
	return Default().stream(ctx, req, globalScope())
}

// TextCompletion calls [Client.TextCompletion] on the default client with
// the global callbacks.
func TextCompletion(ctx context.Context, req *Request) (*Response, error) {
	return Default().textCompletion(ctx, req, globalScope())
}

// Embedding calls [Client.Embedding] on the default client with the global
// callbacks.
func Embedding(ctx context.Context, req *Request) (*EmbeddingResponse, error) {
	return Default().embedding(ctx, req, globalScope())
}

// Flush waits until the events queued for the global loggers and the
// default client's loggers were delivered, or ctx ends.
func Flush(ctx context.Context) error {
	if err := globalReg.Load().flush(ctx); err != nil {
		return err
	}
	return Default().Flush(ctx)
}

// Close delivers what is queued for the global loggers and closes the
// default client; see [Client.Close]. Call it before the program exits.
func Close(ctx context.Context) error {
	globalMu.Lock()
	defer globalMu.Unlock()
	return errors.Join(globalReg.Load().close(ctx), Default().Close(ctx))
}

// GlobalStats returns the delivery counters of the global loggers.
func GlobalStats() []LoggerStats { return globalReg.Load().stats() }
