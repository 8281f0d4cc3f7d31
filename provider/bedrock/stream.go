package bedrock

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// stream decodes a ConverseStream body: binary event-stream frames
// (application/vnd.amazon.eventstream), each an event, an exception or an
// error:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
// Recv is called from one goroutine; Close may be called concurrently with
// it and any number of times.
type stream struct {
	body    io.ReadCloser
	r       *bufio.Reader
	dec     *eventstream.Decoder
	buf     []byte
	closed  atomic.Bool
	once    sync.Once
	cerr    error
	err     error // sticky: io.EOF or the first error
	id      string
	model   string
	created int64
	stopped bool         // messageStop came
	tools   map[int]int  // content block index -> tool-call ordinal
	json    map[int]bool // content blocks of jsonTool: their input is content
	calls   int          // tool calls announced (not jsonTool's)
}

func newStream(body io.ReadCloser, model string) *stream {
	return &stream{
		body: body, r: bufio.NewReader(body), dec: eventstream.NewDecoder(),
		id: newID(), model: model, created: time.Now().Unix(),
	}
}

// streamEvent holds the members of every ConverseStream event payload.
type streamEvent struct {
	Role              string `json:"role"`
	ContentBlockIndex int    `json:"contentBlockIndex"`
	Start             *struct {
		ToolUse *struct {
			ToolUseID string `json:"toolUseId"`
			Name      string `json:"name"`
		} `json:"toolUse"`
	} `json:"start"`
	Delta *struct {
		Text    *string `json:"text"`
		ToolUse *struct {
			Input string `json:"input"`
		} `json:"toolUse"`
		ReasoningContent *struct {
			Text            string `json:"text"`
			Signature       string `json:"signature"`
			RedactedContent string `json:"redactedContent"`
		} `json:"reasoningContent"`
	} `json:"delta"`
	StopReason string `json:"stopReason"`
	Usage      *usage `json:"usage"`
}

// header returns a string header of a frame, "" when absent.
func header(m eventstream.Message, name string) string {
	if v, ok := m.Headers.Get(name).(eventstream.StringValue); ok {
		return string(v)
	}
	return ""
}

// Recv returns the next chunk, io.EOF after the last one, or an
// *llmux.Error: an exception frame, a malformed frame, or a transport
// failure.
func (s *stream) Recv() (*llmux.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		if s.closed.Load() {
			s.err = closedError()
			return nil, s.err
		}
		if _, err := s.r.Peek(1); err != nil {
			// io.EOF here is the end of the body between frames.
			s.err = s.readError(err)
			return nil, s.err
		}
		m, err := s.dec.Decode(s.r, s.buf[:0])
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the body ended inside a frame
			}
			s.err = s.readError(err)
			return nil, s.err
		}
		s.buf = m.Payload[:0]
		var c *llmux.Chunk
		switch typ := header(m, ":message-type"); typ {
		case "event":
			c, err = s.event(header(m, ":event-type"), m.Payload)
		case "exception":
			err = streamError(header(m, ":exception-type"), "", m.Payload)
		case "error":
			err = streamError(header(m, ":error-code"), header(m, ":error-message"), m.Payload)
		default:
			err = provider.BadResponse(providerName, fmt.Sprintf("stream frame of message type %q", typ), nil, m.Payload)
		}
		if err != nil {
			s.err = err
			return nil, err
		}
		if c != nil {
			return c, nil
		}
	}
}

func closedError() error {
	return &llmux.Error{Code: llmux.CodeCanceled, Provider: providerName, Message: "stream closed", Err: llmux.ErrStreamClosed}
}

func (s *stream) readError(err error) error {
	var (
		lenErr eventstream.LengthError
		crcErr eventstream.ChecksumError
	)
	switch {
	case err == io.EOF && s.stopped:
		return io.EOF
	case err == io.EOF:
		return &llmux.Error{Code: llmux.CodeConnection, Provider: providerName,
			Message: "stream ended before messageStop", Err: io.ErrUnexpectedEOF}
	case s.closed.Load():
		return closedError()
	case errors.As(err, &lenErr), errors.As(err, &crcErr), provider.IsCorrupt(err):
		// A frame that is not one, or a body whose Content-Encoding is a
		// lie: the upstream's answer is broken, the connection is not,
		// and a retry would not help.
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

func (s *stream) chunk(d llmux.Delta, finish string) *llmux.Chunk {
	return &llmux.Chunk{
		ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []llmux.ChunkChoice{{Index: 0, Delta: d, FinishReason: finish}},
	}
}

// event turns one ConverseStream event into a chunk (nil for none).
//
// Text becomes Delta.Content and toolUse blocks Delta.ToolCalls (their
// input arrives as JSON text in pieces). Reasoning goes the way LiteLLM
// streams it: reasoning text becomes Delta.ReasoningContent, the
// signature that closes a reasoning block Delta.ThinkingBlocks
// [{Type: "thinking", Signature}], redacted content
// [{Type: "redacted_thinking", Data}]. messageStop gives the finish
// reason, with its payload in Raw (additionalModelResponseFields); the
// metadata event after it gives the usage, on the last chunk.
func (s *stream) event(name string, data []byte) (*llmux.Chunk, error) {
	switch name {
	case "messageStart", "contentBlockStart", "contentBlockDelta", "messageStop", "metadata":
	default:
		return nil, nil // contentBlockStop, and unknown events for forward compatibility
	}
	var ev streamEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, provider.BadResponse(providerName, "decode "+name+" event", err, data)
	}
	switch name {
	case "messageStart":
		return s.chunk(llmux.Delta{Role: llmux.RoleAssistant}, ""), nil
	case "contentBlockStart":
		if ev.Start == nil || ev.Start.ToolUse == nil {
			return nil, nil
		}
		if s.tools == nil {
			s.tools = make(map[int]int)
		}
		if _, dup := s.tools[ev.ContentBlockIndex]; dup || s.json[ev.ContentBlockIndex] {
			return nil, provider.BadResponse(providerName, fmt.Sprintf("content block %d started twice", ev.ContentBlockIndex), nil, data)
		}
		if ev.Start.ToolUse.Name == jsonTool { // a response_format answer: its input streams as content
			if s.json == nil {
				s.json = make(map[int]bool)
			}
			s.json[ev.ContentBlockIndex] = true
			return nil, nil
		}
		n := s.calls
		s.calls++
		s.tools[ev.ContentBlockIndex] = n
		return s.chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{
			Index: &n, ID: ev.Start.ToolUse.ToolUseID, Type: "function",
			Function: llmux.FunctionCall{Name: ev.Start.ToolUse.Name, Arguments: ""},
		}}}, ""), nil
	case "contentBlockDelta":
		d := ev.Delta
		switch {
		case d == nil:
			return nil, nil
		case d.Text != nil:
			if *d.Text == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{Content: *d.Text}, ""), nil
		case d.ToolUse != nil && s.json[ev.ContentBlockIndex]:
			if d.ToolUse.Input == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{Content: d.ToolUse.Input}, ""), nil
		case d.ToolUse != nil:
			n, ok := s.tools[ev.ContentBlockIndex]
			if !ok {
				return nil, provider.BadResponse(providerName, fmt.Sprintf("toolUse delta for content block %d, which is not a toolUse", ev.ContentBlockIndex), nil, data)
			}
			if d.ToolUse.Input == "" {
				return nil, nil
			}
			return s.chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{
				Index: &n, Function: llmux.FunctionCall{Arguments: d.ToolUse.Input},
			}}}, ""), nil
		case d.ReasoningContent != nil:
			rc := d.ReasoningContent
			var delta llmux.Delta
			switch {
			case rc.Text != "":
				delta.ReasoningContent = rc.Text
			case rc.Signature != "":
				delta.ThinkingBlocks = []llmux.ThinkingBlock{{Type: "thinking", Signature: rc.Signature}}
			case rc.RedactedContent != "":
				delta.ThinkingBlocks = []llmux.ThinkingBlock{{Type: "redacted_thinking", Data: rc.RedactedContent}}
			default:
				return nil, nil
			}
			return s.chunk(delta, ""), nil
		}
		return nil, nil
	case "messageStop":
		s.stopped = true
		finish := finishReason(ev.StopReason)
		if finish == "tool_calls" && len(s.json) > 0 && s.calls == 0 {
			finish = "stop" // the response_format answer is the content
		}
		c := s.chunk(llmux.Delta{}, finish)
		c.Raw = append(json.RawMessage(nil), data...)
		return c, nil
	default: // metadata
		if ev.Usage == nil {
			return nil, nil
		}
		u := ev.Usage.toLLMux()
		return &llmux.Chunk{
			ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
			Choices: []llmux.ChunkChoice{}, Usage: &u,
		}, nil
	}
}
