package otel

import (
	"encoding/json"
	"math"
	"reflect"

	"github.com/llmux/llmux"
	"go.opentelemetry.io/otel/attribute"
)

// EventOperationDetails is the name of the span event carrying the
// messages and the response (GenAI semantic conventions).
const EventOperationDetails = "gen_ai.client.inference.operation.details"

// callAttributes are the call span's attributes.
func callAttributes(e *llmux.Event, op, reqModel string) []attribute.KeyValue {
	a := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", op),
		attribute.String("gen_ai.provider.name", ProviderName(e.Provider)),
		attribute.String("gen_ai.request.model", reqModel),
		attribute.String("llmux.call_id", e.CallID),
		attribute.Bool("llmux.cache_hit", e.CacheHit),
		attribute.Bool("llmux.stream", e.Stream),
	}
	if e.TraceID != "" {
		a = append(a, attribute.String("llmux.trace_id", e.TraceID))
	}
	if e.Route.ModelGroup != "" {
		a = append(a, attribute.String("llmux.model_group", e.Route.ModelGroup))
	}
	if e.Route.Deployment != "" {
		a = append(a, attribute.String("llmux.deployment", e.Route.Deployment))
	}
	a = append(a, requestAttributes(e.OptionalParams)...)

	switch {
	case e.EmbeddingResponse != nil:
		if m := e.EmbeddingResponse.Model; m != "" {
			a = append(a, attribute.String("gen_ai.response.model", m))
		}
	case e.Result() != nil:
		r := e.CompleteStreamingResponse
		if r == nil {
			r = e.Response
		}
		if r.Model != "" {
			a = append(a, attribute.String("gen_ai.response.model", r.Model))
		}
		if r.ID != "" {
			a = append(a, attribute.String("gen_ai.response.id", r.ID))
		}
		var reasons []string
		for _, c := range r.Choices {
			if c.FinishReason != "" {
				reasons = append(reasons, c.FinishReason)
			}
		}
		if len(reasons) > 0 {
			a = append(a, attribute.StringSlice("gen_ai.response.finish_reasons", reasons))
		}
	}
	if e.Type == llmux.EventSuccess {
		a = append(a,
			attribute.Int("gen_ai.usage.input_tokens", e.Usage.PromptTokens),
			attribute.Int("gen_ai.usage.output_tokens", e.Usage.CompletionTokens))
		if n := e.Usage.CachedTokens; n > 0 {
			a = append(a, attribute.Int("gen_ai.usage.cache_read.input_tokens", n))
		}
		if n := e.Usage.CacheCreationTokens; n > 0 {
			a = append(a, attribute.Int("gen_ai.usage.cache_creation.input_tokens", n))
		}
		if e.CostErr == nil {
			a = append(a, attribute.Float64("llmux.cost_usd", e.ResponseCost))
		}
		if e.Stream && !e.CompletionStartTime.IsZero() && !e.StartTime.IsZero() {
			a = append(a, attribute.Float64("llmux.time_to_first_token_s", e.CompletionStartTime.Sub(e.StartTime).Seconds()))
		}
	}
	return a
}

// requestAttributes maps OpenAI request parameters to gen_ai.request.*.
func requestAttributes(p map[string]any) []attribute.KeyValue {
	var a []attribute.KeyValue
	for _, f := range []struct{ param, attr string }{
		{"temperature", "gen_ai.request.temperature"},
		{"top_p", "gen_ai.request.top_p"},
		{"top_k", "gen_ai.request.top_k"},
		{"frequency_penalty", "gen_ai.request.frequency_penalty"},
		{"presence_penalty", "gen_ai.request.presence_penalty"},
	} {
		if v, ok := number(p[f.param]); ok {
			a = append(a, attribute.Float64(f.attr, v))
		}
	}
	for _, f := range []struct{ param, attr string }{
		{"max_tokens", "gen_ai.request.max_tokens"},
		{"max_completion_tokens", "gen_ai.request.max_tokens"},
		{"seed", "gen_ai.request.seed"},
		{"n", "gen_ai.request.choice.count"},
	} {
		if v, ok := number(p[f.param]); ok && v == math.Trunc(v) {
			a = append(a, attribute.Int64(f.attr, int64(v)))
		}
	}
	switch v := p["stop"].(type) {
	case []string:
		a = append(a, attribute.StringSlice("gen_ai.request.stop_sequences", v))
	case string:
		a = append(a, attribute.StringSlice("gen_ai.request.stop_sequences", []string{v}))
	}
	if v, ok := p["encoding_format"].(string); ok && v != "" {
		a = append(a, attribute.StringSlice("gen_ai.request.encoding_formats", []string{v}))
	}
	return a
}

// number reads a numeric parameter: a Go number or a JSON number (Extra
// parameters are raw JSON).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case json.RawMessage:
		var f float64
		if json.Unmarshal(x, &f) != nil {
			return 0, false
		}
		return f, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	}
	return 0, false
}

// msg and part are the GenAI conventions' message format.
type msg struct {
	Role         string `json:"role"`
	Parts        []part `json:"parts"`
	FinishReason string `json:"finish_reason,omitempty"`
}

type part struct {
	Type      string          `json:"type"`
	Content   string          `json:"content,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Response  string          `json:"response,omitempty"`
}

func toMsg(m llmux.Message) msg {
	out := msg{Role: string(m.Role)}
	if m.Role == "tool" {
		out.Parts = append(out.Parts, part{Type: "tool_call_response", ID: m.ToolCallID, Response: m.Text()})
		return out
	}
	if m.ReasoningContent != "" {
		out.Parts = append(out.Parts, part{Type: "reasoning", Content: m.ReasoningContent})
	}
	if t := m.Text(); t != "" {
		out.Parts = append(out.Parts, part{Type: "text", Content: t})
	}
	for _, tc := range m.ToolCalls {
		p := part{Type: "tool_call", ID: tc.ID, Name: tc.Function.Name}
		if json.Valid([]byte(tc.Function.Arguments)) {
			p.Arguments = json.RawMessage(tc.Function.Arguments)
		} else if tc.Function.Arguments != "" {
			p.Arguments, _ = json.Marshal(tc.Function.Arguments)
		}
		out.Parts = append(out.Parts, p)
	}
	if out.Parts == nil {
		out.Parts = []part{}
	}
	return out
}

// messagesEvent gives the operation details event's attributes: the
// input and output messages as JSON.
func messagesEvent(e *llmux.Event) []attribute.KeyValue {
	var in []msg
	switch {
	case len(e.Messages) > 0:
		for _, m := range e.Messages {
			in = append(in, toMsg(m))
		}
	case e.Prompt != "":
		in = []msg{{Role: "user", Parts: []part{{Type: "text", Content: e.Prompt}}}}
	}
	var out []msg
	r := e.CompleteStreamingResponse
	if r == nil {
		r = e.Response
	}
	if r != nil {
		for _, c := range r.Choices {
			m := c.Message
			if m.Role == "" {
				m.Role = "assistant"
			}
			om := toMsg(m)
			if c.Text != "" && len(om.Parts) == 0 {
				om.Parts = []part{{Type: "text", Content: c.Text}}
			}
			om.FinishReason = c.FinishReason
			out = append(out, om)
		}
	}
	var a []attribute.KeyValue
	if in != nil {
		if b, err := json.Marshal(in); err == nil {
			a = append(a, attribute.String("gen_ai.input.messages", string(b)))
		}
	}
	if out != nil {
		if b, err := json.Marshal(out); err == nil {
			a = append(a, attribute.String("gen_ai.output.messages", string(b)))
		}
	}
	return a
}
