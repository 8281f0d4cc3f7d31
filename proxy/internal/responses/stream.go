package responses

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/llmux/llmux"
)

// StreamWriter writes a chat completion stream as the Responses API's
// server-sent events: each event is "event: <type>\ndata: <json>\n\n",
// flushed on its own, and carries a sequence_number counting from 0.
//
// The events are those a streaming POST /v1/responses produces:
// response.created and response.in_progress first; then, per output item,
// response.output_item.added, its content (response.content_part.added,
// response.output_text.delta, response.output_text.done,
// response.content_part.done for text; response.refusal.delta/.done for a
// refusal; response.reasoning_summary_part.added,
// response.reasoning_summary_text.delta/.done,
// response.reasoning_summary_part.done for reasoning;
// response.function_call_arguments.delta/.done for a tool call) and
// response.output_item.done; and last response.completed (or
// response.incomplete, when the completion stopped at its length limit or
// its content filter) with the whole response, the same object
// [EncodeResponse] returns, or, after [StreamWriter.Fail], an error event
// and response.failed.
//
// Items follow each other as the chunks bring them: reasoning, text and
// tool calls. A new kind of content closes the item before it; the tool
// calls of one turn stay open until the end, so that their arguments may
// arrive interleaved (each has its own output_index). Only the first
// choice is streamed.
//
// A StreamWriter is used by one goroutine: [StreamWriter.Start] (optional),
// [StreamWriter.Chunk] for each chunk, then [StreamWriter.Finish] or
// [StreamWriter.Fail]. It does not keep the chunks or the response it is
// given. After a write error every call returns that error.
type StreamWriter struct {
	w     io.Writer
	flush func()
	echo  *Echo
	ids   *ids
	seq   int
	buf   bytes.Buffer

	obj       *responseObject // set by start
	model     string          // the last model the chunks named
	items     []*item
	reasoning *item         // open reasoning item
	message   *item         // open message item
	tools     map[int]*item // function calls by chat tool call index
	lastTool  int           // the chat index of the last tool call seen
	finish    string        // the last finish_reason seen
	done      bool
	err       error
}

// NewStreamWriter returns a StreamWriter writing to w, calling flush (if
// not nil) after each event. echo is what [DecodeRequest] returned for the
// request (nil echoes nothing). Nothing is written until the first call.
func NewStreamWriter(w io.Writer, flush func(), echo *Echo) *StreamWriter {
	if echo == nil {
		echo = &Echo{}
	}
	return &StreamWriter{w: w, flush: flush, echo: echo, ids: newIDs(), tools: map[int]*item{}, lastTool: -1}
}

// errFinished is returned by calls after Finish or Fail.
var errFinished = errors.New("responses: stream already finished")

// Start writes response.created and response.in_progress, reporting
// echo.Model and the current time. A gateway calls it once the upstream
// stream is open, so that the client hears back before the first token;
// otherwise the first Chunk does it with the chunk's model and creation
// time. Calling it again does nothing.
func (s *StreamWriter) Start() error { return s.start(0, "") }

func (s *StreamWriter) start(created int64, model string) error {
	if s.err != nil {
		return s.err
	}
	if s.obj != nil {
		return nil
	}
	if created == 0 {
		created = now().Unix()
	}
	s.obj = s.echo.object(s.ids.response(), created, pick(model, s.echo.Model))
	if err := s.emit("response.created", evResponse{Response: s.obj}); err != nil {
		return err
	}
	return s.emit("response.in_progress", evResponse{Response: s.obj})
}

// Chunk writes the events of one chunk of the completion stream.
func (s *StreamWriter) Chunk(c *llmux.Chunk) error {
	if s.done {
		return errFinished
	}
	if c == nil {
		return nil
	}
	if err := s.start(c.Created, c.Model); err != nil {
		return err
	}
	if c.Model != "" {
		s.model = c.Model
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue
		}
		d := &ch.Delta
		if d.ReasoningContent != "" {
			if err := s.reasoningDelta(d.ReasoningContent); err != nil {
				return err
			}
		}
		if d.Content != "" {
			if err := s.textDelta("output_text", d.Content, logprobsOf(ch.Logprobs)); err != nil {
				return err
			}
		}
		if d.Refusal != "" {
			if err := s.textDelta("refusal", d.Refusal, nil); err != nil {
				return err
			}
		}
		for j := range d.ToolCalls {
			if err := s.toolDelta(&d.ToolCalls[j]); err != nil {
				return err
			}
		}
		if ch.FinishReason != "" {
			s.finish = ch.FinishReason
		}
	}
	return s.err
}

// Finish closes the open items and writes response.completed (or
// response.incomplete) with the whole response. final is the accumulated
// completion ([llmux.ChatStream.Response]): its finish reason, usage,
// model and service tier complete the response; its output is what the
// chunks brought (so ids and indices match the events), or, when no chunk
// brought any, final's own, streamed as whole items. final may be nil.
func (s *StreamWriter) Finish(final *llmux.Response) error {
	if s.done {
		return errFinished
	}
	var (
		created     int64
		model, tier string
		usage       *llmux.Usage
	)
	if final != nil {
		created, model, tier, usage = final.Created, final.Model, final.ServiceTier, &final.Usage
	}
	if err := s.start(created, model); err != nil {
		return err
	}
	if final != nil && len(final.Choices) > 0 {
		if len(s.items) == 0 {
			if err := s.replay(&final.Choices[0]); err != nil {
				return err
			}
		}
		if f := final.Choices[0].FinishReason; f != "" {
			s.finish = f
		}
	}
	if s.finish == "length" || s.finish == "content_filter" {
		// The item the limit cut short is the last one.
		if n := len(s.items); n > 0 && s.items[n-1].typ != "reasoning" {
			s.items[n-1].status = statusIncomplete
		}
	}
	if err := s.closeAll(); err != nil {
		return err
	}
	s.done = true
	s.obj.Model = pick(model, pick(s.model, s.obj.Model))
	s.obj.finish(s.finish, s.items, usage, tier)
	typ := "response.completed"
	if s.obj.Status == statusIncomplete {
		typ = "response.incomplete"
	}
	return s.emit(typ, evResponse{Response: s.obj})
}

// replay streams a completed choice's items whole: for a stream whose
// chunks brought no content (a replayed or synthesized answer).
func (s *StreamWriter) replay(c *llmux.Choice) error {
	for _, it := range itemsOf(c, nil) {
		var err error
		switch it.typ {
		case "reasoning":
			err = s.reasoningDelta(it.summary.String())
		case "message":
			for _, p := range it.parts {
				if err = s.textDelta(p.typ, p.text.String(), p.logprobs); err != nil {
					break
				}
			}
		case "function_call":
			i := it.toolIndex
			err = s.toolDelta(&llmux.ToolCall{Index: &i, ID: it.callID,
				Function: llmux.FunctionCall{Name: it.name, Arguments: it.args.String()}})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Fail ends the stream after an error: it writes an error event (type,
// code, message and param, as in OpenAI's error bodies) and
// response.failed, whose response has status "failed", error {code,
// message} and the output so far (items left open are incomplete). The
// code and type follow the llmux error's [llmux.Code] (rate_limited gives
// "rate_limit_exceeded", context_length_exceeded itself, ...); an error
// that is not an *llmux.Error is a "server_error". The npm openai client
// throws an APIError at the error event, as it does for OpenAI's own.
func (s *StreamWriter) Fail(err error) error {
	if s.done {
		return errFinished
	}
	if e := s.start(0, ""); e != nil {
		return e
	}
	s.done = true
	body := errorBody(err)
	if e := s.emit("error", evError{Error: body}); e != nil {
		return e
	}
	for _, it := range s.items {
		if it.status == statusInProgress {
			it.status = statusIncomplete
		}
	}
	s.obj.Status = statusFailed
	s.obj.Error = &wireError{Code: body.Code, Message: body.Message}
	s.obj.setOutput(s.items)
	return s.emit("response.failed", evResponse{Response: s.obj})
}

// errBody is the error of an error event, OpenAI's error object.
type errBody struct {
	Type    string  `json:"type"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Param   *string `json:"param"`
}

// errorBody maps err to OpenAI's error type and code.
func errorBody(err error) errBody {
	b := errBody{Type: "server_error", Code: "server_error", Message: "unknown error"}
	if err != nil {
		b.Message = err.Error()
	}
	var e *llmux.Error
	if !errors.As(err, &e) {
		return b
	}
	if e.Message != "" {
		b.Message = e.Message
	}
	if e.Param != "" {
		b.Param = &e.Param
	}
	switch e.Code {
	case llmux.CodeInvalidRequest, llmux.CodeUnsupported:
		b.Type, b.Code = "invalid_request_error", "invalid_request_error"
	case llmux.CodeContextLength:
		b.Type, b.Code = "invalid_request_error", "context_length_exceeded"
	case llmux.CodeContentFiltered:
		b.Type, b.Code = "invalid_request_error", "content_filter"
	case llmux.CodeAuthentication:
		b.Type, b.Code = "authentication_error", "invalid_api_key"
	case llmux.CodePermission:
		b.Type, b.Code = "permission_error", "permission_denied"
	case llmux.CodeNotFound:
		b.Type, b.Code = "invalid_request_error", "model_not_found"
	case llmux.CodeRateLimited:
		b.Type, b.Code = "rate_limit_error", "rate_limit_exceeded"
	case llmux.CodeQuota:
		b.Type, b.Code = "insufficient_quota", "insufficient_quota"
	case llmux.CodeTimeout:
		b.Code = "timeout"
	}
	return b
}

// reasoningDelta adds reasoning text, opening a reasoning item (and
// closing the items before it) when none is open.
func (s *StreamWriter) reasoningDelta(text string) error {
	it := s.reasoning
	if it == nil {
		if err := s.closeAll(); err != nil {
			return err
		}
		it = s.open("reasoning", "rs")
		s.reasoning = it
		if err := s.emit("response.output_item.added", evItem{Item: it.added(), OutputIndex: it.index}); err != nil {
			return err
		}
		if err := s.emit("response.reasoning_summary_part.added", evSummaryPart{ItemID: it.id, OutputIndex: it.index,
			Part: wireSummary{Type: "summary_text"}}); err != nil {
			return err
		}
	}
	if text == "" {
		return nil
	}
	it.summary.WriteString(text)
	return s.emitDelta("response.reasoning_summary_text.delta", -1, text, it, nil, false, 0)
}

// textDelta adds text to the message's part of type typ (output_text or
// refusal), opening the message (and closing the items before it) and the
// part as needed.
func (s *StreamWriter) textDelta(typ, text string, logprobs []json.RawMessage) error {
	it := s.message
	if it == nil {
		if err := s.closeAll(); err != nil {
			return err
		}
		it = s.open("message", "msg")
		s.message = it
		if err := s.emit("response.output_item.added", evItem{Item: it.added(), OutputIndex: it.index}); err != nil {
			return err
		}
	}
	p, ci := it.partOf(typ)
	if p == nil {
		p, ci = &part{typ: typ}, len(it.parts)
		it.parts = append(it.parts, p)
		if err := s.emit("response.content_part.added", evPart{ContentIndex: ci, ItemID: it.id, OutputIndex: it.index,
			Part: (&part{typ: typ}).wire()}); err != nil {
			return err
		}
	}
	if text == "" {
		return nil
	}
	p.text.WriteString(text)
	if typ == "refusal" {
		return s.emitDelta("response.refusal.delta", ci, text, it, nil, false, -1)
	}
	p.logprobs = append(p.logprobs, logprobs...)
	return s.emitDelta("response.output_text.delta", ci, text, it, logprobs, true, -1)
}

// toolDelta adds a piece of a tool call, opening its function_call item
// (and closing the reasoning and message items before it) on its first
// piece. A piece without an index continues the last call, or starts the
// next one when it has an id, as the llmux accumulator reads them.
func (s *StreamWriter) toolDelta(tc *llmux.ToolCall) error {
	idx := s.lastTool
	switch {
	case tc.Index != nil:
		idx = *tc.Index
	case tc.ID != "" || idx < 0:
		idx = len(s.tools)
	}
	if idx < 0 || idx >= 1024 {
		return fmt.Errorf("responses: tool call index %d out of range", idx)
	}
	s.lastTool = idx
	it := s.tools[idx]
	if it == nil {
		if err := s.closeReasoning(); err != nil {
			return err
		}
		if err := s.closeMessage(); err != nil {
			return err
		}
		it = s.open("function_call", "fc")
		it.callID, it.name, it.toolIndex = tc.ID, tc.Function.Name, idx
		if it.callID == "" {
			it.callID = s.ids.next("call")
		}
		s.tools[idx] = it
		if err := s.emit("response.output_item.added", evItem{Item: it.added(), OutputIndex: it.index}); err != nil {
			return err
		}
	} else if it.closed {
		return fmt.Errorf("responses: tool call %d continues after its item was closed", idx)
	}
	if it.name == "" {
		it.name = tc.Function.Name
	}
	if a := tc.Function.Arguments; a != "" {
		it.args.WriteString(a)
		return s.emitDelta("response.function_call_arguments.delta", -1, a, it, nil, false, -1)
	}
	return nil
}

// open appends a new in-progress item.
func (s *StreamWriter) open(typ, prefix string) *item {
	it := &item{typ: typ, id: s.ids.next(prefix), index: len(s.items), status: statusInProgress}
	s.items = append(s.items, it)
	return it
}

// closeAll closes every open item, in output order.
func (s *StreamWriter) closeAll() error {
	if err := s.closeReasoning(); err != nil {
		return err
	}
	if err := s.closeMessage(); err != nil {
		return err
	}
	return s.closeTools()
}

// doneStatus is the status an item closes with: completed, unless Finish
// marked it incomplete.
func doneStatus(it *item) string {
	if it.status == statusIncomplete {
		return statusIncomplete
	}
	return statusCompleted
}

func (s *StreamWriter) closeReasoning() error {
	it := s.reasoning
	if it == nil {
		return nil
	}
	s.reasoning = nil
	text := it.summary.String()
	if err := s.emit("response.reasoning_summary_text.done", evSummaryDone{ItemID: it.id, OutputIndex: it.index, Text: text}); err != nil {
		return err
	}
	if err := s.emit("response.reasoning_summary_part.done", evSummaryPart{ItemID: it.id, OutputIndex: it.index,
		Part: wireSummary{Type: "summary_text", Text: text}}); err != nil {
		return err
	}
	it.status, it.closed = doneStatus(it), true
	return s.emit("response.output_item.done", evItem{Item: it.wire(), OutputIndex: it.index})
}

func (s *StreamWriter) closeMessage() error {
	it := s.message
	if it == nil {
		return nil
	}
	s.message = nil
	for ci, p := range it.parts {
		var err error
		if p.typ == "refusal" {
			err = s.emit("response.refusal.done", evRefusalDone{ContentIndex: ci, ItemID: it.id, OutputIndex: it.index,
				Refusal: p.text.String()})
		} else {
			err = s.emit("response.output_text.done", evTextDone{ContentIndex: ci, ItemID: it.id,
				Logprobs: nonNil(p.logprobs), OutputIndex: it.index, Text: p.text.String()})
		}
		if err != nil {
			return err
		}
		if err := s.emit("response.content_part.done", evPart{ContentIndex: ci, ItemID: it.id, OutputIndex: it.index,
			Part: p.wire()}); err != nil {
			return err
		}
	}
	it.status, it.closed = doneStatus(it), true
	return s.emit("response.output_item.done", evItem{Item: it.wire(), OutputIndex: it.index})
}

func (s *StreamWriter) closeTools() error {
	var open []*item
	for _, it := range s.tools {
		if !it.closed {
			open = append(open, it)
		}
	}
	slices.SortFunc(open, func(a, b *item) int { return a.index - b.index })
	for _, it := range open {
		it.status, it.closed = doneStatus(it), true
		if err := s.emit("response.function_call_arguments.done", evArgsDone{Arguments: it.args.String(), ItemID: it.id,
			Name: it.name, OutputIndex: it.index}); err != nil {
			return err
		}
		if err := s.emit("response.output_item.done", evItem{Item: it.wire(), OutputIndex: it.index}); err != nil {
			return err
		}
	}
	return nil
}

// emit writes one event: "event: <type>", then its JSON with type first
// and sequence_number last. Event types are plain ASCII names.
func (s *StreamWriter) emit(typ string, ev any) error {
	if s.err != nil {
		return s.err
	}
	data, err := marshal(ev)
	if err != nil {
		s.err = err
		return err
	}
	// data is the event's object without type and sequence_number:
	// splice type in after its "{", and the sequence number at its end.
	s.buf.Reset()
	s.buf.WriteString("event: ")
	s.buf.WriteString(typ)
	s.buf.WriteString("\ndata: {\"type\":\"")
	s.buf.WriteString(typ)
	s.buf.WriteByte('"')
	if len(data) > 2 {
		s.buf.WriteByte(',')
		s.buf.Write(data[1 : len(data)-1])
	}
	return s.write()
}

// emitDelta writes one of the per-token events by hand (they are most of
// a stream, and encoding/json costs five allocations each): type,
// content_index (when >= 0), delta, item_id, logprobs (when withLogprobs),
// output_index, summary_index (when >= 0), sequence_number.
func (s *StreamWriter) emitDelta(typ string, contentIndex int, delta string, it *item, logprobs []json.RawMessage,
	withLogprobs bool, summaryIndex int) error {
	if s.err != nil {
		return s.err
	}
	s.buf.Reset()
	b := s.buf.AvailableBuffer()
	b = append(b, "event: "...)
	b = append(b, typ...)
	b = append(b, "\ndata: {\"type\":\""...)
	b = append(b, typ...)
	b = append(b, '"')
	if contentIndex >= 0 {
		b = append(b, `,"content_index":`...)
		b = strconv.AppendInt(b, int64(contentIndex), 10)
	}
	b = append(b, `,"delta":`...)
	b, _ = jsontext.AppendQuote(b, delta) // invalid UTF-8 becomes U+FFFD, as encoding/json does
	b = append(b, `,"item_id":`...)
	b, _ = jsontext.AppendQuote(b, it.id)
	if withLogprobs {
		b = append(b, `,"logprobs":[`...)
		for i, lp := range logprobs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, lp...)
		}
		b = append(b, ']')
	}
	b = append(b, `,"output_index":`...)
	b = strconv.AppendInt(b, int64(it.index), 10)
	if summaryIndex >= 0 {
		b = append(b, `,"summary_index":`...)
		b = strconv.AppendInt(b, int64(summaryIndex), 10)
	}
	s.buf.Write(b)
	return s.write()
}

// write ends the event in buf with its sequence number, writes and
// flushes it.
func (s *StreamWriter) write() error {
	b := s.buf.AvailableBuffer()
	b = append(b, `,"sequence_number":`...)
	b = strconv.AppendInt(b, int64(s.seq), 10)
	b = append(b, "}\n\n"...)
	s.buf.Write(b)
	s.seq++
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		s.err = fmt.Errorf("responses: write event: %w", err)
		return s.err
	}
	if s.flush != nil {
		s.flush()
	}
	return nil
}

// The event bodies, without type and sequence_number (emit adds them).
type (
	evResponse struct {
		Response *responseObject `json:"response"`
	}
	evItem struct {
		Item        any `json:"item"`
		OutputIndex int `json:"output_index"`
	}
	evPart struct {
		ContentIndex int    `json:"content_index"`
		ItemID       string `json:"item_id"`
		OutputIndex  int    `json:"output_index"`
		Part         any    `json:"part"`
	}
	evTextDone struct {
		ContentIndex int               `json:"content_index"`
		ItemID       string            `json:"item_id"`
		Logprobs     []json.RawMessage `json:"logprobs"`
		OutputIndex  int               `json:"output_index"`
		Text         string            `json:"text"`
	}
	evRefusalDone struct {
		ContentIndex int    `json:"content_index"`
		ItemID       string `json:"item_id"`
		OutputIndex  int    `json:"output_index"`
		Refusal      string `json:"refusal"`
	}
	evArgsDone struct {
		Arguments   string `json:"arguments"`
		ItemID      string `json:"item_id"`
		Name        string `json:"name"`
		OutputIndex int    `json:"output_index"`
	}
	evSummaryPart struct {
		ItemID       string      `json:"item_id"`
		OutputIndex  int         `json:"output_index"`
		Part         wireSummary `json:"part"`
		SummaryIndex int         `json:"summary_index"`
	}
	evSummaryDone struct {
		ItemID       string `json:"item_id"`
		OutputIndex  int    `json:"output_index"`
		SummaryIndex int    `json:"summary_index"`
		Text         string `json:"text"`
	}
	evError struct {
		Error errBody `json:"error"`
	}
)
