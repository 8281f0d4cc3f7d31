package llmux

import "context"

// emit delivers a snapshot of the event to every logger of kind k. The
// snapshot is a shallow copy of the event being built: what it points to
// is owned by the call and never changed after it was set, so loggers of
// this and later emissions share it safely.
func (cl *call) emit(ctx context.Context, k kind) {
	if !cl.has(k) {
		return
	}
	cl.emitEvent(ctx, k, cl.newEvent(kindTypes[k]), nil)
}

// emitEvent hands e (and c, for stream events) to each logger of kind k:
// inline loggers with the caller's context, queued ones with the call's
// context without its cancellation. A logger that asked for redacted
// messages gets a redacted copy, made once per emission.
func (cl *call) emitEvent(ctx context.Context, k kind, e *Event, c *Chunk) {
	var red *Event
	var redChunk *Chunk
	for _, s := range cl.subs[k] {
		ev, ch := e, c
		if s.redact && !cl.redact {
			if red == nil {
				red = redactEvent(e)
				if c != nil {
					redChunk = redactChunk(c)
				}
			}
			ev, ch = red, redChunk
		}
		if s.inline {
			s.send(ctx, k, ev, ch)
		} else {
			s.send(cl.bg, k, ev, ch)
		}
	}
}
