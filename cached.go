package llmux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"
)

// CacheStats counts what a client's cache did. Every lookup is a hit, a
// miss, an error or bypassed; every store is a store, an error or
// bypassed.
type CacheStats struct {
	Hits   uint64
	Misses uint64 // includes entries older than CacheControl.MaxAge
	Stores uint64
	// Errors counts failed lookups and stores (timeouts, a backend down)
	// and unreadable entries. None fails a call.
	Errors uint64
	// Bypassed counts lookups and stores skipped while the cache was
	// resting after an error ([WithCacheRetryInterval]).
	Bypassed uint64
	// Rejected counts stores the cache refused with [ErrCacheRejected]
	// (an entry over its size limit).
	Rejected uint64
}

// cacher runs one Cache for a client or for the package-level calls: it
// bounds each operation by the timeout, rests the cache after an error so
// an outage costs at most one timeout per retry interval, counts, and logs
// errors at most once per log interval.
type cacher struct {
	c        Cache
	timeout  time.Duration
	retry    time.Duration
	logEvery time.Duration
	types    map[CallType]bool
	log      *slog.Logger

	downUntil atomic.Int64 // unix nanos; 0 when healthy
	lastLog   atomic.Int64 // unix nanos of the last error log
	unlogged  atomic.Uint64
	lastBad   atomic.Int64 // unix nanos of the last unreadable-entry log
	badNot    atomic.Uint64

	hits, misses, stores, errs, bypassed, rejected atomic.Uint64
}

func newCacher(c Cache, cfg *config) *cacher {
	if c == nil {
		return nil
	}
	return &cacher{c: c, timeout: cfg.cacheTimeout, retry: cfg.cacheRetry, logEvery: cfg.cacheLogEvery,
		types: cfg.cacheTypes, log: cfg.log}
}

func (k *cacher) stats() CacheStats {
	if k == nil {
		return CacheStats{}
	}
	return CacheStats{Hits: k.hits.Load(), Misses: k.misses.Load(), Stores: k.stores.Load(),
		Errors: k.errs.Load(), Bypassed: k.bypassed.Load(), Rejected: k.rejected.Load()}
}

// up reports whether the cache may be used now. After an error it rests
// for the retry interval; then one call probes it while the others keep
// bypassing until the probe reports.
func (k *cacher) up() bool {
	d := k.downUntil.Load()
	if d == 0 {
		return true
	}
	now := time.Now().UnixNano()
	if now < d {
		k.bypassed.Add(1)
		return false
	}
	if !k.downUntil.CompareAndSwap(d, now+int64(k.retry)) {
		k.bypassed.Add(1)
		return false
	}
	return true
}

func (k *cacher) ok() {
	if k.downUntil.Load() != 0 && k.downUntil.Swap(0) != 0 {
		k.log.Info("llmux: cache available again")
	}
}

// fail counts an error of op, rests the cache and logs at most once per
// log interval, with the number of errors since the last log.
func (k *cacher) fail(op string, err error) {
	k.errs.Add(1)
	k.unlogged.Add(1)
	now := time.Now().UnixNano()
	k.downUntil.Store(now + int64(k.retry))
	if k.due(&k.lastLog, now) {
		k.log.Warn("llmux: cache unavailable, calls go to the provider",
			"op", op, "err", err.Error(), "errors", k.unlogged.Swap(0), "retry_in", k.retry)
	}
}

// due reports whether a log limited by *last may be written at now, and
// if so claims it: one caller per log interval.
func (k *cacher) due(last *atomic.Int64, now int64) bool {
	l := last.Load()
	return (l == 0 || now-l >= int64(k.logEvery)) && last.CompareAndSwap(l, now)
}

// get looks key up. A miss, an error, an unreadable or too old entry all
// give nil.
func (k *cacher) get(ctx context.Context, key string, ct CallType, maxAge time.Duration) (e *cacheEntry) {
	if !k.up() {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			k.fail("get", fmt.Errorf("cache panicked: %v", p))
			e = nil
		}
	}()
	v, found, err := k.c.Get(cctx, key)
	if err != nil {
		if ctx.Err() == nil { // the caller's own cancellation is no cache error
			k.fail("get", err)
		}
		return nil
	}
	k.ok()
	if !found {
		k.misses.Add(1)
		return nil
	}
	e, err = decodeEntry(v, ct)
	if err != nil {
		// The answer will be fetched and stored over it. Entries written
		// by another version come in runs during a rolling deploy: log
		// them once per interval too.
		k.errs.Add(1)
		k.badNot.Add(1)
		if k.due(&k.lastBad, time.Now().UnixNano()) {
			k.log.Warn("llmux: unreadable cache entries ignored", "key", key, "err", err.Error(), "entries", k.badNot.Swap(0))
		}
		return nil
	}
	if maxAge > 0 && time.Since(time.UnixMilli(e.Created)) > maxAge {
		k.misses.Add(1)
		return nil
	}
	k.hits.Add(1)
	return e
}

// set stores an entry. The caller hanging up after its answer arrived does
// not stop the store.
func (k *cacher) set(ctx context.Context, key string, e *cacheEntry, ttl time.Duration) {
	if !k.up() {
		return
	}
	v, err := json.Marshal(e)
	if err != nil {
		k.errs.Add(1)
		k.log.Warn("llmux: cache entry not encodable", "err", err.Error())
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			k.fail("set", fmt.Errorf("cache panicked: %v", p))
		}
	}()
	if err := k.c.Set(cctx, key, v, ttl); err != nil {
		if errors.Is(err, ErrCacheRejected) {
			k.rejected.Add(1)
			k.log.Debug("llmux: cache rejected an entry", "key", key, "bytes", len(v), "err", err.Error())
			return
		}
		k.fail("set", err)
		return
	}
	k.ok()
	k.stores.Add(1)
}

// cacheEntryVersion is the version of the stored encoding; entries of
// another version are ignored (and replaced).
const cacheEntryVersion = 1

// cacheEntry is what a cache holds for one answer.
type cacheEntry struct {
	V         int                `json:"v"`
	CallType  CallType           `json:"call_type"`
	Created   int64              `json:"created_ms"` // unix milliseconds
	Response  *Response          `json:"response,omitempty"`
	Embedding *EmbeddingResponse `json:"embedding,omitempty"`
}

func decodeEntry(v []byte, ct CallType) (*cacheEntry, error) {
	var e cacheEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, err
	}
	switch {
	case e.V != cacheEntryVersion:
		return nil, fmt.Errorf("entry version %d, want %d", e.V, cacheEntryVersion)
	case e.CallType != ct:
		return nil, fmt.Errorf("entry of a %s call, want %s", e.CallType, ct)
	case ct == CallEmbedding && e.Embedding == nil, ct != CallEmbedding && e.Response == nil:
		return nil, errors.New("entry holds no response")
	}
	return &e, nil
}

// cacheSetup decides whether the call uses the cache and derives its key.
func (cl *call) cacheSetup(k *cacher) {
	if k == nil || !k.types[cl.ev.CallType] {
		return
	}
	cc := cl.req.Cache
	if cc != nil && cc.NoCache && cc.NoStore {
		return
	}
	cl.cache = k
	cl.ev.CacheKey = cacheKey(cl.ev.CallType, cl.ev.Provider, cl.upstream, cl.req)
}

// lookup returns the cached answer of the call, if any, marked as a hit.
func (cl *call) lookup(ctx context.Context) *cacheEntry {
	if cl.cache == nil {
		return nil
	}
	var maxAge time.Duration
	if cc := cl.req.Cache; cc != nil {
		if cc.NoCache {
			return nil
		}
		maxAge = cc.MaxAge
	}
	e := cl.cache.get(ctx, cl.ev.CacheKey, cl.ev.CallType, maxAge)
	if e == nil {
		return nil
	}
	cl.ev.CacheHit = true
	if e.Response != nil {
		e.Response.CacheHit = true
	} else {
		e.Embedding.CacheHit = true
	}
	return e
}

// store keeps a successful answer, unless the request said no-store.
func (cl *call) store(ctx context.Context, resp *Response, emb *EmbeddingResponse) {
	if cl.cache == nil || cl.ev.CacheHit {
		return
	}
	var ttl time.Duration
	if cc := cl.req.Cache; cc != nil {
		if cc.NoStore {
			return
		}
		ttl = cc.TTL
	}
	cl.cache.set(ctx, cl.ev.CacheKey, &cacheEntry{V: cacheEntryVersion, CallType: cl.ev.CallType,
		Created: time.Now().UnixMilli(), Response: resp, Embedding: emb}, ttl)
}

// complete reports whether a streamed response ended properly: every
// choice has its finish reason. Anything less is never stored.
func complete(r *Response) bool {
	if r == nil || len(r.Choices) == 0 {
		return false
	}
	for _, c := range r.Choices {
		if c.FinishReason == "" {
			return false
		}
	}
	return true
}

// replayReader streams a cached response in the chunk shapes of an
// OpenAI-compatible stream: for each choice one chunk with the role and
// the whole content and tool calls, then one chunk per finish reason, then
// a usage chunk with no choices (as with stream_options.include_usage).
type replayReader struct {
	ctx    context.Context
	chunks []*Chunk
	i      int
}

func newReplayReader(ctx context.Context, r *Response) *replayReader {
	base := Chunk{ID: r.ID, Object: "chat.completion.chunk", Created: r.Created, Model: r.Model,
		SystemFingerprint: r.SystemFingerprint, ServiceTier: r.ServiceTier}
	chunk := func(ch []ChunkChoice) *Chunk {
		c := base
		c.Choices = ch
		return &c
	}
	var out []*Chunk
	for i, c := range r.Choices {
		m := c.Message
		d := Delta{Role: m.Role, Content: m.Content, Refusal: m.Refusal, ReasoningContent: m.ReasoningContent, Audio: m.Audio}
		if d.Role == "" {
			d.Role = RoleAssistant
		}
		if len(m.Parts) > 0 {
			d.Content = m.Text()
		}
		for j, tc := range m.ToolCalls {
			idx := j
			tc.Index = &idx
			d.ToolCalls = append(d.ToolCalls, tc)
		}
		// Thinking blocks replay as a stream sends them: each block's text
		// with its signature, a redacted block whole.
		if len(m.ThinkingBlocks) > 0 {
			d.ReasoningContent = ""
			out = append(out, chunk([]ChunkChoice{{Index: i, Delta: Delta{Role: d.Role}}}))
			for _, t := range m.ThinkingBlocks {
				piece := Delta{ThinkingBlocks: []ThinkingBlock{t}}
				if t.Type != "redacted_thinking" {
					piece.ReasoningContent = t.Thinking
				}
				out = append(out, chunk([]ChunkChoice{{Index: i, Delta: piece}}))
			}
		}
		out = append(out, chunk([]ChunkChoice{{Index: i, Delta: d, Text: c.Text, Logprobs: c.Logprobs}}))
	}
	for i, c := range r.Choices {
		out = append(out, chunk([]ChunkChoice{{Index: i, FinishReason: c.FinishReason, Extra: c.Extra}}))
	}
	if !r.Usage.IsZero() {
		u := r.Usage
		c := chunk([]ChunkChoice{})
		c.Usage = &u
		out = append(out, c)
	}
	return &replayReader{ctx: ctx, chunks: out}
}

func (r *replayReader) Recv() (*Chunk, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	if r.i >= len(r.chunks) {
		return nil, io.EOF
	}
	r.i++
	return r.chunks[r.i-1], nil
}

func (r *replayReader) Close() error { return nil }

// storeReader stores what the provider streamed, when middleware may
// change the chunks the caller sees: it accumulates the provider's chunks
// and stores the response at their normal end, if every choice finished.
type storeReader struct {
	ChunkReader
	cl   *call
	ctx  context.Context
	acc  accumulator
	done bool
}

func (r *storeReader) Recv() (*Chunk, error) {
	c, err := r.ChunkReader.Recv()
	switch {
	case err == io.EOF && !r.done:
		r.done = true
		if resp := r.acc.response("chat.completion"); complete(resp) {
			r.cl.store(r.ctx, resp, nil)
		}
	case err == nil && c != nil && !r.done:
		if r.acc.add(c) != nil {
			r.done = true // an impossible sequence is never stored
		}
	}
	return c, err
}
