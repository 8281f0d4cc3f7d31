package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/llmux/llmux"
)

// EntryOverhead is the fixed number of bytes a [Memory] cache adds to
// len(key)+len(value) when it accounts for an entry against its byte limit
// ([WithMaxBytes]). It approximates the list element, map slot and
// bookkeeping each entry costs, so that many tiny entries cannot hold far
// more memory than the limit suggests.
const EntryOverhead = 64

const (
	defaultTTL        = 10 * time.Minute
	defaultMaxEntries = 10_000
	defaultMaxBytes   = 64 << 20
)

// ErrTooLarge reports that [Memory.Set] was given an entry that is larger,
// on its own, than the cache's byte limit ([WithMaxBytes]). Such an entry
// is never stored; the error returned by Set wraps ErrTooLarge, so
// errors.Is(err, ErrTooLarge) tells this case apart. It wraps
// [llmux.ErrCacheRejected], so the client counts the store as rejected
// without taking the cache for unavailable.
var ErrTooLarge error = tooLarge{}

type tooLarge struct{}

func (tooLarge) Error() string { return "cache: entry too large for the memory cache" }
func (tooLarge) Unwrap() error { return llmux.ErrCacheRejected }

// Option configures a [Memory] cache in [NewMemory].
type Option func(*config) error

type config struct {
	ttl        time.Duration
	maxEntries int
	maxBytes   int64
}

// WithTTL sets how long an entry stays in the cache when [Memory.Set] is
// called with ttl 0. The default is 10 minutes, like LiteLLM's in-memory
// default_ttl of 600 seconds. d must be positive.
func WithTTL(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("cache: WithTTL: must be positive, got %v", d)
		}
		c.ttl = d
		return nil
	}
}

// WithMaxEntries bounds the number of entries the cache holds; beyond it,
// the least recently used entries are evicted. The default is 10,000. n
// must be at least 1.
func WithMaxEntries(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("cache: WithMaxEntries: must be at least 1, got %d", n)
		}
		c.maxEntries = n
		return nil
	}
}

// WithMaxBytes bounds the bytes the cache holds, counted per entry as
// len(key) + len(value) + [EntryOverhead]; beyond it, the least recently
// used entries are evicted. An entry larger than n on its own is refused
// with [ErrTooLarge]. The default is 64 MiB. n must be at least 1.
func WithMaxBytes(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("cache: WithMaxBytes: must be at least 1, got %d", n)
		}
		c.maxBytes = n
		return nil
	}
}

// Memory is an in-process [llmux.Cache]: a least-recently-used map bounded
// by entry count and by bytes, with a lifetime per entry. Create one with
// [NewMemory]; the zero value is not usable.
//
// Expired entries are never returned. They are reclaimed lazily, when a
// Get finds them or when eviction reaches them, because Memory runs no
// goroutine of its own: there is nothing to close and nothing to leak.
//
// Memory is safe for concurrent use. Stored values are owned by the cache
// (Set takes ownership) and Get returns the stored slice itself, which
// callers must not modify.
type Memory struct {
	ttl        time.Duration
	maxEntries int
	maxBytes   int64
	now        func() time.Time // time.Now; tests replace it

	mu          sync.Mutex
	lru         *simplelru.LRU[string, entry]
	bytes       int64 // sum of entry sizes, kept by onRemove
	evictions   uint64
	expirations uint64
}

type entry struct {
	value   []byte
	expires time.Time
	size    int64 // len(key) + len(value) + EntryOverhead
}

var _ llmux.Cache = (*Memory)(nil)

// NewMemory returns an empty in-memory cache. Without options it uses a
// 10-minute default lifetime, at most 10,000 entries and at most 64 MiB,
// and cannot fail: cache.NewMemory() always returns a nil error. With
// options, it validates each and reports every problem at once, joined
// with errors.Join; nil options are ignored.
func NewMemory(opts ...Option) (*Memory, error) {
	cfg := config{ttl: defaultTTL, maxEntries: defaultMaxEntries, maxBytes: defaultMaxBytes}
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
	m := &Memory{ttl: cfg.ttl, maxEntries: cfg.maxEntries, maxBytes: cfg.maxBytes, now: time.Now}
	// The list is sized to maxEntries, but Set makes room before adding, so
	// simplelru never evicts on its own; the callback runs on every removal
	// (Remove, RemoveOldest, Purge) and keeps the byte count.
	lru, err := simplelru.NewLRU(cfg.maxEntries, m.onRemove)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err) // unreachable: maxEntries >= 1
	}
	m.lru = lru
	return m, nil
}

func (m *Memory) onRemove(_ string, e entry) { m.bytes -= e.size }

// Get returns the value stored under key and marks the entry most recently
// used. ok is false when there is no entry or it has expired; an expired
// entry is removed. Get returns ctx.Err(), and nothing else, only if ctx is
// already done; it never blocks beyond the cache's mutex. The returned
// slice is the stored one: the caller must not modify it.
func (m *Memory) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.lru.Get(key)
	if !ok {
		return nil, false, nil
	}
	if !now.Before(e.expires) {
		m.lru.Remove(key)
		m.expirations++
		return nil, false, nil
	}
	return e.value, true, nil
}

// Set stores value under key for ttl, or for the default lifetime
// ([WithTTL]) when ttl is 0, and marks the entry most recently used. It
// replaces any earlier value of key whole. When the cache would then hold
// more entries or bytes than its limits, Set evicts least recently used
// entries until it fits.
//
// Set takes ownership of value. It returns an error, and stores nothing,
// when ttl is negative, when ctx is already done, or when the entry alone
// exceeds the byte limit (the error wraps [ErrTooLarge]); an earlier value
// of key is then left as it was.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl < 0 {
		return fmt.Errorf("cache: negative ttl %v", ttl)
	}
	if ttl == 0 {
		ttl = m.ttl
	}
	size := int64(len(key)) + int64(len(value)) + EntryOverhead
	if size > m.maxBytes {
		return fmt.Errorf("%w: value of %d bytes (%d with key and overhead) exceeds the limit of %d bytes",
			ErrTooLarge, len(value), size, m.maxBytes)
	}
	now := m.now()
	e := entry{value: value, expires: now.Add(ttl), size: size}

	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.lru.Peek(key); ok {
		// Add replaces in place without calling onRemove.
		m.bytes -= old.size
	} else {
		for m.lru.Len() >= m.maxEntries {
			m.evictOldest(now)
		}
	}
	m.lru.Add(key, e)
	m.bytes += size
	// key is now the most recently used entry and fits on its own, so this
	// never evicts it.
	for m.bytes > m.maxBytes {
		m.evictOldest(now)
	}
	return nil
}

// evictOldest removes the least recently used entry, counting it as an
// expiration if it had expired anyway. m.mu is held.
func (m *Memory) evictOldest(now time.Time) {
	_, e, ok := m.lru.RemoveOldest()
	switch {
	case !ok:
	case !now.Before(e.expires):
		m.expirations++
	default:
		m.evictions++
	}
}

// Delete removes the entry stored under key, if any. It returns ctx.Err()
// if ctx is already done, and nil otherwise.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Remove(key)
	return nil
}

// Len returns the number of entries the cache holds, including expired
// entries that have not been reclaimed yet.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// Bytes returns the bytes the cache holds as counted against its limit
// ([WithMaxBytes]): len(key) + len(value) + [EntryOverhead] per entry,
// including expired entries that have not been reclaimed yet.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

// Purge removes every entry. It leaves the eviction and expiration counters
// of [Memory.Stats] as they were.
func (m *Memory) Purge() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Purge()
}

// MemoryStats is a snapshot of a [Memory] cache, returned by [Memory.Stats].
type MemoryStats struct {
	// Entries is the number of entries held, as [Memory.Len] reports it.
	Entries int
	// Bytes is the accounted size of those entries, as [Memory.Bytes]
	// reports it.
	Bytes int64
	// Evictions counts live entries removed to make room for a Set.
	Evictions uint64
	// Expirations counts expired entries reclaimed, by a Get that found
	// them or by eviction.
	Expirations uint64
}

// Stats returns the cache's current size and its eviction and expiration
// counts since [NewMemory]. Delete, Purge and replacing a key count as
// neither.
func (m *Memory) Stats() MemoryStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MemoryStats{
		Entries:     m.lru.Len(),
		Bytes:       m.bytes,
		Evictions:   m.evictions,
		Expirations: m.expirations,
	}
}
