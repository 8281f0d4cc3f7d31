package gemini

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider"
)

// stream decodes a streamGenerateContent?alt=sse body: each event's data
// is a whole GenerateContentResponse carrying the next parts, and the
// body's end ends the stream (there is no [DONE]). Recv is called from one
// goroutine; Close may be called concurrently with it and any number of
// times.
type stream struct {
	p      *Provider
	body   io.ReadCloser
	dec    *sse.Decoder
	closed atomic.Bool
	once   sync.Once
	cerr   error
	err    error // sticky: io.EOF or the first error

	model, id string
	created   int64
	usage     *usageMetadata
	started   map[int]bool // candidate indexes that had a chunk
	finished  map[int]bool // candidate indexes that had a finish reason
	toolCalls map[int]int  // candidate index -> tool calls so far
	pending   []*llmux.Chunk
}

func (p *Provider) newStream(body io.ReadCloser, model string) *stream {
	return &stream{p: p, body: body, dec: sse.NewDecoder(body, 0), model: model, created: time.Now().Unix()}
}

// allFinished reports whether a candidate finished, and every candidate
// that had a chunk did: with n > 1, a body cut after the first finished
// is not a complete answer.
func (s *stream) allFinished() bool {
	if len(s.finished) == 0 {
		return false
	}
	for i := range s.started {
		if !s.finished[i] {
			return false
		}
	}
	return true
}

// Recv returns the next chunk, io.EOF after the last one (which carries
// the usage), or an *llmux.Error: an in-band error, a blocked prompt
// (CodeContentFiltered), a malformed event, a body that ends before every
// candidate finished, or a transport failure.
func (s *stream) Recv() (*llmux.Chunk, error) {
	for {
		if len(s.pending) > 0 {
			c := s.pending[0]
			s.pending = s.pending[1:]
			return c, nil
		}
		if s.err != nil {
			return nil, s.err
		}
		if s.closed.Load() {
			s.err = s.closedErr()
			return nil, s.err
		}
		ev, err := s.dec.Next()
		if err == io.EOF {
			if !s.allFinished() {
				s.err = &llmux.Error{Code: llmux.CodeConnection, Provider: s.p.cfg.name,
					Message: "stream ended before a finish reason", Err: io.ErrUnexpectedEOF}
				return nil, s.err
			}
			s.err = io.EOF
			u := s.usage.toLLMux()
			return &llmux.Chunk{ID: s.chunkID(), Object: "chat.completion.chunk", Created: s.created, Model: s.model,
				Choices: []llmux.ChunkChoice{}, Usage: &u}, nil
		}
		if err != nil {
			s.err = s.readError(err)
			return nil, s.err
		}
		if strings.TrimSpace(string(ev.Data)) == "[DONE]" {
			continue
		}
		if err := s.event(ev.Data); err != nil {
			s.err = err
		}
	}
}

func (s *stream) chunkID() string {
	if s.id == "" {
		s.id = newID("chatcmpl-")
	}
	return s.id
}

// event turns one response event into chunks, one per candidate.
func (s *stream) event(data []byte) error {
	var g generateResponse
	if err := json.Unmarshal(data, &g); err != nil {
		return provider.BadResponse(s.p.cfg.name, "decode stream event", err, data)
	}
	if len(g.Error) > 0 && string(g.Error) != "null" {
		return s.p.mapError(0, nil, data)
	}
	if err := s.p.blocked(&g, data); err != nil {
		return err
	}
	if g.ResponseID != "" && s.id == "" {
		s.id = g.ResponseID
	}
	if g.ModelVersion != "" {
		s.model = g.ModelVersion
	}
	if g.UsageMetadata != nil {
		s.usage = g.UsageMetadata
	}
	for i := range g.Candidates {
		c := &g.Candidates[i]
		d := llmux.Delta{}
		if !s.started[c.Index] {
			d.Role = llmux.RoleAssistant
		}
		var text, reasoning strings.Builder
		if c.Content != nil {
			for _, pt := range c.Content.Parts {
				switch {
				case pt.FunctionCall != nil:
					if s.toolCalls == nil {
						s.toolCalls = map[int]int{}
					}
					n := s.toolCalls[c.Index]
					s.toolCalls[c.Index] = n + 1
					d.ToolCalls = append(d.ToolCalls, toolCall(pt.FunctionCall.Name, pt.FunctionCall.Args, pt.ThoughtSignature, &n))
				case pt.Text != nil && pt.Thought:
					reasoning.WriteString(*pt.Text)
				case pt.Text != nil:
					text.WriteString(*pt.Text)
				}
			}
		}
		d.Content, d.ReasoningContent = text.String(), reasoning.String()
		finish := finishReason(c.FinishReason)
		if finish == "stop" && s.toolCalls[c.Index] > 0 {
			finish = "tool_calls"
		}
		if finish != "" {
			if s.finished == nil {
				s.finished = map[int]bool{}
			}
			s.finished[c.Index] = true
		}
		if d.Role == "" && d.Content == "" && d.ReasoningContent == "" && len(d.ToolCalls) == 0 && finish == "" && c.extra() == nil {
			continue
		}
		if s.started == nil {
			s.started = map[int]bool{}
		}
		s.started[c.Index] = true
		ch := llmux.ChunkChoice{Index: c.Index, Delta: d, FinishReason: finish, Extra: c.extra()}
		s.pending = append(s.pending, &llmux.Chunk{ID: s.chunkID(), Object: "chat.completion.chunk", Created: s.created,
			Model: s.model, Choices: []llmux.ChunkChoice{ch}})
	}
	return nil
}

func (s *stream) closedErr() error {
	return &llmux.Error{Code: llmux.CodeCanceled, Provider: s.p.cfg.name, Message: "stream closed", Err: llmux.ErrStreamClosed}
}

func (s *stream) readError(err error) error {
	switch {
	case s.closed.Load():
		return s.closedErr()
	case errors.Is(err, sse.ErrLineTooLong), errors.Is(err, sse.ErrEventTooLarge), provider.IsCorrupt(err):
		// The upstream's answer is broken, the connection is not: a retry
		// would not help.
		return &llmux.Error{Code: llmux.CodeBadResponse, Provider: s.p.cfg.name, Message: "read stream: " + err.Error(), Err: err}
	}
	code := llmux.CodeOf(err)
	if code == llmux.CodeUnknown {
		code = llmux.CodeConnection
	}
	return &llmux.Error{Code: code, Provider: s.p.cfg.name, Message: "read stream: " + err.Error(), Err: err}
}

// Close closes the response body. It is idempotent and safe to call
// concurrently with Recv.
func (s *stream) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		s.cerr = s.body.Close()
	})
	return s.cerr
}
