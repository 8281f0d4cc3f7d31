package responses

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// Hooks for tests: the clock and the random part of ids.
var (
	now     = time.Now
	newBase = randomBase
)

// randomBase returns 48 random hex digits, the length of OpenAI's ids.
func randomBase() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ids hands out the ids of one response: resp_<base> for the response and
// <prefix>_<base><n> for its items, so every id is unique and all of them
// show which response they belong to.
type ids struct {
	base string
	n    int
}

func newIDs() *ids { return &ids{base: newBase()} }

func (g *ids) response() string { return "resp_" + g.base }

func (g *ids) next(prefix string) string {
	g.n++
	return fmt.Sprintf("%s_%s%04x", prefix, g.base, g.n)
}

// EncodeResponse returns the Responses API's "response" object for a
// chat completion: what POST /v1/responses answers without streaming.
// echo is what [DecodeRequest] returned for the request (nil echoes
// nothing).
//
// The first choice becomes the output: a reasoning item when the message
// has reasoning text (its summary: the chat APIs' reasoning text is the
// model's own, and summaries are what clients show), a message item with
// an output_text part (with the logprobs and url_citation annotations the
// choice had) and a refusal part when there is one, then one function_call
// item per tool call. The status is "completed", or "incomplete" with
// incomplete_details.reason "max_output_tokens" (finish_reason "length") or
// "content_filter"; the last item of an incomplete response is incomplete.
// Usage maps to input_tokens (with cached_tokens and cache_write_tokens),
// output_tokens (with reasoning_tokens) and total_tokens. The model is the
// one the completion names, or echo.Model. store is false: nothing is
// stored. The response id and item ids are new random ids; the
// completion's id is not kept.
func EncodeResponse(resp *llmux.Response, echo *Echo) ([]byte, error) {
	if resp == nil {
		return nil, fmt.Errorf("responses: encode: nil response")
	}
	if echo == nil {
		echo = &Echo{}
	}
	g := newIDs()
	finish := ""
	var out []*item
	if len(resp.Choices) > 0 {
		finish = resp.Choices[0].FinishReason
		out = itemsOf(&resp.Choices[0], g)
	}
	created := resp.Created
	if created == 0 {
		created = now().Unix()
	}
	obj := echo.object(g.response(), created, pick(resp.Model, echo.Model))
	obj.finish(finish, out, &resp.Usage, resp.ServiceTier)
	return marshal(obj)
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// item is one output item, built whole (EncodeResponse) or piece by piece
// (StreamWriter).
type item struct {
	typ    string // "reasoning", "message", "function_call"
	id     string
	index  int // output_index
	status string
	closed bool // its output_item.done was written (StreamWriter)

	summary strings.Builder // reasoning
	parts   []*part         // message content, by content_index

	callID, name string // function_call
	args         strings.Builder
	toolIndex    int // the chat tool call index it streams from
}

// part is a message's content part: output_text or refusal.
type part struct {
	typ         string
	text        strings.Builder
	logprobs    []json.RawMessage
	annotations []json.RawMessage
}

// partOf returns the message's part of type typ, and its index, or nil.
func (it *item) partOf(typ string) (*part, int) {
	for i, p := range it.parts {
		if p.typ == typ {
			return p, i
		}
	}
	return nil, -1
}

// itemsOf returns the output items of a completed choice, with ids from g;
// with a nil g they have none (a StreamWriter replaying them assigns its
// own).
func itemsOf(c *llmux.Choice, g *ids) []*item {
	next := func(prefix string) string {
		if g == nil {
			return ""
		}
		return g.next(prefix)
	}
	m := &c.Message
	var out []*item
	add := func(it *item) {
		it.index, it.status = len(out), statusCompleted
		out = append(out, it)
	}
	if r := reasoningText(m); r != "" {
		it := &item{typ: "reasoning", id: next("rs")}
		it.summary.WriteString(r)
		add(it)
	}
	text := m.Text()
	if text != "" || m.Refusal != "" || len(m.ToolCalls) == 0 {
		it := &item{typ: "message", id: next("msg")}
		if text != "" || m.Refusal == "" {
			p := &part{typ: "output_text", logprobs: logprobsOf(c.Logprobs), annotations: annotationsOf(m.Extra["annotations"])}
			p.text.WriteString(text)
			it.parts = append(it.parts, p)
		}
		if m.Refusal != "" {
			p := &part{typ: "refusal"}
			p.text.WriteString(m.Refusal)
			it.parts = append(it.parts, p)
		}
		add(it)
	}
	for i, tc := range m.ToolCalls {
		it := &item{typ: "function_call", id: next("fc"), callID: tc.ID, name: tc.Function.Name, toolIndex: i}
		if it.callID == "" {
			it.callID = next("call")
		}
		it.args.WriteString(tc.Function.Arguments)
		add(it)
	}
	return out
}

// reasoningText is the message's reasoning: reasoning_content, or the
// text of its thinking blocks.
func reasoningText(m *llmux.Message) string {
	if m.ReasoningContent != "" {
		return m.ReasoningContent
	}
	var b strings.Builder
	for _, t := range m.ThinkingBlocks {
		b.WriteString(t.Thinking)
	}
	return b.String()
}

// logprobsOf returns the token entries of a chat logprobs object
// ({"content":[...]}); each has the token, logprob, bytes and top_logprobs
// a Responses logprob has.
func logprobsOf(raw json.RawMessage) []json.RawMessage {
	if isNull(raw) {
		return nil
	}
	var lp struct {
		Content []json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &lp) != nil {
		return nil
	}
	return lp.Content
}

// annotationsOf maps a chat message's annotations to output_text
// annotations: a url_citation's members move up a level; other types are
// kept as they are.
func annotationsOf(raw json.RawMessage) []json.RawMessage {
	if isNull(raw) {
		return nil
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := make([]json.RawMessage, 0, len(list))
	for _, a := range list {
		var typ string
		_ = json.Unmarshal(a["type"], &typ)
		if inner, ok := a[typ]; ok && typ == "url_citation" {
			var c struct {
				StartIndex int    `json:"start_index"`
				EndIndex   int    `json:"end_index"`
				URL        string `json:"url"`
				Title      string `json:"title"`
			}
			if json.Unmarshal(inner, &c) == nil {
				b, _ := marshal(struct {
					Type       string `json:"type"`
					StartIndex int    `json:"start_index"`
					EndIndex   int    `json:"end_index"`
					URL        string `json:"url"`
					Title      string `json:"title"`
				}{typ, c.StartIndex, c.EndIndex, c.URL, c.Title})
				out = append(out, b)
				continue
			}
		}
		b, _ := marshal(a)
		out = append(out, b)
	}
	return out
}

// Item and response statuses.
const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
	statusIncomplete = "incomplete"
	statusFailed     = "failed"
)

// The wire shapes, members in the order OpenAI writes them.
type (
	wireText struct {
		Type        string            `json:"type"`
		Annotations []json.RawMessage `json:"annotations"`
		Logprobs    []json.RawMessage `json:"logprobs"`
		Text        string            `json:"text"`
	}
	wireRefusal struct {
		Type    string `json:"type"`
		Refusal string `json:"refusal"`
	}
	wireMessage struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Status  string `json:"status"`
		Content []any  `json:"content"`
		Role    string `json:"role"`
	}
	wireSummary struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	wireReasoning struct {
		ID      string        `json:"id"`
		Type    string        `json:"type"`
		Summary []wireSummary `json:"summary"`
	}
	wireFunctionCall struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Status    string `json:"status"`
		Arguments string `json:"arguments"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
	}
)

// wire returns the part as OpenAI writes it.
func (p *part) wire() any {
	if p.typ == "refusal" {
		return wireRefusal{Type: "refusal", Refusal: p.text.String()}
	}
	return wireText{Type: "output_text", Annotations: nonNil(p.annotations), Logprobs: nonNil(p.logprobs), Text: p.text.String()}
}

// wire returns the item as OpenAI writes it.
func (it *item) wire() any {
	switch it.typ {
	case "reasoning":
		return wireReasoning{ID: it.id, Type: "reasoning", Summary: []wireSummary{{Type: "summary_text", Text: it.summary.String()}}}
	case "function_call":
		return wireFunctionCall{ID: it.id, Type: "function_call", Status: it.status, Arguments: it.args.String(),
			CallID: it.callID, Name: it.name}
	}
	w := wireMessage{ID: it.id, Type: "message", Status: it.status, Content: make([]any, len(it.parts)), Role: "assistant"}
	for i, p := range it.parts {
		w.Content[i] = p.wire()
	}
	return w
}

// added returns the item as response.output_item.added announces it:
// in progress, with no content yet.
func (it *item) added() any {
	switch it.typ {
	case "reasoning":
		return wireReasoning{ID: it.id, Type: "reasoning", Summary: []wireSummary{}}
	case "function_call":
		return wireFunctionCall{ID: it.id, Type: "function_call", Status: statusInProgress, CallID: it.callID, Name: it.name}
	}
	return wireMessage{ID: it.id, Type: "message", Status: statusInProgress, Content: []any{}, Role: "assistant"}
}

func nonNil(l []json.RawMessage) []json.RawMessage {
	if l == nil {
		return []json.RawMessage{}
	}
	return l
}

// responseObject is the Responses API's "response" object.
type responseObject struct {
	ID                   string            `json:"id"`
	Object               string            `json:"object"`
	CreatedAt            int64             `json:"created_at"`
	Status               string            `json:"status"`
	Background           bool              `json:"background"`
	CompletedAt          *int64            `json:"completed_at"`
	Error                *wireError        `json:"error"`
	IncompleteDetails    *incomplete       `json:"incomplete_details"`
	Instructions         *string           `json:"instructions"`
	MaxOutputTokens      *int              `json:"max_output_tokens"`
	MaxToolCalls         *int              `json:"max_tool_calls"`
	Model                string            `json:"model"`
	Output               []any             `json:"output"`
	ParallelToolCalls    bool              `json:"parallel_tool_calls"`
	PreviousResponseID   *string           `json:"previous_response_id"`
	PromptCacheKey       *string           `json:"prompt_cache_key"`
	PromptCacheRetention *string           `json:"prompt_cache_retention"`
	Reasoning            reasoningEcho     `json:"reasoning"`
	SafetyIdentifier     *string           `json:"safety_identifier"`
	ServiceTier          *string           `json:"service_tier"`
	Store                bool              `json:"store"`
	Temperature          *float64          `json:"temperature"`
	Text                 json.RawMessage   `json:"text"`
	ToolChoice           json.RawMessage   `json:"tool_choice"`
	Tools                json.RawMessage   `json:"tools"`
	TopLogprobs          int               `json:"top_logprobs"`
	TopP                 *float64          `json:"top_p"`
	Truncation           string            `json:"truncation"`
	Usage                *wireUsage        `json:"usage"`
	User                 *string           `json:"user"`
	Metadata             map[string]string `json:"metadata"`
}

type incomplete struct {
	Reason string `json:"reason"`
}

// wireError is a failed response's error.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type wireUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CacheWriteTokens int `json:"cache_write_tokens"`
		CachedTokens     int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// usageOf maps a chat usage (whose prompt tokens include cached and
// cache-creation tokens, as input_tokens do).
func usageOf(u *llmux.Usage) *wireUsage {
	w := &wireUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	w.InputTokensDetails.CachedTokens = u.CachedTokens
	w.InputTokensDetails.CacheWriteTokens = u.CacheCreationTokens
	w.OutputTokensDetails.ReasoningTokens = u.ReasoningTokens
	if w.TotalTokens == 0 {
		w.TotalTokens = w.InputTokens + w.OutputTokens
	}
	return w
}

// object returns an in-progress response with the echoed settings.
func (e *Echo) object(id string, createdAt int64, model string) *responseObject {
	o := &responseObject{
		ID: id, Object: "response", CreatedAt: createdAt, Status: statusInProgress, Model: model,
		Output: []any{}, ParallelToolCalls: true, Instructions: e.instructions, MaxOutputTokens: e.maxOutputTokens,
		MaxToolCalls: e.maxToolCalls, PromptCacheKey: e.cacheKey, PromptCacheRetention: e.cacheRetention,
		SafetyIdentifier: e.safetyID, ServiceTier: e.serviceTier, Temperature: e.temperature, Text: e.text,
		ToolChoice: e.toolChoice, Tools: e.tools, TopLogprobs: e.topLogprobs, TopP: e.topP, Truncation: e.truncation,
		User: e.user, Metadata: e.metadata,
	}
	if e.parallel != nil {
		o.ParallelToolCalls = *e.parallel
	}
	if e.reasoning != nil {
		o.Reasoning = *e.reasoning
	}
	if o.Text == nil {
		o.Text = json.RawMessage(`{"format":{"type":"text"}}`)
	}
	if o.ToolChoice == nil {
		o.ToolChoice = json.RawMessage(`"auto"`)
	}
	if o.Tools == nil {
		o.Tools = json.RawMessage(`[]`)
	}
	if o.Truncation == "" {
		o.Truncation = "disabled"
	}
	if o.Metadata == nil {
		o.Metadata = map[string]string{}
	}
	return o
}

// finish completes the response from the chat finish reason, the output
// items and the usage: the status, incomplete_details, completed_at, the
// items' statuses and the service tier the upstream reports.
func (o *responseObject) finish(finishReason string, items []*item, u *llmux.Usage, tier string) {
	o.Status = statusCompleted
	switch finishReason {
	case "length":
		o.Status, o.IncompleteDetails = statusIncomplete, &incomplete{Reason: "max_output_tokens"}
	case "content_filter":
		o.Status, o.IncompleteDetails = statusIncomplete, &incomplete{Reason: "content_filter"}
	}
	for i, it := range items {
		it.status = statusCompleted
		if o.Status == statusIncomplete && i == len(items)-1 && it.typ != "reasoning" {
			it.status = statusIncomplete
		}
	}
	o.setOutput(items)
	if o.Status == statusCompleted {
		t := now().Unix()
		o.CompletedAt = &t
	}
	if u != nil {
		o.Usage = usageOf(u)
	} else {
		o.Usage = &wireUsage{}
	}
	if tier != "" {
		o.ServiceTier = &tier
	}
}

func (o *responseObject) setOutput(items []*item) {
	o.Output = make([]any, len(items))
	for i, it := range items {
		o.Output[i] = it.wire()
	}
}

// marshal encodes v without escaping <, > and &, with no trailing newline.
func marshal(v any) ([]byte, error) {
	b, err := jsonobj.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("responses: encode: %w", err)
	}
	return b, nil
}
