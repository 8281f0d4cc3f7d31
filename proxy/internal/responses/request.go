package responses

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/llmux/llmux"
)

// Echo holds what a Responses "response" object repeats of the request it
// answers: instructions, tools, tool_choice, text, reasoning, sampling
// settings, metadata and so on. [DecodeRequest] fills it; [EncodeResponse]
// and [NewStreamWriter] read it. The zero value is a request that set
// nothing. An Echo is not changed once built and may be shared.
type Echo struct {
	// Model is the model the response reports when the upstream answer
	// names none (the model the client asked for).
	Model string

	instructions    *string
	maxOutputTokens *int
	maxToolCalls    *int
	parallel        *bool
	cacheKey        *string
	cacheRetention  *string
	reasoning       *reasoningEcho
	safetyID        *string
	serviceTier     *string
	temperature     *float64
	topP            *float64
	topLogprobs     int
	text            json.RawMessage // the text object, with format defaulted
	toolChoice      json.RawMessage
	tools           json.RawMessage
	truncation      string
	user            *string
	metadata        map[string]string
}

type reasoningEcho struct {
	Effort  *string `json:"effort"`
	Summary *string `json:"summary"`
}

// Request members OpenAI's Chat Completions API has and the Responses API
// does not: a Responses body naming one is refused, as OpenAI refuses it,
// rather than sent upstream with a meaning the client did not ask for.
var chatOnly = map[string]string{
	"messages": "input", "max_tokens": "max_output_tokens", "max_completion_tokens": "max_output_tokens",
	"response_format": "text.format", "reasoning_effort": "reasoning.effort", "n": "", "stop": "",
	"presence_penalty": "", "frequency_penalty": "", "seed": "", "logprobs": "include",
	"dimensions": "", "encoding_format": "", "functions": "tools", "function_call": "tool_choice",
	"logit_bias": "", "modalities": "", "audio": "", "prediction": "", "web_search_options": "",
	"verbosity": "text.verbosity",
}

// DecodeRequest translates the body of POST /v1/responses into the chat
// request the SDK calls, and the [Echo] its answer repeats.
//
// The request body maps as follows:
//   - model, temperature, top_p, user, parallel_tool_calls (when there are
//     tools) map one to one; max_output_tokens becomes MaxTokens, which
//     every provider takes (the OpenAI codec sends it as
//     max_completion_tokens to reasoning models).
//   - instructions becomes a leading system message; input (a string, or a
//     list of items) becomes the messages: message items with role user,
//     system, developer or assistant and parts input_text, input_image,
//     input_file, input_audio, output_text, refusal; function_call items
//     join the assistant message before them as tool calls;
//     function_call_output items become tool messages. reasoning items are
//     dropped: they carry OpenAI's own (encrypted) reasoning state, which
//     no chat API takes back.
//   - tools: function tools (flat: type, name, description, parameters,
//     strict) become llmux tools; tool_choice "auto", "none", "required",
//     {"type":"function","name"} and {"type":"allowed_tools"} map to their
//     chat forms. tool_choice and parallel_tool_calls are not sent without
//     tools (OpenAI's chat API refuses them then).
//   - text.format becomes response_format in its chat shape ({"type":
//     "json_schema","json_schema":{name, schema, strict, description}});
//     text.verbosity becomes verbosity; reasoning.effort becomes
//     ReasoningEffort (reasoning.summary is echoed only).
//   - include "message.output_text.logprobs" sets Logprobs, with
//     top_logprobs as TopLogprobs; other include values are accepted and
//     ignored (they concern built-in tools, or encrypted reasoning this
//     gateway does not produce).
//   - metadata becomes the call's Metadata (seen by loggers, never sent
//     upstream) and is echoed; service_tier, prompt_cache_key and
//     safety_identifier are sent as the chat parameters of the same names
//     (a provider without them fails the call unless drop_params is on,
//     as for a chat request).
//   - stream sets Stream, which the gateway reads to pick the call.
//   - store is accepted and nothing is stored: responses echo store false.
//     stream_options, truncation, max_tool_calls and
//     prompt_cache_retention are accepted and echoed only (truncation
//     "auto" is not performed: a prompt over the context window fails
//     upstream instead).
//   - Anything that needs stored state or hosted tools is refused with
//     CodeUnsupported naming it: previous_response_id, conversation,
//     prompt, background true, context_management, item_reference input
//     items, built-in tools (web_search, file_search, computer_use_preview,
//     code_interpreter, mcp, ...), custom tools and their input items.
//   - Chat Completions members that are not Responses parameters
//     (max_tokens, messages, response_format, stop, seed, ...) are refused
//     as OpenAI refuses them; other unknown members go to Extra and reach
//     the provider, as on the chat endpoint.
//
// Every error is an *llmux.Error with CodeInvalidRequest (a malformed
// body) or CodeUnsupported (a feature this gateway does not serve), its
// Param the path of the offending member ("input[2].content[0].type") and
// its Message starting "responses: <path>: ". The gateway answers it with
// status 400 and OpenAI's {"error":{"message","type","param","code"}} body,
// as for chat.
func DecodeRequest(body []byte) (*llmux.Request, *Echo, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, invalid("", "request body: want a JSON object")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, nil, invalid("", "request body: %v", jsonErr(err))
	}
	d := &decoder{top: top, req: &llmux.Request{}, echo: &Echo{}}
	if err := d.decode(); err != nil {
		return nil, nil, err
	}
	return d.req, d.echo, nil
}

type decoder struct {
	top  map[string]json.RawMessage
	req  *llmux.Request
	echo *Echo
}

// get returns the member name, or nil when it is absent or null.
func (d *decoder) get(name string) json.RawMessage {
	v, ok := d.top[name]
	if !ok || isNull(v) {
		return nil
	}
	return v
}

func (d *decoder) decode() error {
	// Members nobody here models are refused or passed on first, so that
	// the errors below are about members the client meant.
	for _, k := range slices.Sorted(maps.Keys(d.top)) {
		if known[k] {
			continue
		}
		if alt, ok := chatOnly[k]; ok {
			msg := "unknown parameter: a Chat Completions parameter the Responses API does not take"
			if alt != "" {
				msg += "; use " + alt
			}
			return invalid(k, "%s", msg)
		}
		if d.req.Extra == nil {
			d.req.Extra = make(map[string]json.RawMessage)
		}
		d.req.Extra[k] = d.top[k]
	}
	for _, k := range [...]string{"previous_response_id", "conversation", "prompt", "context_management"} {
		if d.get(k) != nil {
			return unsupported(k, "not supported: this gateway keeps no stored responses, conversations or prompts; send the whole conversation in input")
		}
	}
	if v := d.get("background"); v != nil {
		b, err := asBool(v, "background")
		if err != nil {
			return err
		}
		if b {
			return unsupported("background", "background responses are not supported by this gateway")
		}
	}

	model, err := reqString(d.get("model"), "model")
	if err != nil {
		return err
	}
	d.req.Model, d.echo.Model = model, model

	if err := d.sampling(); err != nil {
		return err
	}
	if err := d.messages(); err != nil {
		return err
	}
	if err := d.tools(); err != nil {
		return err
	}
	if err := d.text(); err != nil {
		return err
	}
	if err := d.reasoning(); err != nil {
		return err
	}
	if err := d.hints(); err != nil {
		return err
	}
	if err := d.logprobs(); err != nil {
		return err
	}
	return nil
}

// known are the Responses API's request members.
var known = map[string]bool{
	"model": true, "input": true, "instructions": true, "tools": true, "tool_choice": true,
	"parallel_tool_calls": true, "temperature": true, "top_p": true, "max_output_tokens": true, "text": true,
	"reasoning": true, "user": true, "safety_identifier": true, "metadata": true, "stream": true, "store": true,
	"previous_response_id": true, "truncation": true, "include": true, "top_logprobs": true,
	"service_tier": true, "prompt_cache_key": true, "prompt_cache_retention": true, "stream_options": true,
	"background": true, "conversation": true, "prompt": true, "max_tool_calls": true,
	"context_management": true,
}

func (d *decoder) sampling() error {
	var err error
	if d.req.Temperature, err = optFloat(d.get("temperature"), "temperature"); err != nil {
		return err
	}
	d.echo.temperature = d.req.Temperature
	if d.req.TopP, err = optFloat(d.get("top_p"), "top_p"); err != nil {
		return err
	}
	d.echo.topP = d.req.TopP
	if d.req.MaxTokens, err = optInt(d.get("max_output_tokens"), "max_output_tokens"); err != nil {
		return err
	}
	d.echo.maxOutputTokens = d.req.MaxTokens
	if d.echo.maxToolCalls, err = optInt(d.get("max_tool_calls"), "max_tool_calls"); err != nil {
		return err
	}
	if v := d.get("stream"); v != nil {
		if d.req.Stream, err = asBool(v, "stream"); err != nil {
			return err
		}
	}
	if v := d.get("store"); v != nil {
		if _, err = asBool(v, "store"); err != nil {
			return err
		}
	}
	if v := d.get("stream_options"); v != nil && !isObject(v) {
		return invalid("stream_options", "want an object")
	}
	d.echo.truncation = "disabled"
	if v := d.get("truncation"); v != nil {
		t, err := asString(v, "truncation")
		if err != nil {
			return err
		}
		if t != "auto" && t != "disabled" {
			return invalid("truncation", "want \"auto\" or \"disabled\", not %q", t)
		}
		d.echo.truncation = t
	}
	return nil
}

// messages builds the chat messages from instructions and input.
func (d *decoder) messages() error {
	c := &converter{}
	if v := d.get("instructions"); v != nil {
		s, err := asString(v, "instructions")
		if err != nil {
			return err
		}
		d.echo.instructions = &s
		c.msgs = append(c.msgs, llmux.System(s))
	}
	in := d.get("input")
	switch {
	case in == nil:
	case in[0] == '"':
		s, err := asString(in, "input")
		if err != nil {
			return err
		}
		c.msgs = append(c.msgs, llmux.User(s))
	case in[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(in, &items); err != nil {
			return invalid("input", "%v", jsonErr(err))
		}
		for i, it := range items {
			if err := c.item(fmt.Sprintf("input[%d]", i), it); err != nil {
				return err
			}
		}
	default:
		return invalid("input", "want a string or an array of input items")
	}
	if len(c.msgs) == 0 {
		return invalid("input", "required: give input (or instructions)")
	}
	d.req.Messages = c.msgs
	return nil
}

// text maps text.format to response_format and text.verbosity to
// verbosity.
func (d *decoder) text() error {
	format := json.RawMessage(`{"type":"text"}`)
	echo := map[string]json.RawMessage{}
	if v := d.get("text"); v != nil {
		m, err := asObject(v, "text")
		if err != nil {
			return err
		}
		for k, x := range m {
			echo[k] = x
		}
		if f := nonNull(m["format"]); f != nil {
			rf, err := responseFormat(f)
			if err != nil {
				return err
			}
			d.req.ResponseFormat = rf
			format = f
		}
		if vb := nonNull(m["verbosity"]); vb != nil {
			if _, err := asString(vb, "text.verbosity"); err != nil {
				return err
			}
			d.extra("verbosity", vb)
		}
	}
	echo["format"] = format
	b, err := json.Marshal(echo)
	if err != nil {
		return err
	}
	d.echo.text = b
	return nil
}

func responseFormat(raw json.RawMessage) (json.RawMessage, error) {
	m, err := asObject(raw, "text.format")
	if err != nil {
		return nil, err
	}
	typ, err := reqString(nonNull(m["type"]), "text.format.type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "text":
		// The chat API's default; not sent, so that providers without
		// response_format are not refused for it.
		return nil, nil
	case "json_object":
		return json.RawMessage(`{"type":"json_object"}`), nil
	case "json_schema":
	default:
		return nil, invalid("text.format.type", "want \"text\", \"json_object\" or \"json_schema\", not %q", typ)
	}
	name, err := reqString(nonNull(m["name"]), "text.format.name")
	if err != nil {
		return nil, err
	}
	schema := nonNull(m["schema"])
	if schema == nil || !isObject(schema) {
		return nil, invalid("text.format.schema", "required: a JSON Schema object")
	}
	js := struct {
		Name        string          `json:"name"`
		Description *string         `json:"description,omitempty"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict,omitempty"`
	}{Name: name, Schema: schema}
	if v := nonNull(m["description"]); v != nil {
		s, err := asString(v, "text.format.description")
		if err != nil {
			return nil, err
		}
		js.Description = &s
	}
	if v := nonNull(m["strict"]); v != nil {
		b, err := asBool(v, "text.format.strict")
		if err != nil {
			return nil, err
		}
		js.Strict = &b
	}
	return json.Marshal(struct {
		Type       string `json:"type"`
		JSONSchema any    `json:"json_schema"`
	}{"json_schema", js})
}

func (d *decoder) reasoning() error {
	r := &reasoningEcho{}
	d.echo.reasoning = r
	v := d.get("reasoning")
	if v == nil {
		return nil
	}
	m, err := asObject(v, "reasoning")
	if err != nil {
		return err
	}
	if e := nonNull(m["effort"]); e != nil {
		s, err := asString(e, "reasoning.effort")
		if err != nil {
			return err
		}
		r.Effort = &s
		d.req.ReasoningEffort = s
	}
	for _, k := range [...]string{"summary", "generate_summary"} {
		if s := nonNull(m[k]); s != nil {
			str, err := asString(s, "reasoning."+k)
			if err != nil {
				return err
			}
			r.Summary = &str
		}
	}
	return nil
}

// hints maps user, metadata, service_tier, prompt_cache_key,
// safety_identifier and prompt_cache_retention.
func (d *decoder) hints() error {
	var err error
	if d.echo.user, err = optString(d.get("user"), "user"); err != nil {
		return err
	}
	if d.echo.user != nil {
		d.req.User = *d.echo.user
	}
	for _, p := range [...]struct {
		name string
		dst  **string
		send bool
	}{
		{"service_tier", &d.echo.serviceTier, true},
		{"prompt_cache_key", &d.echo.cacheKey, true},
		{"safety_identifier", &d.echo.safetyID, true},
		{"prompt_cache_retention", &d.echo.cacheRetention, false},
	} {
		v := d.get(p.name)
		if *p.dst, err = optString(v, p.name); err != nil {
			return err
		}
		if v != nil && p.send {
			d.extra(p.name, v)
		}
	}
	if v := d.get("metadata"); v != nil {
		m, err := asObject(v, "metadata")
		if err != nil {
			return err
		}
		d.echo.metadata = make(map[string]string, len(m))
		d.req.Metadata = make(map[string]any, len(m))
		for k, x := range m {
			s, err := asString(x, "metadata."+k)
			if err != nil {
				return err
			}
			d.echo.metadata[k] = s
			d.req.Metadata[k] = s
		}
	}
	return nil
}

// logprobs maps include "message.output_text.logprobs" and top_logprobs.
func (d *decoder) logprobs() error {
	want := false
	if v := d.get("include"); v != nil {
		var list []json.RawMessage
		if err := json.Unmarshal(v, &list); err != nil {
			return invalid("include", "want an array of strings")
		}
		for i, x := range list {
			s, err := asString(x, fmt.Sprintf("include[%d]", i))
			if err != nil {
				return err
			}
			want = want || s == "message.output_text.logprobs"
		}
	}
	n, err := optInt(d.get("top_logprobs"), "top_logprobs")
	if err != nil {
		return err
	}
	if n != nil {
		d.echo.topLogprobs = *n
	}
	if want {
		d.req.Logprobs = llmux.Ptr(true)
		if n != nil && *n > 0 {
			d.req.TopLogprobs = n
		}
	}
	return nil
}

// extra sets a chat parameter the Request does not model.
func (d *decoder) extra(name string, v json.RawMessage) {
	if d.req.Extra == nil {
		d.req.Extra = make(map[string]json.RawMessage)
	}
	d.req.Extra[name] = v
}
