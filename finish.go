package llmux

import (
	"net/http"
	"sync"

	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/mask"
)

// Deferred event work. Masking the wire exchange's headers, scrubbing the
// raw response and pricing the usage are work for the loggers, not for
// the caller: the call hands over references to values nobody changes
// after (the provider's request headers and body, the response's headers
// and body, the usage) with the secrets known at that moment, and the
// first logger that gets an event does the work, once, on its own
// goroutine. Every logger still gets a finished event: deliver finishes
// it before the logger sees it. A logger given inline does the work on
// the caller's goroutine, as before.

// wireParts is what an attempt's events show of its request, raw until
// masked.
type wireParts struct {
	once    sync.Once
	secrets mask.Secrets // those known when the attempt began
	apiKey  string
	url     string
	header  http.Header
	// masked
	key, base string
	headers   map[string]string
}

func (w *wireParts) masked() *wireParts {
	w.once.Do(func() {
		w.key = mask.Key(w.apiKey)
		w.base = w.secrets.String(mask.URL(w.url))
		w.headers = w.secrets.Map(mask.Header(w.header))
	})
	return w
}

// respParts is what an attempt's events show of its response.
type respParts struct {
	once    sync.Once
	secrets mask.Secrets
	// raw is a copy of the body as received (the caller's Response.Raw
	// is the same bytes, and the caller owns it); empty when the event's
	// OriginalResponse was set at once.
	raw    string
	header http.Header
	// scrubbed
	orig    string
	headers map[string]string
}

func (r *respParts) masked() *respParts {
	r.once.Do(func() {
		r.orig = r.secrets.String(r.raw)
		r.headers = r.secrets.Map(mask.Header(r.header))
	})
	return r
}

// costParts prices a usage from the client's table.
type costParts struct {
	once     sync.Once
	prices   *cost.Table
	provider string
	usage    Usage
	model    string // the upstream model
	fallback string // the model the provider answered with
	// priced
	b   cost.Breakdown
	err error
}

func (c *costParts) priced() *costParts {
	c.once.Do(func() {
		c.b, c.err = usageCost(c.prices, c.provider, c.usage, c.model, c.fallback)
	})
	return c
}

// finisher finishes one emitted event. Events share the parts (what one
// attempt or one call computed once); each event has its own finisher,
// since every event's fields are written once.
type finisher struct {
	once sync.Once
	wire *wireParts
	resp *respParts
	cost *costParts
	// cacheHit prices the usage as SavedCacheCost rather than ResponseCost.
	cacheHit bool
	// redact: the event is a logger's redacted copy; its original response
	// is replaced as redactEvent replaces it.
	redact bool
}

// finish writes the deferred fields into e. It is safe for the loggers of
// one emission to call it concurrently; each returns once e is complete.
func (e *Event) finish() {
	f := e.fin
	if f == nil {
		return
	}
	f.once.Do(func() {
		if w := f.wire; w != nil {
			w.masked()
			e.Attempt.APIKey, e.Attempt.APIBase, e.Attempt.Headers = w.key, w.base, w.headers
		}
		if r := f.resp; r != nil {
			r.masked()
			e.ResponseHeaders = r.headers
			if r.raw != "" {
				e.OriginalResponse = r.orig
				if f.redact && e.Err == nil && e.Attempt.Err == nil {
					e.OriginalResponse = RedactedText
				}
			}
		}
		if c := f.cost; c != nil {
			c.priced()
			switch {
			case !f.cacheHit:
				e.ResponseCost, e.CostBreakdown, e.CostErr = c.b.Total, c.b, c.err
			case c.err == nil:
				e.SavedCacheCost = c.b.Total
			}
		}
	})
}

// newEvent returns a new event: a shallow copy of the one being built,
// of type t, with its own finisher when the call left work to the loggers
// (one allocation for both).
func (cl *call) newEvent(t EventType) *Event {
	if cl.wireFin == nil && cl.respFin == nil && cl.costFin == nil {
		e := new(Event)
		*e = cl.ev
		e.Type = t
		return e
	}
	p := &struct {
		e Event
		f finisher
	}{e: cl.ev, f: finisher{wire: cl.wireFin, resp: cl.respFin, cost: cl.costFin, cacheHit: cl.ev.CacheHit}}
	p.e.Type = t
	p.e.fin = &p.f
	return &p.e
}

// redacted returns the finisher of a logger's redacted copy of f's event.
func (f *finisher) redacted() *finisher {
	if f == nil {
		return nil
	}
	return &finisher{wire: f.wire, resp: f.resp, cost: f.cost, cacheHit: f.cacheHit, redact: true}
}
