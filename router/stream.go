package router

import (
	"context"
	"io"
	"sync"

	"github.com/llmux/llmux"
)

// tracked wraps a routed stream: the deployment has one more call in
// flight until the stream ends or is closed, and its tokens count when it
// ends: the usage chunk's, else an estimate from the text received (4
// bytes a token). An error in the middle of the stream counts towards the
// deployment's cooldown; it is never retried.
//
// The client calls Recv and Close from one goroutine at a time, and Close
// once; tracked relies on that for its fields but finishes once whatever
// the order.
type tracked struct {
	llmux.ChunkReader
	r *Router
	g *group
	d *dep

	usage *llmux.Usage // the latest usage the stream reported
	bytes int          // text received, for an estimate without usage
	once  sync.Once
}

// Recv implements llmux.ChunkReader.
func (t *tracked) Recv() (*llmux.Chunk, error) {
	c, err := t.ChunkReader.Recv()
	switch {
	case err == io.EOF:
		t.finish(nil)
	case err != nil:
		t.finish(err)
	case c != nil:
		if c.Usage != nil {
			u := *c.Usage
			t.usage = &u
		}
		for i := range c.Choices {
			t.bytes += len(c.Choices[i].Delta.Content) + len(c.Choices[i].Text)
		}
	}
	return c, err
}

// Close implements llmux.ChunkReader.
func (t *tracked) Close() error {
	err := t.ChunkReader.Close()
	t.finish(nil)
	return err
}

// finish ends the stream's accounting, once.
func (t *tracked) finish(err error) {
	t.once.Do(func() {
		t.d.inflight.Add(-1)
		// The caller's context is not ours to keep: the state operations
		// get a fresh one, bounded by the state timeout.
		ctx := context.Background()
		now := t.r.cfg.now()
		if err != nil {
			t.r.failed(ctx, t.g, t.d, err, now, 0)
		}
		tokens := int64((t.bytes + 3) / 4)
		if t.usage != nil {
			tokens = usageTokens(t.usage)
		}
		if tokens > 0 {
			t.r.book.addUsage(ctx, t.d.ID, now, 0, tokens)
		}
	})
}
