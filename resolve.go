package llmux

import (
	"fmt"
	"strings"
)

// modelClaimer is provider.modelClaimer: a provider that declares the
// model names it serves besides "<Name()>/<model>".
type modelClaimer interface {
	Prefixes() []string
	ClaimModel(model string) bool
}

// resolver maps model names to registered providers: "prefix/model" by the
// providers' names and claimed prefixes, bare names by the first
// provider, in registration order, that claims them. It is built once in
// New and never changes; the price table plays no part.
type resolver struct {
	byPrefix map[string]Provider
	claimers []modelClaimer
	claimed  []Provider // claimers[i] is claimed[i]'s interface
	names    []string   // registration order, for errors
}

func newResolver(ps []Provider) *resolver {
	r := &resolver{byPrefix: map[string]Provider{}}
	for _, p := range ps {
		name := p.Name()
		if _, dup := r.byPrefix[name]; !dup {
			r.names = append(r.names, name)
		} else {
			// A later provider with the same name replaces the earlier one.
			for i, q := range r.claimed {
				if q.Name() == name {
					r.claimers = append(r.claimers[:i], r.claimers[i+1:]...)
					r.claimed = append(r.claimed[:i], r.claimed[i+1:]...)
					break
				}
			}
		}
		r.byPrefix[name] = p
		if m, ok := p.(modelClaimer); ok {
			for _, pre := range m.Prefixes() {
				if _, taken := r.byPrefix[pre]; !taken && pre != "" {
					r.byPrefix[pre] = p
				}
			}
			r.claimers = append(r.claimers, m)
			r.claimed = append(r.claimed, p)
		}
	}
	return r
}

// lookup returns the provider serving model and the upstream model name;
// nil when none does. prefix is the model's "prefix/" part, if any.
func (r *resolver) lookup(model string) (p Provider, upstream, prefix string) {
	if pre, rest, ok := strings.Cut(model, "/"); ok {
		if p, ok := r.byPrefix[pre]; ok {
			return p, rest, pre
		}
		prefix = pre
	}
	for i, m := range r.claimers {
		if m.ClaimModel(model) {
			return r.claimed[i], model, prefix
		}
	}
	return nil, model, prefix
}

// describe lists the registered providers with their prefixes.
func (r *resolver) describe() string {
	var b strings.Builder
	for i, n := range r.names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		var extra []string
		for pre, p := range r.byPrefix {
			if pre != n && p.Name() == n {
				extra = append(extra, pre+"/")
			}
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, " (also %s)", strings.Join(extra, ", "))
		}
	}
	return b.String()
}

// resolve picks the provider of a request and the upstream model name. A
// MockResponse or a "mock/" model is served by the mock provider, which
// reports the provider the name resolves to, or the name's unregistered
// prefix, or "mock". global says the call is a package-level one, for the
// advice of the error.
func (c *Client) resolve(req *Request, global bool) (p Provider, name, upstream string, err error) {
	model := req.Model
	p, upstream, prefix := c.resolver.lookup(model)
	if p != nil {
		name = p.Name()
	}
	if req.MockResponse != nil || name == mockName {
		switch {
		case name != "":
		case prefix != "":
			name = prefix
			_, upstream, _ = strings.Cut(model, "/")
		default:
			name = mockName
		}
		return mockProvider{}, name, upstream, nil
	}
	if p != nil {
		return p, name, upstream, nil
	}
	register := "llmux.New(llmux.WithProvider(...))"
	if global {
		register = "llmux.SetDefault(llmux.New(llmux.WithProvider(...)))"
	}
	var msg string
	if prefix != "" {
		_, upstream, _ = strings.Cut(model, "/")
		msg = fmt.Sprintf("model: no provider is registered for the prefix %q of %q (registered: %s); register one with %s, "+
			"for example an OpenAI-compatible server with openai.New(openai.WithName(%q), openai.WithBaseURL(...)) "+
			"from github.com/llmux/llmux/provider/openai", prefix, model, c.resolver.describe(), register, prefix)
	} else {
		msg = fmt.Sprintf("model: no registered provider serves %q; write it as \"provider/model\" (registered: %s) "+
			"or register the provider that serves it with %s, for example openai.New() from "+
			"github.com/llmux/llmux/provider/openai or anthropic.New() from github.com/llmux/llmux/provider/anthropic",
			model, c.resolver.describe(), register)
	}
	return nil, prefix, upstream, &Error{Code: CodeNotFound, Provider: prefix, Param: "model", Message: msg}
}
