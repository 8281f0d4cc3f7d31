package messages

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/llmux/llmux"
)

// A StreamWriter writes a chat completion stream, chunk by chunk, as the
// Messages API's server-sent events: message_start, then for each content
// block content_block_start, its deltas and content_block_stop, then
// message_delta (stop_reason, stop_sequence, usage) and message_stop. Each
// event is written as "event: <type>\ndata: <json>\n\n" in one Write and
// flushed.
//
// Blocks follow the chunks: reasoning (Delta.ReasoningContent) opens a
// thinking block (thinking_delta), a signature (Delta.ThinkingBlocks)
// ends it (signature_delta), a redacted thinking block is one block of
// its own, text and refusals open a text block (text_delta), and each
// tool call, by its index, a tool_use block whose arguments are
// input_json_delta. A block ends when another begins or the choice
// finishes. Only choice 0 is written: a message has one.
//
// A StreamWriter is for one stream and one goroutine. Its methods return
// the first error met (a failed write, an impossible chunk sequence) from
// then on; after [StreamWriter.Finish] or [StreamWriter.Fail], they return
// an error.
type StreamWriter struct {
	w     io.Writer
	flush func()
	model string

	started, done bool
	err           error

	next  int         // index of the next content block
	open  *openBlock  // the block being written; nil when none
	tools map[int]int // tool-call key (see toolCall) -> content block index
	// anon counts tool calls without an index, which get keys below 0.
	anon  int
	calls bool

	finish string
	usage  *llmux.Usage // the last usage a chunk carried
	// startUsage and delta are what an Anthropic upstream's message_start
	// and message_delta said (Chunk.Raw), read as in EncodeResponse.
	startUsage *nativeUsage
	delta      *nativeDelta
}

type openBlock struct {
	kind   string // "text", "thinking" or "tool_use"
	index  int
	tool   int  // tool_use: the tool call's key
	signed bool // thinking: its signature was written
}

// nativeDelta is what an Anthropic message_delta event said.
type nativeDelta struct {
	stop  string
	seq   *string
	usage json.RawMessage
	nu    *nativeUsage
}

// errEnded is returned by a StreamWriter's methods after Finish or Fail.
var errEnded = errors.New("messages: the stream has ended")

// NewStreamWriter returns a StreamWriter writing to w for a client that
// asked for model ("" reports the upstream's, from the first chunk).
// flush, which may be nil, is called after each event
// (http.Flusher's Flush).
func NewStreamWriter(w io.Writer, flush func(), model string) *StreamWriter {
	return &StreamWriter{w: w, flush: flush, model: model, tools: make(map[int]int)}
}

// The events, their members in Anthropic's order.
type (
	startEvent struct {
		Type    string      `json:"type"`
		Message wireMessage `json:"message"`
	}
	blockStartEvent struct {
		Type         string `json:"type"`
		Index        int    `json:"index"`
		ContentBlock any    `json:"content_block"`
	}
	blockDeltaEvent struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
		Delta any    `json:"delta"`
	}
	blockStopEvent struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	messageDeltaEvent struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   *string `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage json.RawMessage `json:"usage"`
	}
	typeOnly struct {
		Type string `json:"type"`
	}
	textDelta struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	jsonDelta struct {
		Type        string `json:"type"`
		PartialJSON string `json:"partial_json"`
	}
	thinkingDelta struct {
		Type     string `json:"type"`
		Thinking string `json:"thinking"`
	}
	signatureDelta struct {
		Type      string `json:"type"`
		Signature string `json:"signature"`
	}
	errorEvent struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
)

// Chunk writes the events of one chunk; the first chunk starts the
// message (message_start, with the input usage when known). c is only
// read.
func (s *StreamWriter) Chunk(c *llmux.Chunk) error {
	if err := s.check(); err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	if !s.started {
		if s.model == "" {
			s.model = c.Model
		}
		s.start(c.ID, c.Raw, c.Usage)
	}
	if c.Usage != nil {
		u := *c.Usage
		s.usage = &u
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue
		}
		s.deltaEvents(&ch.Delta)
		if ch.Text != "" {
			s.text(ch.Text)
		}
		if ch.FinishReason != "" {
			s.finish = ch.FinishReason
			s.delta = nativeDeltaOf(c.Raw)
			s.closeOpen()
		}
	}
	return s.err
}

// Finish ends the message: it closes the open block and writes
// message_delta and message_stop. final is the response accumulated from
// the chunks ([llmux.ChatStream.Response]), for its usage and finish
// reason; it may be nil, and then the last usage a chunk carried is used.
func (s *StreamWriter) Finish(final *llmux.Response) error {
	if err := s.check(); err != nil {
		return err
	}
	finish, calls, usage := s.finish, s.calls, s.usage
	if final != nil {
		usage = &final.Usage
		if len(final.Choices) > 0 {
			if finish == "" {
				finish = final.Choices[0].FinishReason
			}
			calls = calls || len(final.Choices[0].Message.ToolCalls) > 0
		}
	}
	if !s.started {
		id := ""
		if final != nil {
			id = final.ID
			if s.model == "" {
				s.model = final.Model
			}
		}
		s.start(id, nil, usage)
	}
	s.closeOpen()
	var u llmux.Usage
	if usage != nil {
		u = *usage
	}
	wu := usageOf(u)
	ev := messageDeltaEvent{Type: "message_delta"}
	stop := stopReason(finish, calls)
	ev.Delta.StopReason = &stop
	var err error
	if ev.Usage, err = marshal(wu); err != nil {
		return s.fail(fmt.Errorf("messages: encode usage: %w", err))
	}
	if n := s.delta; n != nil {
		if n.stop != "" && finishOf(n.stop) == finish {
			ev.Delta.StopReason, ev.Delta.StopSequence = &n.stop, n.seq
		}
		start := nativeUsage{}
		if s.startUsage != nil {
			start = *s.startUsage
		}
		if n.nu != nil && start.overlay(*n.nu).is(wu) {
			ev.Usage = n.usage
		}
	}
	s.event("message_delta", ev)
	s.event("message_stop", typeOnly{Type: "message_stop"})
	s.done = true
	return s.err
}

// Fail writes an error event for err, shaped as [EncodeError] shapes it,
// and ends the stream: for a failure after the response started, when the
// status can no longer change.
func (s *StreamWriter) Fail(err error) error {
	if err := s.check(); err != nil {
		return err
	}
	_, typ, msg := describe(err)
	ev := errorEvent{Type: "error"}
	ev.Error.Type, ev.Error.Message = typ, msg
	s.event("error", ev)
	s.done = true
	return s.err
}

// Ping writes a ping event, which Anthropic's clients ignore: a
// keep-alive for a stream that sends nothing for a while (a long
// reasoning phase behind a proxy that drops idle connections).
func (s *StreamWriter) Ping() error {
	if err := s.check(); err != nil {
		return err
	}
	s.event("ping", typeOnly{Type: "ping"})
	return s.err
}

func (s *StreamWriter) check() error {
	if s.err != nil {
		return s.err
	}
	if s.done {
		return errEnded
	}
	return nil
}

// start writes message_start. An Anthropic upstream's message_start
// (raw) gives the id and the usage as it sent them; otherwise the input
// usage is the chunk's, when it has one (0 when not yet known: the final
// count comes in message_delta).
func (s *StreamWriter) start(id string, raw json.RawMessage, usage *llmux.Usage) {
	s.started = true
	msg := wireMessage{ID: messageID(id), Type: "message", Role: "assistant", Model: s.model, Content: []json.RawMessage{}}
	var u llmux.Usage
	if usage != nil {
		u = *usage
		u.CompletionTokens = 0
	}
	var err error
	if msg.Usage, err = marshal(usageOf(u)); err != nil {
		s.fail(fmt.Errorf("messages: encode usage: %w", err))
		return
	}
	var ev struct {
		Type    string `json:"type"`
		Message struct {
			ID    string          `json:"id"`
			Usage json.RawMessage `json:"usage"`
		} `json:"message"`
	}
	if raw != nil && json.Unmarshal(raw, &ev) == nil && ev.Type == "message_start" {
		if ev.Message.ID != "" {
			msg.ID = messageID(ev.Message.ID)
		}
		var nu nativeUsage
		if kind(ev.Message.Usage) == '{' && json.Unmarshal(ev.Message.Usage, &nu) == nil {
			msg.Usage, s.startUsage = ev.Message.Usage, &nu
		}
	}
	s.event("message_start", startEvent{Type: "message_start", Message: msg})
}

// nativeDeltaOf returns what an Anthropic message_delta event (raw) said,
// or nil.
func nativeDeltaOf(raw json.RawMessage) *nativeDelta {
	if raw == nil {
		return nil
	}
	var ev struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   string  `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage json.RawMessage `json:"usage"`
	}
	if json.Unmarshal(raw, &ev) != nil || ev.Type != "message_delta" {
		return nil
	}
	n := &nativeDelta{stop: ev.Delta.StopReason, seq: ev.Delta.StopSequence}
	var nu nativeUsage
	if kind(ev.Usage) == '{' && json.Unmarshal(ev.Usage, &nu) == nil {
		n.usage, n.nu = ev.Usage, &nu
	}
	return n
}

// deltaEvents writes the events of one delta: reasoning and thinking
// blocks first, then text, then tool calls, the order of an Anthropic
// message.
func (s *StreamWriter) deltaEvents(d *llmux.Delta) {
	if d.ReasoningContent != "" {
		s.thinking(d.ReasoningContent)
	}
	for _, tb := range d.ThinkingBlocks {
		if tb.Type == "redacted_thinking" {
			s.closeOpen()
			s.startBlock("redacted_thinking", redactedBlock{Type: "redacted_thinking", Data: tb.Data})
			s.closeOpen()
			continue
		}
		// A block's text comes in ReasoningContent when the delta has
		// some (a cache replay sends both), as the accumulator reads it.
		if tb.Thinking != "" && d.ReasoningContent == "" {
			s.thinking(tb.Thinking)
		}
		if tb.Signature != "" {
			if o := s.open; o == nil || o.kind != "thinking" || o.signed {
				s.closeOpen()
				s.startBlock("thinking", thinkingBlock{Type: "thinking"})
			}
			s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.open.index,
				Delta: signatureDelta{Type: "signature_delta", Signature: tb.Signature}})
			s.open.signed = true
		}
	}
	if d.Content != "" {
		s.text(d.Content)
	}
	if d.Refusal != "" {
		s.text(d.Refusal)
	}
	for i := range d.ToolCalls {
		s.toolCall(&d.ToolCalls[i])
	}
}

// thinking writes reasoning text into the open thinking block, or a new
// one when the open block is another or already signed.
func (s *StreamWriter) thinking(text string) {
	if o := s.open; o == nil || o.kind != "thinking" || o.signed {
		s.closeOpen()
		s.startBlock("thinking", thinkingBlock{Type: "thinking"})
	}
	s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.open.index,
		Delta: thinkingDelta{Type: "thinking_delta", Thinking: text}})
}

// text writes text into the open text block, or a new one.
func (s *StreamWriter) text(text string) {
	if o := s.open; o == nil || o.kind != "text" {
		s.closeOpen()
		s.startBlock("text", textBlock{Type: "text"})
	}
	s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: s.open.index,
		Delta: textDelta{Type: "text_delta", Text: text}})
}

// toolCall writes a piece of a tool call. Its key is its index; a piece
// without one continues the open tool call when it has no id, and is a
// new call otherwise. A new call starts a tool_use block; its arguments
// are input_json_delta. Blocks cannot interleave, so a piece of a call
// whose block has ended (an upstream interleaving two calls) fails the
// stream with CodeBadResponse.
func (s *StreamWriter) toolCall(tc *llmux.ToolCall) {
	var key int
	switch {
	case tc.Index != nil:
		key = *tc.Index
	case tc.ID == "" && s.open != nil && s.open.kind == "tool_use":
		key = s.open.tool
	default:
		s.anon++
		key = -s.anon
	}
	bi, seen := s.tools[key]
	switch {
	case !seen:
		s.closeOpen()
		bi = s.startBlock("tool_use", toolUseBlock{Type: "tool_use", ID: toolUseID(tc.ID), Name: tc.Function.Name,
			Input: json.RawMessage("{}")})
		s.open.tool = key
		s.tools[key] = bi
		s.calls = true
	case s.open == nil || s.open.index != bi:
		s.fail(&llmux.Error{Code: llmux.CodeBadResponse,
			Message: fmt.Sprintf("messages: tool call %d continued after its content block ended", key)})
		return
	}
	if tc.Function.Arguments != "" {
		s.event("content_block_delta", blockDeltaEvent{Type: "content_block_delta", Index: bi,
			Delta: jsonDelta{Type: "input_json_delta", PartialJSON: tc.Function.Arguments}})
	}
}

// startBlock writes content_block_start for a new block, which becomes
// the open one, and returns its index.
func (s *StreamWriter) startBlock(kind string, block any) int {
	i := s.next
	s.next++
	s.event("content_block_start", blockStartEvent{Type: "content_block_start", Index: i, ContentBlock: block})
	s.open = &openBlock{kind: kind, index: i}
	return i
}

// closeOpen writes content_block_stop for the open block, if any.
func (s *StreamWriter) closeOpen() {
	if s.open == nil {
		return
	}
	s.event("content_block_stop", blockStopEvent{Type: "content_block_stop", Index: s.open.index})
	s.open = nil
}

// event writes one event and flushes it. After an error it does nothing.
func (s *StreamWriter) event(name string, v any) {
	if s.err != nil {
		return
	}
	data, err := marshal(v)
	if err != nil {
		s.fail(fmt.Errorf("messages: encode %s event: %w", name, err))
		return
	}
	buf := make([]byte, 0, len(name)+len(data)+16)
	buf = append(buf, "event: "...)
	buf = append(buf, name...)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	if _, err := s.w.Write(buf); err != nil {
		s.fail(fmt.Errorf("messages: write %s event: %w", name, err))
		return
	}
	if s.flush != nil {
		s.flush()
	}
}

// fail records the first error.
func (s *StreamWriter) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return s.err
}
