package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider"
)

// stream reads an SSE body and turns events into chunks with a handler.
// Recv is called from one goroutine; Close may be called concurrently with
// it and any number of times.
type stream struct {
	body   io.ReadCloser
	dec    *sse.Decoder
	closed atomic.Bool
	once   sync.Once
	cerr   error
	err    error // sticky: io.EOF or the first error
	// handle turns one named event into a chunk (nil: nothing to emit).
	// Returning io.EOF ends the stream after the returned chunk, if any.
	handle func(name string, data []byte) (*llmux.Chunk, error)
	// eofEnds says that the end of the body ends the stream normally (the
	// legacy API has no terminal event).
	eofEnds bool
}

// Recv returns the next chunk, io.EOF after the last one, or an
// *llmux.Error: an in-band error event, a malformed event, or a transport
// failure.
func (s *stream) Recv() (*llmux.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		if s.closed.Load() {
			s.err = &llmux.Error{Code: llmux.CodeCanceled, Provider: providerName, Message: "stream closed", Err: llmux.ErrStreamClosed}
			return nil, s.err
		}
		ev, err := s.dec.Next()
		if err != nil {
			s.err = s.readError(err)
			return nil, s.err
		}
		if ev.Name == "" {
			// Both official SDKs skip unnamed events.
			continue
		}
		c, err := s.handle(ev.Name, ev.Data)
		if err != nil {
			s.err = err
			if err == io.EOF && c != nil {
				return c, nil
			}
			return nil, err
		}
		if c != nil {
			return c, nil
		}
	}
}

func (s *stream) readError(err error) error {
	switch {
	case err == io.EOF && s.eofEnds:
		return io.EOF
	case err == io.EOF:
		return &llmux.Error{Code: llmux.CodeConnection, Provider: providerName,
			Message: "stream ended before message_stop", Err: io.ErrUnexpectedEOF}
	case s.closed.Load():
		return &llmux.Error{Code: llmux.CodeCanceled, Provider: providerName, Message: "stream closed", Err: llmux.ErrStreamClosed}
	case errors.Is(err, sse.ErrLineTooLong), errors.Is(err, sse.ErrEventTooLarge), provider.IsCorrupt(err):
		// An over-long line or event, or a body whose Content-Encoding
		// is a lie: the upstream's answer is broken, the connection is
		// not, and a retry would not help.
		return &llmux.Error{Code: llmux.CodeBadResponse, Provider: providerName, Message: "read stream: " + err.Error(), Err: err}
	}
	code := llmux.CodeOf(err)
	if code == llmux.CodeUnknown {
		code = llmux.CodeConnection
	}
	return &llmux.Error{Code: code, Provider: providerName, Message: "read stream: " + err.Error(), Err: err}
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

// messageStream decodes a Messages API stream.
type messageStream struct {
	stream
	id, model string
	created   int64
	usage     usage
	toolCalls map[int]int  // content block index -> tool-call ordinal
	thinking  map[int]bool // content block indexes of thinking blocks
}

// streamEvent holds the fields of every Messages API stream event.
type streamEvent struct {
	Message      *message       `json:"message"`
	Index        int            `json:"index"`
	ContentBlock *responseBlock `json:"content_block"`
	Delta        struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		Thinking    string `json:"thinking"`
		Signature   string `json:"signature"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
}

func newMessageStream(body io.ReadCloser) *messageStream {
	s := &messageStream{}
	s.body = body
	s.dec = sse.NewDecoder(body, 0)
	s.handle = s.event
	return s
}

func (s *messageStream) chunk(d llmux.Delta, finish string) *llmux.Chunk {
	return &llmux.Chunk{
		ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []llmux.ChunkChoice{{Index: 0, Delta: d, FinishReason: finish}},
	}
}

// event handles one Messages API stream event:
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
//
// Text becomes Delta.Content and tool_use blocks Delta.ToolCalls. Thinking
// goes the way LiteLLM streams it: thinking_delta text becomes
// Delta.ReasoningContent; signature_delta, which closes its thinking
// block, becomes Delta.ThinkingBlocks [{Type: "thinking", Signature}]; a
// redacted_thinking block, which comes whole in content_block_start,
// becomes Delta.ThinkingBlocks [{Type: "redacted_thinking", Data}]. So a
// thinking block's text is the reasoning since the previous block closed.
//
// The chunks of message_start and message_delta keep the event's data in
// Raw: what the OpenAI shape cannot carry (the input usage known at the
// start, the stop_sequence matched, a pause_turn stop) stays readable
// there, for a gateway answering in Anthropic's format.
func (s *messageStream) event(name string, data []byte) (*llmux.Chunk, error) {
	switch name {
	case "ping", "content_block_stop":
		return nil, nil
	case "error":
		return nil, mapError(0, nil, data)
	case "message_start", "content_block_start", "content_block_delta", "message_delta", "message_stop":
	default:
		return nil, nil // unknown events are skipped, for forward compatibility
	}
	var ev streamEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, provider.BadResponse(providerName, "decode "+name+" event", err, data)
	}
	switch name {
	case "message_start":
		if ev.Message == nil {
			return nil, provider.BadResponse(providerName, "message_start without message", nil, data)
		}
		s.id, s.model, s.created = ev.Message.ID, ev.Message.Model, time.Now().Unix()
		s.usage.update(ev.Message.Usage)
		c := s.chunk(llmux.Delta{Role: llmux.RoleAssistant}, "")
		c.Raw = append(json.RawMessage(nil), data...)
		return c, nil
	case "content_block_start":
		b := ev.ContentBlock
		if b == nil {
			return nil, provider.BadResponse(providerName, "content_block_start without content_block", nil, data)
		}
		switch b.Type {
		case "text":
			if b.Text == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{Content: b.Text}, ""), nil
		case "tool_use":
			if s.toolCalls == nil {
				s.toolCalls = make(map[int]int)
			}
			if _, dup := s.toolCalls[ev.Index]; dup {
				return nil, provider.BadResponse(providerName, fmt.Sprintf("content block %d started twice", ev.Index), nil, data)
			}
			n := len(s.toolCalls)
			s.toolCalls[ev.Index] = n
			return s.chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{
				Index: &n, ID: b.ID, Type: "function",
				Function: llmux.FunctionCall{Name: b.Name, Arguments: ""},
			}}}, ""), nil
		case "thinking":
			if s.thinking == nil {
				s.thinking = make(map[int]bool)
			}
			s.thinking[ev.Index] = true
			// The block starts empty; its text and signature come in
			// deltas. Should it not, they are passed on the same way.
			d := llmux.Delta{ReasoningContent: b.Thinking}
			if b.Signature != "" {
				d.ThinkingBlocks = []llmux.ThinkingBlock{{Type: "thinking", Signature: b.Signature}}
			}
			if d.ReasoningContent == "" && d.ThinkingBlocks == nil {
				return nil, nil
			}
			return s.chunk(d, ""), nil
		case "redacted_thinking":
			// A redacted block comes whole, with no deltas.
			return s.chunk(llmux.Delta{ThinkingBlocks: []llmux.ThinkingBlock{{Type: "redacted_thinking", Data: b.Data}}}, ""), nil
		}
		return nil, nil // other blocks (server tools...) are not part of the OpenAI shape
	case "content_block_delta":
		switch ev.Delta.Type {
		case "text_delta":
			if ev.Delta.Text == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{Content: ev.Delta.Text}, ""), nil
		case "input_json_delta":
			n, ok := s.toolCalls[ev.Index]
			if !ok {
				return nil, provider.BadResponse(providerName, fmt.Sprintf("input_json_delta for content block %d, which is not a tool_use", ev.Index), nil, data)
			}
			if ev.Delta.PartialJSON == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{
				Index: &n, Function: llmux.FunctionCall{Arguments: ev.Delta.PartialJSON},
			}}}, ""), nil
		case "thinking_delta", "signature_delta":
			if !s.thinking[ev.Index] {
				return nil, provider.BadResponse(providerName, fmt.Sprintf("%s for content block %d, which is not a thinking block", ev.Delta.Type, ev.Index), nil, data)
			}
			if ev.Delta.Type == "thinking_delta" {
				if ev.Delta.Thinking == "" {
					return nil, nil
				}
				return s.chunk(llmux.Delta{ReasoningContent: ev.Delta.Thinking}, ""), nil
			}
			// The signature closes its thinking block: it comes once,
			// right before content_block_stop.
			if ev.Delta.Signature == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{ThinkingBlocks: []llmux.ThinkingBlock{{Type: "thinking", Signature: ev.Delta.Signature}}}, ""), nil
		}
		return nil, nil
	case "message_delta":
		if ev.Usage != nil {
			s.usage.update(*ev.Usage)
		}
		if ev.Delta.StopReason == "" {
			return nil, nil
		}
		c := s.chunk(llmux.Delta{}, finishReason(ev.Delta.StopReason))
		c.Raw = append(json.RawMessage(nil), data...)
		return c, nil
	default: // message_stop
		u := s.usage.toLLMux()
		return &llmux.Chunk{
			ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
			Choices: []llmux.ChunkChoice{}, Usage: &u,
		}, io.EOF
	}
}
