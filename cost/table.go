package cost

import (
	"fmt"
	"iter"
	"strings"
	"sync"
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
	m  map[key]Price
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

// New returns an empty table.
func New() *Table { return &Table{m: make(map[key]Price)} }

// Register sets the price of model, replacing any previous entry. model is
// a table key: bare ("my-model") or prefixed ("openai/my-model"); see
// [Table.Lookup].
//
// Registering on [Default] changes prices for the whole process; to keep
// changes local, register on a [Table.Clone] of it.
func (t *Table) Register(model string, p Price) {
	t.mu.Lock()
	t.m[splitKey(model)] = p
	t.mu.Unlock()
}

// Merge copies every entry of other into t, replacing entries t already
// has. Use it to layer a newer price file over the embedded one.
func (t *Table) Merge(other *Table) {
	if other == nil || other == t {
		return
	}
	other.mu.RLock()
	entries := make(map[key]Price, len(other.m))
	for k, p := range other.m {
		entries[k] = p
	}
	other.mu.RUnlock()

	t.mu.Lock()
	for k, p := range entries {
		t.m[k] = p
	}
	t.mu.Unlock()
}

// Clone returns a copy of t that can be changed without affecting t.
func (t *Table) Clone() *Table {
	c := New()
	c.Merge(t)
	return c
}

// Len returns the number of entries in t.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// All returns every entry of t with its key, in no particular order. It
// iterates over a snapshot, so the loop body may change t.
func (t *Table) All() iter.Seq2[string, Price] {
	t.mu.RLock()
	snap := make(map[key]Price, len(t.m))
	for k, p := range t.m {
		snap[k] = p
	}
	t.mu.RUnlock()
	return func(yield func(string, Price) bool) {
		for k, p := range snap {
			name := k.name
			if k.prefix != "" {
				name = k.prefix + "/" + k.name
			}
			if !yield(name, p) {
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
func (t *Table) Lookup(provider, model string) (Price, bool) {
	t.mu.RLock()
	p, ok := t.find(provider, model)
	t.mu.RUnlock()
	return p, ok
}

func (t *Table) find(provider, model string) (Price, bool) {
	if provider != "" {
		if p, ok := t.m[key{provider, model}]; ok {
			return p, true
		}
	}
	k := splitKey(model)
	if p, ok := t.m[k]; ok {
		return p, true
	}
	if k.prefix != "" {
		if p, ok := t.m[splitKey(k.name)]; ok {
			return p, true
		}
	}
	return Price{}, false
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
