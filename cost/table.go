package cost

import (
	"fmt"
	"iter"
	"maps"
	"strings"
	"sync"

	"github.com/llmux/llmux/cost/internal/keyhash"
)

// Table maps model names to prices. It is safe for concurrent use: lookups
// and costs may run while other goroutines register or merge prices.
//
// Names are LiteLLM's keys: bare ("gpt-4o", "claude-sonnet-4-5"),
// provider-prefixed ("azure/gpt-4o", "gemini/gemini-2.5-flash") or paths
// ("bedrock/us-east-1/anthropic.claude-v2:1"). See [Table.Lookup] for how a
// provider and model are matched to them.
type Table struct {
	mu sync.RWMutex
	// base holds read-only entries shared between copies: the generated
	// table (prices_gen.go) for [Default] and its clones, nil for other
	// tables. It costs nothing until a lookup reads it.
	base *base
	// m holds the entries set by Load, Register and Merge; they shadow
	// base. It may be nil.
	m map[key]Price
	// extra counts the keys of m that base lacks, so that
	// Len = base.len() + extra.
	extra int
}

// key is a model name split at its first slash, so that Lookup can try
// "provider/model" without building the string: "azure/gpt-4o" is
// {"azure", "gpt-4o"} and the bare "gpt-4o" is {"", "gpt-4o"}.
type key struct{ prefix, name string }

func splitKey(s string) key {
	if p, n, ok := strings.Cut(s, "/"); ok && p != "" {
		return key{p, n}
	}
	return key{"", s}
}

// String returns the model name k was split from.
func (k key) String() string {
	if k.prefix == "" {
		return k.name
	}
	return k.prefix + "/" + k.name
}

// base is a read-only table built ahead of time, by internal/gen: packed
// rows, the strings they refer to, and a hash index over the rows, all
// static data. The rows hold no pointer, so the linker puts them where the
// garbage collector never looks: as Price values (strings included) the
// 2,700 rows were 470 KB of globals that every collection scanned. A nil
// *base is empty.
type base struct {
	rows []packed
	// strs holds every key and every Provider and Mode of rows,
	// concatenated; a row's strings are ranges of it.
	strs string
	// slots is an open-addressing hash table with linear probing: the
	// search for key k starts at keyhash.Sum(k) masked to len(slots), a
	// power of two. A slot holds a row's index plus one, or 0 if empty;
	// at least one is empty, so every search ends.
	slots []uint16
}

// packed is one entry of a base: its key and Price, with the strings as
// ranges of base.strs.
type packed struct {
	prefix, name, provider, mode span
	n                            numbers
}

// span is the range [off, off+n) of base.strs.
type span struct{ off, n uint32 }

// numbers are the fields of Price other than Provider and Mode, in Price's
// order (TestNumbers_MirrorPrice keeps them so).
type numbers struct {
	MaxInputTokens, MaxOutputTokens int

	InputPerToken, OutputPerToken, CacheReadPerToken, CacheCreationPerToken, ReasoningPerToken float64

	InputPerTokenAbove200k, OutputPerTokenAbove200k, CacheReadPerTokenAbove200k, CacheCreationPerTokenAbove200k float64

	InputPerTokenAbove128k, OutputPerTokenAbove128k float64

	Unpriced bool
}

// price returns the Price of n with provider and mode.
func (n *numbers) price(provider, mode string) Price {
	return Price{Provider: provider, Mode: mode, MaxInputTokens: n.MaxInputTokens, MaxOutputTokens: n.MaxOutputTokens,
		InputPerToken: n.InputPerToken, OutputPerToken: n.OutputPerToken, CacheReadPerToken: n.CacheReadPerToken,
		CacheCreationPerToken: n.CacheCreationPerToken, ReasoningPerToken: n.ReasoningPerToken,
		InputPerTokenAbove200k: n.InputPerTokenAbove200k, OutputPerTokenAbove200k: n.OutputPerTokenAbove200k,
		CacheReadPerTokenAbove200k: n.CacheReadPerTokenAbove200k, CacheCreationPerTokenAbove200k: n.CacheCreationPerTokenAbove200k,
		InputPerTokenAbove128k: n.InputPerTokenAbove128k, OutputPerTokenAbove128k: n.OutputPerTokenAbove128k,
		Unpriced: n.Unpriced}
}

func (b *base) str(s span) string { return b.strs[s.off : s.off+s.n] }

// key returns the key of row i.
func (b *base) key(i int) key { r := &b.rows[i]; return key{b.str(r.prefix), b.str(r.name)} }

// price returns the Price of row i.
func (b *base) price(i int) Price {
	r := &b.rows[i]
	return r.n.price(b.str(r.provider), b.str(r.mode))
}

func (b *base) len() int {
	if b == nil {
		return 0
	}
	return len(b.rows)
}

// all yields the rows of b; none if b is nil.
func (b *base) all() iter.Seq2[key, Price] {
	return func(yield func(key, Price) bool) {
		for i := range b.len() {
			if !yield(b.key(i), b.price(i)) {
				return
			}
		}
	}
}

// find sets *p (when p is not nil) to the price of k and reports whether
// b has it.
func (b *base) find(k key, p *Price) bool {
	if b == nil || len(b.slots) == 0 {
		return false
	}
	mask := uint32(len(b.slots) - 1)
	for h := keyhash.Sum(k.prefix, k.name) & mask; ; h = (h + 1) & mask {
		i := b.slots[h]
		if i == 0 {
			return false
		}
		if r := &b.rows[i-1]; b.str(r.name) == k.name && b.str(r.prefix) == k.prefix {
			if p != nil {
				*p = b.price(int(i - 1))
			}
			return true
		}
	}
}

// New returns an empty table.
func New() *Table { return &Table{} }

// Register sets the price of model, replacing any previous entry. model is
// a table key: bare ("my-model") or prefixed ("openai/my-model"); see
// [Table.Lookup].
//
// Registering on [Default] changes prices for the whole process; to keep
// changes local, register on a [Table.Clone] of it.
func (t *Table) Register(model string, p Price) {
	t.mu.Lock()
	t.set(splitKey(model), p)
	t.mu.Unlock()
}

// set stores p under k. The caller holds t.mu for writing.
func (t *Table) set(k key, p Price) {
	var bp Price
	inBase := t.base.find(k, &bp)
	if inBase && bp == p {
		delete(t.m, k) // base has it already: merging Default into a clone of it stores nothing
		return
	}
	if _, ok := t.m[k]; !ok && !inBase {
		t.extra++
	}
	if t.m == nil {
		t.m = make(map[key]Price)
	}
	t.m[k] = p
}

// snapshot returns t's base and a copy of its other entries.
func (t *Table) snapshot() (*base, map[key]Price) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.base, maps.Clone(t.m)
}

// Merge copies every entry of other into t, replacing entries t already
// has. Use it to layer a newer price file over the embedded one.
func (t *Table) Merge(other *Table) {
	if other == nil || other == t {
		return
	}
	b, m := other.snapshot()

	t.mu.Lock()
	defer t.mu.Unlock()
	for k, p := range b.all() {
		if _, shadowed := m[k]; !shadowed {
			t.set(k, p)
		}
	}
	for k, p := range m {
		t.set(k, p)
	}
}

// Clone returns a copy of t that can be changed without affecting t. A
// clone of [Default] shares its read-only data, so it is cheap.
func (t *Table) Clone() *Table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &Table{base: t.base, m: maps.Clone(t.m), extra: t.extra}
}

// Len returns the number of entries in t.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.base.len() + t.extra
}

// All returns every entry of t with its key, in no particular order. It
// iterates over a snapshot, so the loop body may change t.
func (t *Table) All() iter.Seq2[string, Price] {
	b, m := t.snapshot()
	return func(yield func(string, Price) bool) {
		for k, p := range m {
			if !yield(k.String(), p) {
				return
			}
		}
		for k, p := range b.all() {
			if _, shadowed := m[k]; shadowed {
				continue
			}
			if !yield(k.String(), p) {
				return
			}
		}
	}
}

// Lookup returns the price of model as served by provider, trying in order:
//
//  1. "provider/model", e.g. "azure/gpt-4o" for ("azure", "gpt-4o");
//  2. model as given, e.g. "gpt-4o", or "gemini/gemini-2.5-flash" when the
//     model name carries LiteLLM's prefix;
//  3. if model has a prefix, the name without it, so "openai/gpt-4o" finds
//     "gpt-4o".
//
// provider may be empty. The provider does not have to match the entry's
// Provider: an OpenAI-compatible server serving "gpt-4o" is priced as
// gpt-4o. Lookup does not allocate.
func (t *Table) Lookup(provider, model string) (p Price, ok bool) {
	t.mu.RLock()
	ok = t.find(provider, model, &p)
	t.mu.RUnlock()
	return p, ok
}

// find sets *p to the price of model at provider; see [Table.Lookup]. The
// caller holds t.mu. It works through a pointer because Price is large:
// returning it by value from each step costs more than the search.
func (t *Table) find(provider, model string, p *Price) bool {
	if provider != "" && t.get(key{provider, model}, p) {
		return true
	}
	k := splitKey(model)
	if t.get(k, p) {
		return true
	}
	return k.prefix != "" && t.get(splitKey(k.name), p)
}

// get sets *p to the entry under k, if any: a registered or merged one
// first, else base's. The caller holds t.mu.
func (t *Table) get(k key, p *Price) bool {
	if len(t.m) != 0 {
		if v, ok := t.m[k]; ok {
			*p = v
			return true
		}
	}
	return t.base.find(k, p)
}

// ProviderOf returns the LiteLLM provider (litellm_provider) of a model
// name: "openai" for "gpt-4o", "anthropic" for "claude-sonnet-4-5", "azure"
// for "azure/gpt-4o". The client uses it to route bare model names.
func (t *Table) ProviderOf(model string) (string, bool) {
	p, ok := t.Lookup("", model)
	if !ok || p.Provider == "" {
		return "", false
	}
	return p.Provider, true
}

// Cost returns the cost of a call to model at provider with usage u; see
// [Table.Lookup] for how the price is found and [Price.Cost] for how it is
// applied. An error wrapping [ErrUnknownModel] means the cost is unknown.
func (t *Table) Cost(provider, model string, u Usage) (Breakdown, error) {
	p, ok := t.Lookup(provider, model)
	if !ok || p.Unpriced {
		name := model
		if provider != "" {
			name = provider + "/" + model
		}
		if !ok {
			return Breakdown{}, fmt.Errorf("%w %q: not in the table", ErrUnknownModel, name)
		}
		return Breakdown{}, fmt.Errorf("%w %q: not billed per token", ErrUnknownModel, name)
	}
	return p.Cost(u)
}

// Of returns the cost of a call with the [Default] table; see [Table.Cost].
func Of(provider, model string, u Usage) (Breakdown, error) {
	return Default().Cost(provider, model, u)
}

// Lookup returns a price from the [Default] table; see [Table.Lookup].
func Lookup(provider, model string) (Price, bool) {
	return Default().Lookup(provider, model)
}

// ProviderOf returns a model's provider from the [Default] table; see
// [Table.ProviderOf].
func ProviderOf(model string) (string, bool) {
	return Default().ProviderOf(model)
}
