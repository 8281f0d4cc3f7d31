package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/litellm"
	"github.com/llmux/llmux/proxy"
)

// SpendLog prints one line per finished request: the model group, the
// key that paid and what it cost.
type SpendLog struct {
	mu sync.Mutex
	W  io.Writer // default os.Stdout
}

var (
	_ llmux.SuccessLogger = (*SpendLog)(nil)
	_ llmux.FailureLogger = (*SpendLog)(nil)
)

func (l *SpendLog) print(e *llmux.Event, status string) {
	p := litellm.Payload(e)
	w := l.W
	if w == nil {
		w = os.Stdout
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(w, "%s model=%s cost=$%g tokens=%d\n", status, p.Model, p.ResponseCost, p.TotalTokens)
}

// LogSuccessEvent records a successful request.
func (l *SpendLog) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.print(e, "success") }

// LogFailureEvent records a failed request.
func (l *SpendLog) LogFailureEvent(_ context.Context, e *llmux.Event) { l.print(e, "failure") }

// TopicGuard answers requests about a banned topic itself, without
// calling the model (LiteLLM's async_pre_call_hook returning a string).
type TopicGuard struct {
	Banned string
}

var _ proxy.PreCallHook = (*TopicGuard)(nil)

// PreCall rejects a request whose last message mentions the banned topic.
func (g *TopicGuard) PreCall(_ context.Context, c *proxy.HookCall) error {
	msgs := c.Request.Messages
	if len(msgs) > 0 && strings.Contains(strings.ToLower(msgs[len(msgs)-1].Text()), g.Banned) {
		return &proxy.Reject{Message: "Sorry, I can't help with " + g.Banned + "."}
	}
	return nil
}
