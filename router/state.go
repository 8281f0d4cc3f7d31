package router

import (
	"context"
	"sync"
	"time"
)

// Status is what a [State] knows about one deployment at a given time.
type Status struct {
	// Requests and Tokens are the deployment's requests sent and tokens
	// used in the current minute (a fixed window: the Unix minute).
	Requests int64
	Tokens   int64
	// CooldownUntil is when the deployment's cooldown ends; zero when it
	// never started. A time not after now means no cooldown.
	CooldownUntil time.Time
}

// State is what the routers of several processes must share to act as
// one: each deployment's cooldown, its failures and its requests and
// tokens in the current minute. [NewMemory] keeps it in this process;
// router/redis in Redis, for a gateway with several replicas.
//
// The router calls the methods from the goroutines of its callers,
// concurrently. now is the router's clock ([WithNow]); a State derives
// its per-minute windows from it (the Unix minute, now.Unix()/60), so
// processes sharing a State must have synchronised clocks. Arguments are
// owned by the caller and must not be kept. ctx carries the router's
// bound on the operation ([WithStateTimeout]): a State must return
// promptly once it is done.
//
// An error means the State could not answer: the router logs it (at most
// every 10s), uses its own in-memory state meanwhile and tries the State
// again a second later. A State never fails a call.
type State interface {
	// Load fills out[i] with the status of the deployment ids[i] at now;
	// len(out) == len(ids). A deployment the State knows nothing about
	// has a zero Status.
	Load(ctx context.Context, ids []string, now time.Time, out []Status) error
	// AddUsage adds requests and tokens to the counters of deployment id
	// for the minute containing now. The router adds one request as it
	// sends a call, and the tokens when the answer (or stream) ends.
	AddUsage(ctx context.Context, id string, now time.Time, requests, tokens int64) error
	// AddFailure counts one failure of deployment id in the minute
	// containing now and returns that minute's count, this one included.
	AddFailure(ctx context.Context, id string, now time.Time) (int64, error)
	// Cooldown takes deployment id out of every router's picks until
	// until (after now). A later Cooldown replaces an earlier one.
	Cooldown(ctx context.Context, id string, now, until time.Time) error
}

// DefaultMemoryEntries bounds the deployments a [Memory] keeps.
const DefaultMemoryEntries = 100_000

// Memory is the in-memory [State]: the state of one router, or of the
// routers of one process that share it. It is safe for concurrent use,
// starts no goroutine, and its memory is bounded: counters of a past
// minute are reset lazily, when the deployment is next touched, and once
// it holds [DefaultMemoryEntries] deployments, idle ones are dropped to
// make room. Its methods never fail.
type Memory struct {
	mu  sync.Mutex
	m   map[string]*memEntry
	max int
}

var _ State = (*Memory)(nil)

type memEntry struct {
	minute                  int64 // the Unix minute the counters are of
	requests, tokens, fails int64
	cooldown                time.Time
}

// NewMemory returns an empty in-memory state.
func NewMemory() *Memory {
	return &Memory{m: map[string]*memEntry{}, max: DefaultMemoryEntries}
}

func minuteOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 59) / 60
	}
	return s / 60
}

// Load implements [State].
func (m *Memory) Load(_ context.Context, ids []string, now time.Time, out []Status) error {
	cur := minuteOf(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, id := range ids {
		e := m.m[id]
		if e == nil {
			out[i] = Status{}
			continue
		}
		out[i] = Status{CooldownUntil: e.cooldown}
		if e.minute == cur {
			out[i].Requests, out[i].Tokens = e.requests, e.tokens
		}
	}
	return nil
}

// AddUsage implements [State].
func (m *Memory) AddUsage(_ context.Context, id string, now time.Time, requests, tokens int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(id, now)
	e.requests += requests
	e.tokens += tokens
	return nil
}

// AddFailure implements [State].
func (m *Memory) AddFailure(_ context.Context, id string, now time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(id, now)
	e.fails++
	return e.fails, nil
}

// Cooldown implements [State].
func (m *Memory) Cooldown(_ context.Context, id string, now, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entry(id, now).cooldown = until
	return nil
}

// entry returns id's entry with its counters of now's minute, making room
// for it if need be. m.mu is held.
func (m *Memory) entry(id string, now time.Time) *memEntry {
	cur := minuteOf(now)
	e := m.m[id]
	if e == nil {
		if len(m.m) >= m.max {
			m.evict(cur, now)
		}
		e = &memEntry{minute: cur}
		m.m[id] = e
	}
	if e.minute != cur {
		e.minute, e.requests, e.tokens, e.fails = cur, 0, 0, 0
	}
	return e
}

// evict drops the entries with no count this minute and no cooldown
// running; if none is idle, an arbitrary one. m.mu is held.
func (m *Memory) evict(cur int64, now time.Time) {
	for id, e := range m.m {
		if e.minute != cur && !e.cooldown.After(now) {
			delete(m.m, id)
		}
	}
	for id := range m.m {
		if len(m.m) < m.max {
			break
		}
		delete(m.m, id)
	}
}
