// Command middleware shows middleware acting on calls, which loggers
// cannot do: a budget guard that refuses a team over its budget before
// any API call (LiteLLM's async_pre_call_hook raising an exception), and a
// guardrail that masks e-mail addresses in a streamed answer chunk by
// chunk (async_post_call_streaming_iterator_hook). A logger shows what the
// events carry: the refusal is one failure event, the masked stream is
// what the success event records. Runs offline on the mock provider.
//
//	go run ./examples/middleware
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"sync"

	"github.com/llmux/llmux"
)

// Budget refuses calls of a team that has spent its budget, and charges
// each call's cost after it.
type Budget struct {
	mu    sync.Mutex
	left  map[string]float64
	spent map[string]float64
}

// Middleware returns the guard.
func (b *Budget) Middleware(next llmux.CallFunc) llmux.CallFunc {
	return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
		team, _ := c.Request.Metadata["team"].(string)
		b.mu.Lock()
		left := b.left[team]
		b.mu.Unlock()
		if left <= 0 {
			return nil, &llmux.Error{Code: llmux.CodePermission, Message: fmt.Sprintf("team %q is over its budget", team)}
		}
		return next(ctx, c)
	}
}

// LogSuccessEvent charges the call's cost: the figure the client computed.
func (b *Budget) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	team, _ := e.Metadata["team"].(string)
	b.mu.Lock()
	b.left[team] -= e.ResponseCost
	b.spent[team] += e.ResponseCost
	b.mu.Unlock()
}

var email = regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.]+`)

// maskEmails is a guardrail on streams: it wraps the stream and replaces
// e-mail addresses in each chunk it passes on. (An address split across
// two chunks would need a buffer; the example keeps to whole words.)
func maskEmails(next llmux.CallFunc) llmux.CallFunc {
	return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
		res, err := next(ctx, c)
		if err != nil || res.Stream == nil {
			return res, err
		}
		return &llmux.Result{Stream: masked{res.Stream}}, nil
	}
}

type masked struct{ llmux.ChunkReader }

func (m masked) Recv() (*llmux.Chunk, error) {
	c, err := m.ChunkReader.Recv()
	if err != nil {
		return nil, err
	}
	c = c.Clone() // the chunk belongs to the stream below: change a copy
	for i := range c.Choices {
		c.Choices[i].Delta.Content = email.ReplaceAllString(c.Choices[i].Delta.Content, "[email]")
	}
	return c, nil
}

// printer shows the terminal events.
type printer struct{ out io.Writer }

func (p printer) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	fmt.Fprintf(p.out, "  event: success, team %v, recorded answer %q\n", e.Metadata["team"], e.Response.Text())
}

func (p printer) LogFailureEvent(_ context.Context, e *llmux.Event) {
	fmt.Fprintf(p.out, "  event: failure, team %v, %v (API calls made: %d)\n", e.Metadata["team"], llmux.CodeOf(e.Err), e.Attempt.Number)
}

func run(ctx context.Context, out io.Writer) (err error) {
	budget := &Budget{left: map[string]float64{"search": 1.0, "ads": 0}, spent: map[string]float64{}}
	// Inline loggers finish before the call returns, so the output is in
	// order; the budget guard is the outermost middleware.
	c, err := llmux.New(
		llmux.WithMiddleware(budget.Middleware, maskEmails),
		llmux.WithCallbacks(llmux.Inline(budget), llmux.Inline(printer{out})),
	)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	for _, team := range []string{"search", "ads"} {
		fmt.Fprintf(out, "team %s:\n", team)
		s, err := c.Stream(ctx, &llmux.Request{
			Model:        "gpt-3.5-turbo",
			Messages:     []llmux.Message{llmux.User("Who do I write to?")},
			Metadata:     map[string]any{"team": team},
			MockResponse: "Write to jane.doe@example.com today.",
		})
		if err != nil {
			fmt.Fprintf(out, "  caller: refused: %v\n", err)
			continue
		}
		var text string
		for s.Next() {
			text += s.Chunk().Text()
		}
		s.Close()
		if err := s.Err(); err != nil {
			return err
		}
		fmt.Fprintf(out, "  caller: %q\n", text)
	}
	fmt.Fprintf(out, "spent by search: $%g\n", budget.spent["search"])
	return nil
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}
