// Package later lets the gateway answer a call before the SDK finishes the
// call's last events. The gateway puts a Slot in every call's context; a
// completion that succeeds leaves the building and emitting of its last
// post-API-call event and its success event in the slot, with their times
// taken when the answer was ready, and the gateway runs the slot once the
// handler has written its answer and it is flushed. The events and their order are
// the same as without a slot; the client just does not wait for them.
package later

import "context"

// Slot holds the work a call left for after the answer.
type Slot struct{ fn func() }

type key struct{}

// With returns ctx carrying a new slot, and the slot.
func With(ctx context.Context) (context.Context, *Slot) {
	s := &Slot{}
	return context.WithValue(ctx, key{}, s), s
}

// From returns the slot ctx carries, or nil.
func From(ctx context.Context) *Slot {
	s, _ := ctx.Value(key{}).(*Slot)
	return s
}

// Set leaves fn in the slot; a slot holds one call's work.
func (s *Slot) Set(fn func()) { s.fn = fn }

// Run runs what the slot holds, once; a second Run, or a Run on an empty
// slot, does nothing.
func (s *Slot) Run() {
	if fn := s.fn; fn != nil {
		s.fn = nil
		fn()
	}
}
