package llmux

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func keyBase() *Request {
	return &Request{
		Model:    "gpt-4o",
		Messages: []Message{System("Be brief."), User("What is the weather in Paris?")},
		Tools: []Tool{{Type: "function", Function: Function{Name: "get_weather", Description: "Weather by city",
			Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}},
		Temperature: ptr(0.7),
	}
}

// The key of a fixed request is part of the contract: a cache shared by
// processes of different builds must agree on it. Change it only with
// cacheKeyVersion. The literal was checked against an independent
// implementation of the encoding documented on keyWriter (a short Python
// script: tag, zero byte, 8-byte big-endian length or count, value;
// floats as IEEE 754 bits).
func TestCacheKey_IsStable(t *testing.T) {
	c, _ := newTestClient(t, WithProvider(&fakeProvider{name: "openai"}))
	got, err := c.CacheKey(CallCompletion, keyBase())
	if err != nil {
		t.Fatal(err)
	}
	const want = "d16fb19753d84e821c6cbd84a8620c150675fda37558b93feaeb9e0d2bb46d24"
	if got != want {
		t.Errorf("CacheKey = %s, want %s", got, want)
	}
}

func TestCacheKey_IgnoresWhatDoesNotChangeTheAnswer(t *testing.T) {
	c, _ := newTestClient(t, WithProvider(&fakeProvider{name: "openai"}))
	base, err := c.CacheKey(CallCompletion, keyBase())
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(r *Request){
		"provider prefix": func(r *Request) { r.Model = "openai/gpt-4o" },
		"metadata":        func(r *Request) { r.Metadata = map[string]any{"user_api_key": "x", "n": 1} },
		"user":            func(r *Request) { r.User = "end-user-42" },
		"tags":            func(r *Request) { r.Tags = []string{"prod"} },
		"trace id":        func(r *Request) { r.TraceID = "trace-1" },
		"api key":         func(r *Request) { r.APIKey = "sk-other" },
		"callbacks":       func(r *Request) { r.Callbacks = []any{SuccessCallback(nil)} },
		"timeout":         func(r *Request) { r.Timeout = time.Second },
		"max retries":     func(r *Request) { r.MaxRetries = ptr(0) },
		"message logging": func(r *Request) { r.TurnOffMessageLogging = ptr(true) },
		"cache ttl":       func(r *Request) { r.Cache = &CacheControl{TTL: time.Hour, NoStore: true, MaxAge: time.Minute} },
		"json whitespace": func(r *Request) {
			r.Tools[0].Function.Parameters = json.RawMessage(" {\"type\" : \"object\",\n \"properties\":{\"city\":{\"type\":\"string\"}}} ")
		},
	} {
		r := keyBase()
		change(r)
		got, err := c.CacheKey(CallCompletion, r)
		if err != nil {
			t.Fatal(err)
		}
		if got != base {
			t.Errorf("%s changed the key", name)
		}
	}
}

func TestCacheKey_CoversWhatChangesTheAnswer(t *testing.T) {
	c, _ := newTestClient(t, WithProvider(&fakeProvider{name: "openai"}))
	seen := map[string]string{}
	add := func(name string, ct CallType, r *Request) {
		t.Helper()
		k, err := c.CacheKey(ct, r)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("%s and %s share a key", name, prev)
		}
		seen[k] = name
	}
	add("base", CallCompletion, keyBase())
	for name, change := range map[string]func(r *Request){
		"model":         func(r *Request) { r.Model = "gpt-4o-mini" },
		"provider":      func(r *Request) { r.Model = "azure/gpt-4o" },
		"message text":  func(r *Request) { r.Messages[1].Content += "!" },
		"message role":  func(r *Request) { r.Messages[0].Role = RoleDeveloper },
		"message order": func(r *Request) { r.Messages[0], r.Messages[1] = r.Messages[1], r.Messages[0] },
		"message name":  func(r *Request) { r.Messages[1].Name = "bob" },
		"parts":         func(r *Request) { r.Messages[1].Parts = []ContentPart{{Type: "text", Text: r.Messages[1].Content}} },
		"image": func(r *Request) {
			r.Messages[1].Parts = []ContentPart{{Type: "image_url", ImageURL: &ImageURL{URL: "https://x/y.png"}}}
		},
		"tool call": func(r *Request) {
			r.Messages = append(r.Messages, Message{Role: RoleAssistant, ToolCalls: []ToolCall{{ID: "c1", Function: FunctionCall{Name: "f", Arguments: "{}"}}}})
		},
		"tool result":      func(r *Request) { r.Messages = append(r.Messages, ToolResult("c1", "sunny")) },
		"temperature":      func(r *Request) { r.Temperature = ptr(0.8) },
		"no temperature":   func(r *Request) { r.Temperature = nil },
		"top_p":            func(r *Request) { r.TopP = ptr(0.9) },
		"max_tokens":       func(r *Request) { r.MaxTokens = ptr(10) },
		"n":                func(r *Request) { r.N = ptr(2) },
		"stop":             func(r *Request) { r.Stop = []string{"\n"} },
		"presence":         func(r *Request) { r.PresencePenalty = ptr(0.5) },
		"frequency":        func(r *Request) { r.FrequencyPenalty = ptr(0.5) },
		"seed":             func(r *Request) { r.Seed = ptr(7) },
		"no tools":         func(r *Request) { r.Tools = nil },
		"tool description": func(r *Request) { r.Tools[0].Function.Description = "other" },
		"tool parameters":  func(r *Request) { r.Tools[0].Function.Parameters = json.RawMessage(`{"type":"object"}`) },
		"tool strict":      func(r *Request) { r.Tools[0].Function.Strict = ptr(true) },
		"tool choice":      func(r *Request) { r.ToolChoice = &ToolChoice{Mode: "required"} },
		"tool choice obj": func(r *Request) {
			r.ToolChoice = ToolChoiceFunction("get_weather")
		},
		"tool choice map":   func(r *Request) { r.ToolChoice = &ToolChoice{Raw: json.RawMessage(`{"type":"none"}`)} },
		"response format":   func(r *Request) { r.ResponseFormat = json.RawMessage(`{"type":"json_object"}`) },
		"extra":             func(r *Request) { r.Extra = map[string]json.RawMessage{"logprobs": json.RawMessage(`true`)} },
		"extra value":       func(r *Request) { r.Extra = map[string]json.RawMessage{"logprobs": json.RawMessage(`false`)} },
		"api base":          func(r *Request) { r.APIBase = "http://localhost:8000/v1" },
		"api version":       func(r *Request) { r.APIVersion = "2024-10-21" },
		"mock response":     func(r *Request) { r.MockResponse = "hi" },
		"mock error":        func(r *Request) { r.MockResponse = errors.New("boom") },
		"namespace":         func(r *Request) { r.Cache = &CacheControl{Namespace: "team-a"} },
		"stop and seed mix": func(r *Request) { r.Stop = []string{"a", "b"} },
		"stop joined":       func(r *Request) { r.Stop = []string{"ab"} },
	} {
		r := keyBase()
		change(r)
		add(name, CallCompletion, r)
	}
	add("text completion", CallTextCompletion, keyBase())
	add("embedding", CallEmbedding, &Request{Model: "text-embedding-3-small", Input: []string{"a", "b"}})
	add("embedding split", CallEmbedding, &Request{Model: "text-embedding-3-small", Input: []string{"ab"}})
	add("embedding dims", CallEmbedding, &Request{Model: "text-embedding-3-small", Input: []string{"a", "b"}, Dimensions: ptr(256)})
	add("embedding format", CallEmbedding, &Request{Model: "text-embedding-3-small", Input: []string{"a", "b"}, EncodingFormat: "base64"})
	add("prompt", CallTextCompletion, &Request{Model: "gpt-3.5-turbo-instruct", Prompt: "hi"})
}

func TestCacheKey_NamespaceIsAPrefixAndErrorsAreReported(t *testing.T) {
	c, _ := newTestClient(t, WithProvider(&fakeProvider{name: "openai"}))
	plain, _ := c.CacheKey(CallCompletion, keyBase())
	r := keyBase()
	r.Cache = &CacheControl{Namespace: "team-a"}
	if k, _ := c.CacheKey(CallCompletion, r); k != "team-a:"+plain {
		t.Errorf("namespaced key %q, want %q", k, "team-a:"+plain)
	}
	if _, err := c.CacheKey(CallCompletion, nil); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("nil request: %v", err)
	}
	if _, err := c.CacheKey(CallCompletion, &Request{Model: "nobody-knows-me"}); CodeOf(err) != CodeNotFound {
		t.Errorf("unknown model: %v", err)
	}
	// The default client has no openai provider: "openai/gpt-4o" still
	// names it, and shares the key of "gpt-4o" on a client that has one.
	if k, err := CacheKey(CallCompletion, &Request{Model: "openai/gpt-4o", Messages: keyBase().Messages,
		Tools: keyBase().Tools, Temperature: ptr(0.7)}); err != nil || k != plain {
		t.Errorf("package-level CacheKey = %q, %v; want %q", k, err, plain)
	}
}
