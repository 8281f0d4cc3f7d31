package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// clientParams are the parameter names the llmux client checks with
// SupportsParam: the typed fields of setParams and the Extra keys of
// openAIParams in the root params.go. Keep them in step.
var clientParams = []string{
	"temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "presence_penalty",
	"frequency_penalty", "seed", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls",
	"response_format", "reasoning_effort", "dimensions", "encoding_format", "user",
	"logit_bias", "metadata", "store", "modalities", "audio", "prediction", "service_tier", "web_search_options",
	"verbosity", "prompt_cache_key", "safety_identifier", "functions", "function_call", "best_of", "echo", "suffix",
}

func TestSupportsParam(t *testing.T) {
	messages := map[string]bool{
		"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
		"stop": true, "user": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
		"reasoning_effort": true, "service_tier": true,
	}
	legacy := map[string]bool{
		"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
		"stop": true, "user": true,
	}
	p := New(WithAPIKey(testKey))
	for _, name := range clientParams {
		for _, tc := range []struct {
			ct    llmux.CallType
			model string
			want  bool
		}{
			{llmux.CallCompletion, "claude-sonnet-4-5", messages[name]},
			{llmux.CallTextCompletion, "claude-sonnet-4-5", messages[name]},
			{llmux.CallCompletion, "claude-2.1", legacy[name]},
			{llmux.CallTextCompletion, "claude-instant-1.2", legacy[name]},
			{llmux.CallEmbedding, "claude-sonnet-4-5", false},
		} {
			if got := p.SupportsParam(tc.ct, tc.model, name); got != tc.want {
				t.Errorf("SupportsParam(%s, %s, %q) = %v, want %v", tc.ct, tc.model, name, got, tc.want)
			}
		}
	}
}

// paramCase sets one parameter on a request and names what the body must
// then contain.
type paramCase struct {
	set  func(r *llmux.Request)
	want []string
}

var messagesCases = map[string]paramCase{
	"temperature":           {func(r *llmux.Request) { r.Temperature = ptr(0.3) }, []string{`"temperature":0.3`}},
	"top_p":                 {func(r *llmux.Request) { r.TopP = ptr(0.8) }, []string{`"top_p":0.8`}},
	"max_tokens":            {func(r *llmux.Request) { r.MaxTokens = ptr(77) }, []string{`"max_tokens":77`}},
	"max_completion_tokens": {func(r *llmux.Request) { r.MaxCompletionTokens = ptr(88) }, []string{`"max_tokens":88`}},
	// n = 1 is the only thing the API does: there is no member to send.
	"n":    {func(r *llmux.Request) { r.N = ptr(1) }, nil},
	"stop": {func(r *llmux.Request) { r.Stop = []string{"END"} }, []string{`"stop_sequences":["END"]`}},
	"user": {func(r *llmux.Request) { r.User = "u-1" }, []string{`"metadata":{"user_id":"u-1"}`}},
	"tools": {func(r *llmux.Request) { r.Tools = []llmux.Tool{weatherTool} },
		[]string{`"tools":[{"name":"get_weather","description":"Get the current weather in a given location","input_schema":{"type":"object"`}},
	"tool_choice": {func(r *llmux.Request) { r.ToolChoice = &llmux.ToolChoice{Mode: "required"} }, []string{`"tool_choice":{"type":"any"}`}},
	"parallel_tool_calls": {func(r *llmux.Request) { r.ParallelToolCalls = ptr(false) },
		[]string{`"tool_choice":{"type":"auto","disable_parallel_tool_use":true}`}},
	"reasoning_effort": {func(r *llmux.Request) { r.ReasoningEffort = "medium" },
		[]string{`"thinking":{"type":"enabled","budget_tokens":2048}`, `"max_tokens":6144`}},
	"service_tier": {func(r *llmux.Request) {
		r.Extra = map[string]json.RawMessage{"service_tier": json.RawMessage(`"default"`)}
	},
		[]string{`"service_tier":"standard_only"`}},
}

var legacyCases = map[string]paramCase{
	"temperature":           messagesCases["temperature"],
	"top_p":                 messagesCases["top_p"],
	"max_tokens":            {func(r *llmux.Request) { r.MaxTokens = ptr(77) }, []string{`"max_tokens_to_sample":77`}},
	"max_completion_tokens": {func(r *llmux.Request) { r.MaxCompletionTokens = ptr(88) }, []string{`"max_tokens_to_sample":88`}},
	"n":                     messagesCases["n"],
	"stop":                  messagesCases["stop"],
	"user":                  messagesCases["user"],
}

// TestSupportsParam_ClaimedParamsReachTheBody: every parameter the
// provider claims is in the body it sends, under its Anthropic member, so
// nothing the client lets through is silently dropped.
func TestSupportsParam_ClaimedParamsReachTheBody(t *testing.T) {
	for _, api := range []struct {
		model, file string
		cases       map[string]paramCase
	}{
		{"claude-sonnet-4-5", "message.json", messagesCases},
		{"claude-2.1", "complete.json", legacyCases},
	} {
		p := New(WithAPIKey(testKey))
		for _, name := range clientParams {
			if !p.SupportsParam(llmux.CallCompletion, api.model, name) {
				continue
			}
			tc, ok := api.cases[name]
			if !ok {
				t.Errorf("%s: %q is supported but has no case here", api.model, name)
				continue
			}
			t.Run(api.model+"/"+name, func(t *testing.T) {
				f := serve(t, http.StatusOK, api.file)
				req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
				tc.set(req)
				if _, err := f.provider().Chat(bg, f.attempt(req, api.model)); err != nil {
					t.Fatal(err)
				}
				body := string(f.Only(t).Body)
				for _, want := range tc.want {
					if !strings.Contains(body, want) {
						t.Errorf("body %s\nlacks %s", body, want)
					}
				}
			})
		}
	}
}

// TestClient_UnsupportedParamsRefusedDroppedOrAllowed drives the provider
// through a client: a parameter it cannot send fails the call before any
// request, is dropped on request, or is sent verbatim when allowed.
func TestClient_UnsupportedParamsRefusedDroppedOrAllowed(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	newClient := func(opts ...llmux.Option) *llmux.Client {
		c, err := llmux.New(append([]llmux.Option{llmux.WithProvider(f.provider()), llmux.WithHTTPClient(f.srv.Client())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(bg) })
		return c
	}
	req := func() *llmux.Request {
		return &llmux.Request{Model: "anthropic/claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("Hi")},
			Seed: ptr(7), ResponseFormat: json.RawMessage(`{"type":"json_object"}`),
			Extra: map[string]json.RawMessage{"metadata": json.RawMessage(`{"k":"v"}`), "top_k": json.RawMessage(`5`)}}
	}

	_, err := newClient().Completion(bg, req())
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeInvalidRequest || e.Param != "metadata" || !strings.Contains(e.Message, `"seed"`) || !strings.Contains(e.Message, `"response_format"`) {
		t.Errorf("error = %+v", e)
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}

	if _, err := newClient(llmux.WithDropParams(true)).Completion(bg, req()); err != nil {
		t.Fatal(err)
	}
	if want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}],"max_tokens":4096,"top_k":5}`; string(f.Only(t).Body) != want {
		t.Errorf("dropped: body = %s, want %s", f.Only(t).Body, want)
	}

	r := req()
	r.AllowedParams = []string{"seed", "metadata", "response_format"}
	if _, err := newClient().Completion(bg, r); err != nil {
		t.Fatal(err)
	}
	if want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}],"max_tokens":4096,"seed":7,"response_format":{"type":"json_object"},"metadata":{"k":"v"},"top_k":5}`; string(last(t, f).Body) != want {
		t.Errorf("allowed: body = %s\nwant %s", last(t, f).Body, want)
	}
}

func TestThinkingFor(t *testing.T) {
	for _, tc := range []struct {
		effort    string
		max       int
		explicit  bool
		want      thinkingConfig
		wantMax   int
		wantError bool
	}{
		{"none", 4096, false, thinkingConfig{Type: "disabled"}, 4096, false},
		{"minimal", 4096, false, thinkingConfig{"enabled", 1024}, 5120, false},
		{"low", 4096, false, thinkingConfig{"enabled", 1024}, 5120, false},
		{"medium", 4096, false, thinkingConfig{"enabled", 2048}, 6144, false},
		{"high", 4096, false, thinkingConfig{"enabled", 4096}, 8192, false},
		{"xhigh", 4096, false, thinkingConfig{"enabled", 8192}, 12288, false},
		{"high", 10000, true, thinkingConfig{"enabled", 4096}, 10000, false},
		{"high", 4096, true, thinkingConfig{"enabled", 4095}, 4096, false},
		{"low", 1025, true, thinkingConfig{"enabled", 1024}, 1025, false},
		{"low", 1024, true, thinkingConfig{}, 0, true},
		{"max", 4096, false, thinkingConfig{}, 0, true},
		{"High", 4096, false, thinkingConfig{}, 0, true},
	} {
		got, gotMax, err := thinkingFor(tc.effort, tc.max, tc.explicit)
		if tc.wantError {
			if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || e.Param != "reasoning_effort" {
				t.Errorf("%s/%d: error = %+v", tc.effort, tc.max, e)
			}
			continue
		}
		if err != nil || got != tc.want || gotMax != tc.wantMax {
			t.Errorf("thinkingFor(%q, %d, %v) = %+v, %d, %v; want %+v, %d", tc.effort, tc.max, tc.explicit, got, gotMax, err, tc.want, tc.wantMax)
		}
	}
}

func TestChat_ReasoningEffortBody(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, ReasoningEffort: "high", MaxCompletionTokens: ptr(16000), MaxTokens: ptr(5)}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}],"max_tokens":16000,"thinking":{"type":"enabled","budget_tokens":4096}}`
	if got := string(f.Only(t).Body); got != want {
		t.Errorf("body = %s\nwant %s", got, want)
	}
	// A thinking member in Extra is the caller's own and wins.
	req = &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, ReasoningEffort: "low",
		Extra: map[string]json.RawMessage{"thinking": json.RawMessage(`{"type":"enabled","budget_tokens":3000}`)}}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	if got := string(last(t, f).Body); !strings.Contains(got, `"thinking":{"type":"enabled","budget_tokens":3000}`) {
		t.Errorf("body = %s", got)
	}
}

func TestServiceTier(t *testing.T) {
	for in, want := range map[string]string{`"auto"`: "auto", `"priority"`: "auto", `"default"`: "standard_only", `"standard_only"`: "standard_only"} {
		if got, err := serviceTier(json.RawMessage(in)); err != nil || got != want {
			t.Errorf("serviceTier(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"flex"`, `"scale"`, `1`, `null`} {
		_, err := serviceTier(json.RawMessage(in))
		if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || e.Param != "service_tier" {
			t.Errorf("serviceTier(%s): error = %+v", in, e)
		}
	}
}
