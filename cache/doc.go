// Package cache provides [Memory], the in-memory [llmux.Cache] that llmux
// uses as its embedded default: answers of earlier calls are kept in the
// process and an identical call is answered without reaching the provider.
//
// # Quick start
//
//	c, _ := cache.NewMemory(cache.WithTTL(10*time.Minute)) // NewMemory() alone never fails
//	client, _ := llmux.New(llmux.WithCache(c))
//
// # Bounds, lifetime and eviction
//
// A Memory cache is bounded twice: by entry count ([WithMaxEntries],
// 10,000 by default) and by bytes ([WithMaxBytes], 64 MiB by default),
// where each entry counts len(key) + len(value) + [EntryOverhead]. When a
// [Memory.Set] would exceed either bound, the least recently used entries
// are evicted until the new one fits; [Memory.Get] of a live entry marks it
// most recently used. A single entry larger than the byte bound is refused
// with [ErrTooLarge], which the client counts as a rejected store
// ([llmux.CacheStats.Rejected]).
//
// Every entry has its own lifetime: the ttl given to Set, or the default
// ([WithTTL], 10 minutes like LiteLLM's in-memory default_ttl of 600
// seconds) when that is 0. Expired entries are never returned. They are
// removed when a Get finds them, or when eviction reaches them in LRU
// order; [Memory.Stats] counts both kinds of removal.
//
// Memory starts no goroutine: there is no background sweeper, so there is
// nothing to close and nothing to leak. The price is that an expired entry
// nobody asks for keeps its memory until eviction reaches it, which the
// bounds above cap.
//
// # Scope
//
// A Memory cache lives in one process: each replica of a service has its
// own, and answers are lost on restart. To share answers among replicas,
// use the Redis cache in package cache/redis.
//
// The LRU list is [github.com/hashicorp/golang-lru/v2/simplelru], which is
// not safe for concurrent use on its own; Memory guards it with one mutex
// and layers byte accounting (through simplelru's removal callback) and
// per-entry expiry on top. The library's expirable package was not used:
// it runs a background goroutine and has one lifetime for all entries.
package cache
