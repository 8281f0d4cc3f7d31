package llmux

import (
	"context"
	"errors"
	"time"
)

// ErrCacheRejected is wrapped by the error of a [Cache.Set] that refuses
// an entry for what it is, an entry over a size limit, while the cache
// itself works. The client counts such a store in [CacheStats.Rejected]
// and, unlike other errors, does not rest the cache.
var ErrCacheRejected = errors.New("llmux: cache rejected the entry")

// Cache stores answers of earlier calls so an identical call is answered
// without reaching the provider. The client derives the key from
// everything that changes the answer ([Client.CacheKey]) and stores an
// opaque, versioned encoding of the complete response; a Cache only keeps
// bytes. Package cache provides the in-memory implementation
// (cache.NewMemory) and cache/redis the Redis one.
//
// The client calls Get and Set from the caller's goroutine, concurrently
// from many calls. ctx carries the client's cache timeout
// ([WithCacheTimeout], 100ms by default): an implementation must return
// promptly, with an error, once ctx is done, so a slow or unreachable
// backend never holds a call up. Any error makes the client treat the
// lookup as a miss (or skip the store), count it and carry on to the
// provider; it never fails a call.
type Cache interface {
	// Get returns the value stored under key, with ok false when there is
	// none or it expired. The caller does not modify value.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl; ttl 0 means the cache's default
	// lifetime. Set takes ownership of value: the caller does not touch it
	// afterwards. A concurrent Set of the same key replaces the value whole:
	// a Get sees one complete value or the other, never a mix.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// CacheControl adjusts caching for one request, like LiteLLM's per-request
// cache={"no-cache": ..., "no-store": ..., "ttl": ..., "s-maxage": ...,
// "namespace": ...}. The zero value reads and stores with the cache's
// defaults.
type CacheControl struct {
	// NoCache skips the lookup: the provider is always called. Its answer
	// is still stored unless NoStore is set.
	NoCache bool
	// NoStore keeps this call's answer out of the cache.
	NoStore bool
	// TTL is how long this call's answer stays in the cache; 0 uses the
	// cache's default.
	TTL time.Duration
	// MaxAge accepts a cached answer only if it was stored at most MaxAge
	// ago (LiteLLM's s-maxage); 0 accepts any age.
	MaxAge time.Duration
	// Namespace prefixes the key ("<namespace>:<hash>"), keeping the
	// answers of different tenants or experiments apart.
	Namespace string
}
