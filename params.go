package llmux

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// paramSupporter is provider.ParamSupporter: a provider that cannot take
// every OpenAI parameter.
type paramSupporter interface {
	SupportsParam(ct CallType, model, name string) bool
}

// openAIParams are OpenAI request parameters a request carries in Extra,
// which providers without them must not receive unnoticed. Extra keys not
// listed here are provider-specific (Anthropic's top_k or thinking) and
// always sent.
var openAIParams = map[string]bool{
	"logit_bias": true, "metadata": true, "store": true, "modalities": true, "audio": true, "prediction": true,
	"service_tier": true, "web_search_options": true, "verbosity": true, "prompt_cache_key": true,
	"safety_identifier": true, "functions": true, "function_call": true, "best_of": true, "echo": true,
	"suffix": true,
}

// setParams lists the parameters req sets, by OpenAI name: its typed
// fields (not model, messages, prompt, input or stream, which the call
// owns) and its Extra keys that are OpenAI parameters, in out's storage
// (a caller's array keeps the call from allocating).
func setParams(req *Request, out []string) []string {
	out = out[:0]
	add := func(name string, set bool) {
		if set {
			out = append(out, name)
		}
	}
	add("temperature", req.Temperature != nil)
	add("top_p", req.TopP != nil)
	add("max_tokens", req.MaxTokens != nil)
	add("max_completion_tokens", req.MaxCompletionTokens != nil)
	add("n", req.N != nil)
	add("stop", len(req.Stop) > 0)
	add("presence_penalty", req.PresencePenalty != nil)
	add("frequency_penalty", req.FrequencyPenalty != nil)
	add("seed", req.Seed != nil)
	add("logprobs", req.Logprobs != nil)
	add("top_logprobs", req.TopLogprobs != nil)
	add("tools", len(req.Tools) > 0)
	add("tool_choice", req.ToolChoice != nil)
	add("parallel_tool_calls", req.ParallelToolCalls != nil)
	add("response_format", len(req.ResponseFormat) > 0)
	add("reasoning_effort", req.ReasoningEffort != "")
	add("dimensions", req.Dimensions != nil)
	add("encoding_format", req.EncodingFormat != "")
	add("user", req.User != "")
	for k := range req.Extra {
		if openAIParams[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// dropParam clears the parameter name of req (the call's own copy).
func dropParam(req *Request, name string) {
	switch name {
	case "temperature":
		req.Temperature = nil
	case "top_p":
		req.TopP = nil
	case "max_tokens":
		req.MaxTokens = nil
	case "max_completion_tokens":
		req.MaxCompletionTokens = nil
	case "n":
		req.N = nil
	case "stop":
		req.Stop = nil
	case "presence_penalty":
		req.PresencePenalty = nil
	case "frequency_penalty":
		req.FrequencyPenalty = nil
	case "seed":
		req.Seed = nil
	case "logprobs":
		req.Logprobs = nil
	case "top_logprobs":
		req.TopLogprobs = nil
	case "tools":
		req.Tools = nil
	case "tool_choice":
		req.ToolChoice = nil
	case "parallel_tool_calls":
		req.ParallelToolCalls = nil
	case "response_format":
		req.ResponseFormat = nil
	case "reasoning_effort":
		req.ReasoningEffort = ""
	case "dimensions":
		req.Dimensions = nil
	case "encoding_format":
		req.EncodingFormat = ""
	case "user":
		req.User = ""
	default:
		if _, ok := req.Extra[name]; ok {
			extra := make(map[string]json.RawMessage, len(req.Extra))
			for k, v := range req.Extra {
				if k != name {
					extra[k] = v
				}
			}
			req.Extra = extra
		}
	}
}

// checkParams checks the parameters req sets against what p supports. It
// returns the request to send (req itself, or a copy without the dropped
// parameters) and the dropped names, or an error naming the first
// unsupported parameter and the provider.
func (cl *call) checkParams(req *Request, p Provider, name string) (*Request, []string, error) {
	ps, ok := p.(paramSupporter)
	if !ok {
		return req, nil, nil
	}
	var unsupported []string
	var buf [24]string // the parameters a request sets, without allocating
	for _, param := range setParams(req, buf[:0]) {
		if !ps.SupportsParam(cl.ct, cl.upstream, param) && !slices.Contains(req.AllowedParams, param) {
			unsupported = append(unsupported, param)
		}
	}
	if len(unsupported) == 0 {
		return req, nil, nil
	}
	drop := cl.c.cfg.dropParams
	if req.DropParams != nil {
		drop = *req.DropParams
	}
	if !drop {
		return nil, nil, &Error{Code: CodeInvalidRequest, Provider: name, Param: unsupported[0],
			Message: fmt.Sprintf("%s: %s does not support %s (model %s); drop them with WithDropParams or Request.DropParams, "+
				"or send them anyway with Request.AllowedParams", unsupported[0], name, quoteAll(unsupported), cl.upstream)}
	}
	eff := *req
	for _, param := range unsupported {
		dropParam(&eff, param)
	}
	return &eff, unsupported, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// optionalParams lists the parameters the request sets, under their OpenAI
// names, as LiteLLM's optional_params: copies, so the caller's later
// changes never show. Extra values are included as raw JSON.
func optionalParams(req *Request, stream bool) map[string]any {
	p := make(map[string]any, 8)
	if stream {
		p["stream"] = true
	}
	if req.Temperature != nil {
		p["temperature"] = *req.Temperature
	}
	if req.TopP != nil {
		p["top_p"] = *req.TopP
	}
	if req.MaxTokens != nil {
		p["max_tokens"] = *req.MaxTokens
	}
	if req.MaxCompletionTokens != nil {
		p["max_completion_tokens"] = *req.MaxCompletionTokens
	}
	if req.N != nil {
		p["n"] = *req.N
	}
	if len(req.Stop) > 0 {
		p["stop"] = cloneStrings(req.Stop)
	}
	if req.PresencePenalty != nil {
		p["presence_penalty"] = *req.PresencePenalty
	}
	if req.FrequencyPenalty != nil {
		p["frequency_penalty"] = *req.FrequencyPenalty
	}
	if req.Seed != nil {
		p["seed"] = *req.Seed
	}
	if req.Logprobs != nil {
		p["logprobs"] = *req.Logprobs
	}
	if req.TopLogprobs != nil {
		p["top_logprobs"] = *req.TopLogprobs
	}
	if len(req.Tools) > 0 {
		p["tools"] = cloneSlice(req.Tools, Tool.clone)
	}
	if tc := req.ToolChoice; tc != nil {
		if len(tc.Raw) == 0 && tc.Function == "" {
			p["tool_choice"] = tc.Mode
		} else {
			b, _ := tc.MarshalJSON()
			p["tool_choice"] = json.RawMessage(b)
		}
	}
	if req.ParallelToolCalls != nil {
		p["parallel_tool_calls"] = *req.ParallelToolCalls
	}
	if len(req.ResponseFormat) > 0 {
		p["response_format"] = cloneRaw(req.ResponseFormat)
	}
	if req.ReasoningEffort != "" {
		p["reasoning_effort"] = req.ReasoningEffort
	}
	if req.Dimensions != nil {
		p["dimensions"] = *req.Dimensions
	}
	if req.EncodingFormat != "" {
		p["encoding_format"] = req.EncodingFormat
	}
	if req.User != "" {
		p["user"] = req.User
	}
	for k, v := range req.Extra {
		p[k] = cloneRaw(v)
	}
	return p
}

// copyParams deep-copies optional params built by optionalParams.
func copyParams(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case []string:
			v = cloneStrings(x)
		case []Tool:
			v = cloneSlice(x, Tool.clone)
		case json.RawMessage:
			v = cloneRaw(x)
		}
		out[k] = v
	}
	return out
}
