package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmux/llmux"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock replaces Memory.now so expiry tests do not sleep.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestMemory(t *testing.T, opts ...Option) (*Memory, *fakeClock) {
	t.Helper()
	m, err := NewMemory(opts...)
	if err != nil {
		t.Fatalf("NewMemory: %v", err)
	}
	clk := &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	m.now = clk.now
	return m, clk
}

// keysOf returns the cache's keys from least to most recently used.
func keysOf(m *Memory) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Keys()
}

// checkInvariants verifies that the byte count matches the entries held
// and that both limits hold.
func checkInvariants(t *testing.T, m *Memory) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum int64
	for _, k := range m.lru.Keys() {
		e, _ := m.lru.Peek(k)
		if want := int64(len(k)+len(e.value)) + EntryOverhead; e.size != want {
			t.Errorf("entry %q: size %d, want %d", k, e.size, want)
		}
		sum += e.size
	}
	if sum != m.bytes {
		t.Errorf("bytes = %d, entries add up to %d", m.bytes, sum)
	}
	if n := m.lru.Len(); n > m.maxEntries {
		t.Errorf("Len() = %d > max entries %d", n, m.maxEntries)
	}
	if m.bytes > m.maxBytes {
		t.Errorf("Bytes() = %d > max bytes %d", m.bytes, m.maxBytes)
	}
}

func mustGet(t *testing.T, m *Memory, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := m.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func mustSet(t *testing.T, m *Memory, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := m.Set(context.Background(), key, value, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func TestNewMemory_NoOptionsUsesDocumentedDefaults(t *testing.T) {
	m, err := NewMemory()
	if err != nil {
		t.Fatalf("NewMemory(): %v", err)
	}
	got := config{ttl: m.ttl, maxEntries: m.maxEntries, maxBytes: m.maxBytes}
	want := config{ttl: 10 * time.Minute, maxEntries: 10_000, maxBytes: 64 << 20}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{})); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestNewMemory_OptionsOverrideDefaultsAndNilIsIgnored(t *testing.T) {
	m, err := NewMemory(nil, WithTTL(time.Second), nil, WithMaxEntries(7), WithMaxBytes(4096))
	if err != nil {
		t.Fatalf("NewMemory: %v", err)
	}
	got := config{ttl: m.ttl, maxEntries: m.maxEntries, maxBytes: m.maxBytes}
	want := config{ttl: time.Second, maxEntries: 7, maxBytes: 4096}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{})); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestNewMemory_InvalidOptionsAreErrorsNamingOptionAndValue(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want []string // each line of the joined error, in order
	}{
		{"zero ttl", []Option{WithTTL(0)}, []string{"cache: WithTTL: must be positive, got 0s"}},
		{"negative ttl", []Option{WithTTL(-time.Second)}, []string{"cache: WithTTL: must be positive, got -1s"}},
		{"zero entries", []Option{WithMaxEntries(0)}, []string{"cache: WithMaxEntries: must be at least 1, got 0"}},
		{"negative entries", []Option{WithMaxEntries(-3)}, []string{"cache: WithMaxEntries: must be at least 1, got -3"}},
		{"zero bytes", []Option{WithMaxBytes(0)}, []string{"cache: WithMaxBytes: must be at least 1, got 0"}},
		{
			"every problem at once",
			[]Option{WithTTL(-time.Minute), WithMaxEntries(5), WithMaxEntries(0), WithMaxBytes(-1)},
			[]string{
				"cache: WithTTL: must be positive, got -1m0s",
				"cache: WithMaxEntries: must be at least 1, got 0",
				"cache: WithMaxBytes: must be at least 1, got -1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMemory(tt.opts...)
			if err == nil {
				t.Fatalf("NewMemory succeeded, want error")
			}
			if m != nil {
				t.Errorf("NewMemory returned a cache with its error")
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMemory_GetSetReplaceDelete(t *testing.T) {
	m, _ := newTestMemory(t)
	ctx := context.Background()

	if v, ok := mustGet(t, m, "k"); ok || v != nil {
		t.Fatalf("Get on empty cache = %q, %v; want nil, false", v, ok)
	}
	mustSet(t, m, "k", []byte("one"), 0)
	if v, ok := mustGet(t, m, "k"); !ok || string(v) != "one" {
		t.Fatalf("Get after Set = %q, %v; want \"one\", true", v, ok)
	}
	mustSet(t, m, "k", []byte("two"), 0)
	if v, ok := mustGet(t, m, "k"); !ok || string(v) != "two" {
		t.Fatalf("Get after replace = %q, %v; want \"two\", true", v, ok)
	}
	if n := m.Len(); n != 1 {
		t.Errorf("Len() after replace = %d, want 1", n)
	}
	if err := m.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok := mustGet(t, m, "k"); ok {
		t.Errorf("Get after Delete found the entry")
	}
	if err := m.Delete(ctx, "k"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if n, b := m.Len(), m.Bytes(); n != 0 || b != 0 {
		t.Errorf("Len(), Bytes() after Delete = %d, %d; want 0, 0", n, b)
	}
	checkInvariants(t, m)
}

func TestMemory_GetReturnsTheStoredSlice(t *testing.T) {
	m, _ := newTestMemory(t)
	v := []byte("owned by the cache")
	mustSet(t, m, "k", v, 0)
	got, _ := mustGet(t, m, "k")
	if &got[0] != &v[0] {
		t.Errorf("Get returned a copy; want the stored slice (Set takes ownership)")
	}
}

func TestMemory_EntriesExpireAfterTheirTTL(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		ttl      time.Duration // passed to Set
		lifetime time.Duration // expected lifetime
	}{
		{"ttl 0 uses the 10-minute default", nil, 0, 10 * time.Minute},
		{"ttl 0 uses WithTTL", []Option{WithTTL(time.Hour)}, 0, time.Hour},
		{"per-entry ttl shorter than default", nil, 5 * time.Second, 5 * time.Second},
		{"per-entry ttl longer than default", []Option{WithTTL(time.Second)}, 24 * time.Hour, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, clk := newTestMemory(t, tt.opts...)
			mustSet(t, m, "k", []byte("v"), tt.ttl)

			clk.advance(tt.lifetime - time.Nanosecond)
			if _, ok := mustGet(t, m, "k"); !ok {
				t.Fatalf("entry gone 1ns before its lifetime of %v", tt.lifetime)
			}
			clk.advance(time.Nanosecond)
			if v, ok := mustGet(t, m, "k"); ok {
				t.Fatalf("Get after %v = %q; want expired", tt.lifetime, v)
			}
			want := MemoryStats{Expirations: 1}
			if diff := cmp.Diff(want, m.Stats()); diff != "" {
				t.Errorf("Stats after expiry (-want +got):\n%s", diff)
			}
			checkInvariants(t, m)
		})
	}
}

func TestMemory_ReplacingKeyRestartsItsTTL(t *testing.T) {
	m, clk := newTestMemory(t)
	mustSet(t, m, "k", []byte("old"), time.Minute)
	clk.advance(50 * time.Second)
	mustSet(t, m, "k", []byte("new"), time.Minute)
	clk.advance(50 * time.Second)
	if v, ok := mustGet(t, m, "k"); !ok || string(v) != "new" {
		t.Errorf("Get = %q, %v; want \"new\", true", v, ok)
	}
}

func TestMemory_NegativeTTLIsAnErrorAndStoresNothing(t *testing.T) {
	m, _ := newTestMemory(t)
	err := m.Set(context.Background(), "k", []byte("v"), -time.Second)
	if err == nil || err.Error() != "cache: negative ttl -1s" {
		t.Fatalf("Set with ttl -1s: err = %v, want \"cache: negative ttl -1s\"", err)
	}
	if n := m.Len(); n != 0 {
		t.Errorf("Len() = %d after refused Set, want 0", n)
	}
}

// op is one step of an eviction scenario.
type op struct {
	kind string // "set", "get" or "del"
	key  string
	size int // value length for "set"
}

func TestMemory_EvictsLeastRecentlyUsed(t *testing.T) {
	// Each one-letter key with a 10-byte value accounts for 75 bytes.
	const unit = 1 + 10 + EntryOverhead
	tests := []struct {
		name      string
		opts      []Option
		ops       []op
		wantKeys  []string // least to most recently used
		wantBytes int64
		wantEvict uint64
	}{
		{
			name:     "by entries: oldest goes",
			opts:     []Option{WithMaxEntries(3)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}, {"set", "d", 10}},
			wantKeys: []string{"b", "c", "d"}, wantBytes: 3 * unit, wantEvict: 1,
		},
		{
			name:     "by entries: get marks most recently used",
			opts:     []Option{WithMaxEntries(3)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}, {"get", "a", 0}, {"set", "d", 10}},
			wantKeys: []string{"c", "a", "d"}, wantBytes: 3 * unit, wantEvict: 1,
		},
		{
			name:     "by entries: replace marks most recently used and evicts nothing",
			opts:     []Option{WithMaxEntries(3)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}, {"set", "a", 10}, {"set", "d", 10}},
			wantKeys: []string{"c", "a", "d"}, wantBytes: 3 * unit, wantEvict: 1,
		},
		{
			name:     "by entries: delete makes room",
			opts:     []Option{WithMaxEntries(3)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}, {"del", "b", 0}, {"set", "d", 10}},
			wantKeys: []string{"a", "c", "d"}, wantBytes: 3 * unit, wantEvict: 0,
		},
		{
			name:     "by entries: limit of one keeps the newest",
			opts:     []Option{WithMaxEntries(1)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}},
			wantKeys: []string{"c"}, wantBytes: unit, wantEvict: 2,
		},
		{
			name:     "by bytes: exactly full evicts nothing",
			opts:     []Option{WithMaxBytes(3 * unit)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}},
			wantKeys: []string{"a", "b", "c"}, wantBytes: 3 * unit, wantEvict: 0,
		},
		{
			name:     "by bytes: one byte over evicts the oldest",
			opts:     []Option{WithMaxBytes(3 * unit)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 11}},
			wantKeys: []string{"b", "c"}, wantBytes: 2*unit + 1, wantEvict: 1,
		},
		{
			name: "by bytes: a large value evicts several, least recently used first",
			opts: []Option{WithMaxBytes(3 * unit)},
			ops: []op{
				{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}, {"get", "a", 0},
				{"set", "d", 10 + unit}, // needs two units
			},
			wantKeys: []string{"a", "d"}, wantBytes: 3 * unit, wantEvict: 2,
		},
		{
			name: "by bytes: growing a replaced value evicts others, never the key itself",
			opts: []Option{WithMaxBytes(3 * unit)},
			ops: []op{
				{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10},
				{"set", "b", 10 + 2*unit}, // b alone fills the cache
			},
			wantKeys: []string{"b"}, wantBytes: 3 * unit, wantEvict: 2,
		},
		{
			name: "by bytes: shrinking a replaced value frees room",
			opts: []Option{WithMaxBytes(3 * unit)},
			ops: []op{
				{"set", "a", 10 + unit}, {"set", "b", 10},
				{"set", "a", 10}, {"set", "c", 10},
			},
			wantKeys: []string{"b", "a", "c"}, wantBytes: 3 * unit, wantEvict: 0,
		},
		{
			name:     "both limits: entries bind first",
			opts:     []Option{WithMaxEntries(2), WithMaxBytes(10 * unit)},
			ops:      []op{{"set", "a", 10}, {"set", "b", 10}, {"set", "c", 10}},
			wantKeys: []string{"b", "c"}, wantBytes: 2 * unit, wantEvict: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestMemory(t, tt.opts...)
			ctx := context.Background()
			for _, o := range tt.ops {
				switch o.kind {
				case "set":
					mustSet(t, m, o.key, bytes.Repeat([]byte{'x'}, o.size), 0)
				case "get":
					if _, ok := mustGet(t, m, o.key); !ok {
						t.Fatalf("Get(%q) missed", o.key)
					}
				case "del":
					if err := m.Delete(ctx, o.key); err != nil {
						t.Fatalf("Delete(%q): %v", o.key, err)
					}
				}
				checkInvariants(t, m)
			}
			if diff := cmp.Diff(tt.wantKeys, keysOf(m)); diff != "" {
				t.Errorf("keys, least recently used first (-want +got):\n%s", diff)
			}
			want := MemoryStats{Entries: len(tt.wantKeys), Bytes: tt.wantBytes, Evictions: tt.wantEvict}
			if diff := cmp.Diff(want, m.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
			if got := m.Bytes(); got != tt.wantBytes {
				t.Errorf("Bytes() = %d, want %d", got, tt.wantBytes)
			}
		})
	}
}

func TestMemory_ReplacingKeyUpdatesBytes(t *testing.T) {
	m, _ := newTestMemory(t)
	for _, n := range []int{10, 1000, 0, 5} {
		mustSet(t, m, "key", make([]byte, n), 0)
		if got, want := m.Bytes(), int64(3+n+EntryOverhead); got != want {
			t.Errorf("Bytes() after storing %d bytes = %d, want %d", n, got, want)
		}
		if got := m.Len(); got != 1 {
			t.Errorf("Len() = %d, want 1", got)
		}
	}
}

func TestMemory_EvictingAnExpiredEntryCountsAsExpiration(t *testing.T) {
	m, clk := newTestMemory(t, WithMaxEntries(2))
	mustSet(t, m, "a", []byte("v"), time.Second)
	mustSet(t, m, "b", []byte("v"), time.Hour)
	clk.advance(2 * time.Second)
	mustSet(t, m, "c", []byte("v"), 0) // pushes out a, which expired
	mustSet(t, m, "d", []byte("v"), 0) // pushes out b, which is live
	if diff := cmp.Diff([]string{"c", "d"}, keysOf(m)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	want := MemoryStats{Entries: 2, Bytes: 2 * (2 + EntryOverhead), Evictions: 1, Expirations: 1}
	if diff := cmp.Diff(want, m.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestMemory_OversizeEntryIsRefusedWithClearError(t *testing.T) {
	m, _ := newTestMemory(t, WithMaxBytes(1024))
	mustSet(t, m, "k", []byte("small"), 0)
	mustSet(t, m, "other", []byte("v"), 0)

	// 1 (key) + 960 + 64 = 1025 bytes: one over the limit.
	err := m.Set(context.Background(), "k", make([]byte, 960), 0)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Set of oversize value: err = %v, want ErrTooLarge", err)
	}
	const wantMsg = "cache: entry too large for the memory cache: value of 960 bytes (1025 with key and overhead) exceeds the limit of 1024 bytes"
	if err.Error() != wantMsg {
		t.Errorf("error = %q\nwant    %q", err, wantMsg)
	}
	if v, ok := mustGet(t, m, "k"); !ok || string(v) != "small" {
		t.Errorf("Get(k) after refused replace = %q, %v; want the earlier value", v, ok)
	}
	if diff := cmp.Diff([]string{"other", "k"}, keysOf(m)); diff != "" {
		t.Errorf("keys after refused Set (-want +got):\n%s", diff)
	}

	// Exactly the limit fits and evicts everything else.
	mustSet(t, m, "k", make([]byte, 959), 0)
	if got := m.Bytes(); got != 1024 {
		t.Errorf("Bytes() = %d, want 1024", got)
	}
	checkInvariants(t, m)
}

func TestMemory_DoneContextIsAnErrorAndStoresNothing(t *testing.T) {
	m, _ := newTestMemory(t)
	mustSet(t, m, "k", []byte("v"), 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, ok, err := m.Get(ctx, "k"); !errors.Is(err, context.Canceled) || ok {
		t.Errorf("Get with canceled ctx = ok %v, err %v; want false, context.Canceled", ok, err)
	}
	if err := m.Set(ctx, "new", []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with canceled ctx: err = %v, want context.Canceled", err)
	}
	if err := m.Delete(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with canceled ctx: err = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"k"}, keysOf(m)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestMemory_PurgeRemovesEverythingAndKeepsCounters(t *testing.T) {
	m, _ := newTestMemory(t, WithMaxEntries(2))
	for _, k := range []string{"a", "b", "c"} {
		mustSet(t, m, k, []byte("value"), 0)
	}
	m.Purge()
	want := MemoryStats{Evictions: 1}
	if diff := cmp.Diff(want, m.Stats()); diff != "" {
		t.Errorf("Stats after Purge (-want +got):\n%s", diff)
	}
	if _, ok := mustGet(t, m, "c"); ok {
		t.Errorf("Get after Purge found an entry")
	}
	mustSet(t, m, "d", []byte("value"), 0)
	checkInvariants(t, m)
}

// selfCheckingValue returns a value that identifies its writer and can be
// validated on its own: length 100+w, every byte equal to w.
func selfCheckingValue(w int) []byte { return bytes.Repeat([]byte{byte(w)}, 100+w) }

func validValue(v []byte) error {
	if len(v) < 100 {
		return fmt.Errorf("value of %d bytes, shorter than any written", len(v))
	}
	w := int(v[0])
	if len(v) != 100+w {
		return fmt.Errorf("value starting with writer %d has length %d, want %d", w, len(v), 100+w)
	}
	for i, b := range v {
		if int(b) != w {
			return fmt.Errorf("torn value: byte %d is %d, byte 0 is %d", i, b, w)
		}
	}
	return nil
}

func TestMemory_ConcurrentSafe(t *testing.T) {
	const (
		writers    = 32
		iterations = 2000
		maxEntries = 16
		maxBytes   = 8 * (100 + writers + 8 + EntryOverhead) // room for about 8 entries
	)
	m, clk := newTestMemory(t, WithMaxEntries(maxEntries), WithMaxBytes(maxBytes))
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range iterations {
				// Half the traffic shares one key; the rest spreads over
				// keys shared by a few writers and keys of this writer.
				keys := []string{"shared", fmt.Sprintf("k%d", i%24), fmt.Sprintf("w%d-%d", w, i%4)}
				key := keys[i%len(keys)]
				if i%2 == 0 {
					key = "shared"
				}
				var ttl time.Duration
				if i%7 == 0 {
					ttl = time.Millisecond // expires once the clock moves
				}
				if err := m.Set(ctx, key, selfCheckingValue(w), ttl); err != nil {
					errs <- fmt.Errorf("Set(%q): %w", key, err)
					return
				}
				v, ok, err := m.Get(ctx, keys[(i+1)%len(keys)])
				if err != nil {
					errs <- fmt.Errorf("Get: %w", err)
					return
				}
				if ok {
					if err := validValue(v); err != nil {
						errs <- err
						return
					}
				}
				if n := m.Len(); n > maxEntries {
					errs <- fmt.Errorf("Len() = %d > %d", n, maxEntries)
					return
				}
				if b := m.Bytes(); b > maxBytes {
					errs <- fmt.Errorf("Bytes() = %d > %d", b, maxBytes)
					return
				}
				switch i % 101 {
				case 0:
					clk.advance(time.Millisecond)
				case 50:
					_ = m.Delete(ctx, key)
				case 100:
					_ = m.Stats()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkInvariants(t, m)
	if s := m.Stats(); s.Evictions == 0 {
		t.Errorf("Stats = %+v: the test should have forced evictions", s)
	}
}

func TestMemory_OversizeErrorIsARejectionForTheClient(t *testing.T) {
	m, err := NewMemory(WithMaxBytes(100))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Set(context.Background(), "k", make([]byte, 200), 0)
	if !errors.Is(err, llmux.ErrCacheRejected) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want it to wrap ErrTooLarge and llmux.ErrCacheRejected", err)
	}
}
