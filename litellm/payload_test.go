package litellm

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux/cost"
)

// The top-level keys of LiteLLM's StandardLoggingPayload TypedDict
// (litellm/types/utils.py), sorted.
var standardLoggingPayloadKeys = []string{
	"api_base",
	"cache_hit",
	"cache_key",
	"call_type",
	"completionStartTime",
	"completion_tokens",
	"cost_breakdown",
	"custom_llm_provider",
	"endTime",
	"end_user",
	"error_information",
	"error_str",
	"guardrail_information",
	"hidden_params",
	"id",
	"litellm_call_id",
	"messages",
	"metadata",
	"model",
	"model_group",
	"model_id",
	"model_map_information",
	"model_parameters",
	"prompt_tokens",
	"request_tags",
	"requester_ip_address",
	"response",
	"response_cost",
	"response_cost_failure_debug_info",
	"response_time",
	"saved_cache_cost",
	"standard_built_in_tools_params",
	"startTime",
	"status",
	"status_fields",
	"stream",
	"total_tokens",
	"trace_id",
	"user_agent",
}

// The keys of LiteLLM's StandardLoggingMetadata (with those of
// StandardLoggingUserAPIKeyMetadata), sorted.
var standardLoggingMetadataKeys = []string{
	"applied_guardrails",
	"cold_storage_object_key",
	"mcp_tool_call_metadata",
	"prompt_management_metadata",
	"requester_custom_headers",
	"requester_ip_address",
	"requester_metadata",
	"spend_logs_metadata",
	"team_alias",
	"team_id",
	"usage_object",
	"user_agent",
	"user_api_key_alias",
	"user_api_key_auth_metadata",
	"user_api_key_budget_reset_at",
	"user_api_key_end_user_id",
	"user_api_key_hash",
	"user_api_key_max_budget",
	"user_api_key_org_alias",
	"user_api_key_org_id",
	"user_api_key_project_alias",
	"user_api_key_project_id",
	"user_api_key_request_route",
	"user_api_key_spend",
	"user_api_key_team_alias",
	"user_api_key_team_id",
	"user_api_key_team_max_budget",
	"user_api_key_team_spend",
	"user_api_key_user_email",
	"user_api_key_user_id",
	"user_api_key_user_max_budget",
	"user_api_key_user_spend",
	"vector_store_request_metadata",
}

var payloadStart = time.Date(2025, 3, 1, 12, 0, 0, 250_000_000, time.UTC)

func payloadBaseEvent() llmux.Event {
	return llmux.Event{
		CallID:         "call-123",
		TraceID:        "trace-456",
		CallType:       llmux.CallCompletion,
		Model:          "openai/gpt-4o",
		Provider:       "openai",
		UpstreamModel:  "gpt-4o",
		Messages:       []llmux.Message{llmux.System("be brief"), llmux.User("hi")},
		OptionalParams: map[string]any{"temperature": 0.2, "max_tokens": 10},
		Metadata: map[string]any{
			"user_api_key_team_id": "team-1",
			"user_api_key_spend":   1.5,
			"requester_ip_address": "10.0.0.1",
			"model_group":          "gpt-4o-group",
			"model_info":           map[string]any{"id": "deploy-1"},
			"foo":                  "bar",
		},
		User:      "alice",
		Tags:      []string{"prod"},
		StartTime: payloadStart,
		Attempt: llmux.AttemptInfo{
			Number:      1,
			StartTime:   payloadStart.Add(time.Millisecond),
			Input:       []llmux.Message{llmux.User("hi")},
			APIKey:      "sk-...abcd",
			APIBase:     "https://api.openai.com/v1/chat/completions/",
			RequestBody: json.RawMessage(`{"model":"gpt-4o"}`),
			Headers:     map[string]string{"Authorization": "Bearer sk-...abcd"},
		},
	}
}

func payloadSuccessEvent() *llmux.Event {
	e := payloadBaseEvent()
	e.Type = llmux.EventSuccess
	e.OriginalResponse = `{"id":"chatcmpl-1"}`
	e.ResponseHeaders = map[string]string{
		"X-Ratelimit-Remaining-Requests": "99",
		"x-ratelimit-reset-tokens":       "6ms",
		"Set-Cookie":                     "session=hunter2",
	}
	e.StatusCode = 200
	e.EndTime = payloadStart.Add(1500 * time.Millisecond)
	e.CompletionStartTime = e.EndTime
	e.Response = &llmux.Response{ID: "chatcmpl-1", Object: "chat.completion", Model: "gpt-4o",
		Choices: []llmux.Choice{{Message: llmux.Assistant("hello"), FinishReason: "stop"}}}
	e.Usage = llmux.Usage{PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120, CachedTokens: 40, ReasoningTokens: 5}
	e.CostBreakdown = cost.Breakdown{Input: 0.001, CacheRead: 0.0002, CacheCreation: 0.0001, Output: 0.003, Reasoning: 0.0005, Total: 0.0048}
	e.ResponseCost = 0.0048
	return &e
}

func payloadFailureEvent() *llmux.Event {
	e := payloadBaseEvent()
	e.Type = llmux.EventFailure
	e.EndTime = payloadStart.Add(300 * time.Millisecond)
	e.CompletionStartTime = e.EndTime
	e.StatusCode = 429
	e.OriginalResponse = `{"error":{"message":"slow down"}}`
	e.Err = &llmux.Error{Code: llmux.CodeRateLimited, Provider: "openai", StatusCode: 429, Message: "slow down"}
	e.Traceback = "goroutine 1 [running]:\nmain.main()"
	return &e
}

// payloadJSON marshals the event's payload and decodes it into a generic map.
func payloadJSON(t *testing.T, e *llmux.Event) map[string]any {
	t.Helper()
	b, err := json.Marshal(Payload(e))
	if err != nil {
		t.Fatalf("marshal payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal payload: %v\n%s", err, b)
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestStandardLoggingPayload_HasExactlyLiteLLMKeys(t *testing.T) {
	if len(standardLoggingPayloadKeys) != 39 || len(standardLoggingMetadataKeys) != 33 {
		t.Fatalf("key lists changed: %d payload keys, %d metadata keys", len(standardLoggingPayloadKeys), len(standardLoggingMetadataKeys))
	}
	events := map[string]*llmux.Event{
		"success": payloadSuccessEvent(),
		"failure": payloadFailureEvent(),
		"empty":   {},
		"pre":     func() *llmux.Event { e := payloadBaseEvent(); e.Type = llmux.EventPreAPICall; return &e }(),
	}
	for name, e := range events {
		t.Run(name, func(t *testing.T) {
			m := payloadJSON(t, e)
			if diff := cmp.Diff(standardLoggingPayloadKeys, sortedKeys(m), record.CmpWire); diff != "" {
				t.Errorf("payload keys (-want +got):\n%s", diff)
			}
			md, _ := m["metadata"].(map[string]any)
			if diff := cmp.Diff(standardLoggingMetadataKeys, sortedKeys(md), record.CmpWire); diff != "" {
				t.Errorf("metadata keys (-want +got):\n%s", diff)
			}
			nested := map[string][]string{
				"hidden_params": {"additional_headers", "api_base", "batch_models", "cache_key", "litellm_model_name",
					"litellm_overhead_time_ms", "model_id", "response_cost", "usage_object"},
				"model_map_information":          {"model_map_key", "model_map_value"},
				"status_fields":                  {"guardrail_status", "llm_api_status"},
				"error_information":              {"error_class", "error_code", "error_message", "llm_provider", "traceback"},
				"standard_built_in_tools_params": {"file_search", "web_search_options"},
			}
			for key, want := range nested {
				got, ok := m[key].(map[string]any)
				if !ok {
					t.Errorf("%s = %v, want an object", key, m[key])
					continue
				}
				if diff := cmp.Diff(want, sortedKeys(got), record.CmpWire); diff != "" {
					t.Errorf("%s keys (-want +got):\n%s", key, diff)
				}
			}
			if tags, ok := m["request_tags"].([]any); !ok || tags == nil {
				t.Errorf("request_tags = %#v, want a list", m["request_tags"])
			}
			if _, ok := m["model_parameters"].(map[string]any); !ok {
				t.Errorf("model_parameters = %#v, want an object", m["model_parameters"])
			}
		})
	}
}

func TestStandardLoggingPayload_Success(t *testing.T) {
	e := payloadSuccessEvent()
	p := Payload(e)
	m := payloadJSON(t, e)

	want := map[string]any{
		"id":                               "call-123",
		"litellm_call_id":                  "call-123",
		"trace_id":                         "trace-456",
		"call_type":                        "completion",
		"status":                           "success",
		"custom_llm_provider":              "openai",
		"model":                            "openai/gpt-4o",
		"model_id":                         "deploy-1",
		"model_group":                      "gpt-4o-group",
		"api_base":                         "https://api.openai.com/v1/chat/completions",
		"stream":                           nil,
		"cache_hit":                        false,
		"cache_key":                        nil,
		"end_user":                         "alice",
		"requester_ip_address":             "10.0.0.1",
		"user_agent":                       nil,
		"error_str":                        nil,
		"response_cost":                    0.0048,
		"response_cost_failure_debug_info": nil,
		"prompt_tokens":                    float64(100),
		"completion_tokens":                float64(20),
		"total_tokens":                     float64(120),
		"request_tags":                     []any{"prod"},
		"model_parameters":                 map[string]any{"temperature": 0.2, "max_tokens": float64(10)},
		"status_fields":                    map[string]any{"llm_api_status": "success", "guardrail_status": "not_run"},
		"model_map_information":            map[string]any{"model_map_key": "gpt-4o", "model_map_value": nil},
		"error_information": map[string]any{"error_code": "", "error_class": "", "llm_provider": "",
			"traceback": "", "error_message": ""},
		"cost_breakdown": map[string]any{"input_cost": 0.0013, "output_cost": 0.0035, "total_cost": 0.0048,
			"tool_usage_cost": float64(0), "cache_read_cost": 0.0002, "cache_creation_cost": 0.0001, "reasoning_cost": 0.0005},
		"guardrail_information": nil,
	}
	got := map[string]any{}
	for k := range want {
		got[k] = m[k]
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}

	if p.Response != any(e.Response) {
		t.Errorf("response = %#v, want the event's response", p.Response)
	}
	resp := m["response"].(map[string]any)
	if resp["id"] != "chatcmpl-1" {
		t.Errorf("response.id = %v", resp["id"])
	}
	msgs := m["messages"].([]any)
	if len(msgs) != 2 || msgs[1].(map[string]any)["content"] != "hi" {
		t.Errorf("messages = %v", msgs)
	}

	hp := m["hidden_params"].(map[string]any)
	wantHP := map[string]any{
		"model_id": "deploy-1", "cache_key": nil, "api_base": "https://api.openai.com/v1/chat/completions/",
		"response_cost": 0.0048, "litellm_overhead_time_ms": nil, "batch_models": nil,
		"litellm_model_name": "gpt-4o",
		"additional_headers": map[string]any{"x_ratelimit_remaining_requests": float64(99), "x_ratelimit_reset_tokens": "6ms"},
		"usage_object": map[string]any{"prompt_tokens": float64(100), "completion_tokens": float64(20), "total_tokens": float64(120),
			"prompt_tokens_details":     map[string]any{"cached_tokens": float64(40)},
			"completion_tokens_details": map[string]any{"reasoning_tokens": float64(5)},
			"cache_read_input_tokens":   float64(40)},
	}
	if diff := cmp.Diff(wantHP, hp, record.CmpWire); diff != "" {
		t.Errorf("hidden_params (-want +got):\n%s", diff)
	}

	md := m["metadata"].(map[string]any)
	if md["user_api_key_team_id"] != "team-1" || md["user_api_key_spend"] != 1.5 || md["user_api_key_alias"] != nil {
		t.Errorf("metadata = %v", md)
	}
	if diff := cmp.Diff(map[string]any{
		"user_api_key_team_id": "team-1", "user_api_key_spend": 1.5, "requester_ip_address": "10.0.0.1",
		"model_group": "gpt-4o-group", "model_info": map[string]any{"id": "deploy-1"}, "foo": "bar",
	}, md["requester_metadata"], record.CmpWire); diff != "" {
		t.Errorf("requester_metadata is not the request's metadata (-want +got):\n%s", diff)
	}
}

func TestStandardLoggingPayload_TimesAreEpochSeconds(t *testing.T) {
	e := payloadSuccessEvent()
	p := Payload(e)
	start := float64(payloadStart.UnixNano()) / 1e9
	if math.Abs(p.StartTime-start) > 1e-6 || math.Abs(p.EndTime-(start+1.5)) > 1e-6 || math.Abs(p.CompletionStartTime-p.EndTime) > 1e-9 {
		t.Errorf("times = %v %v %v, want %v and +1.5s", p.StartTime, p.EndTime, p.CompletionStartTime, start)
	}
	if p.StartTime != math.Trunc(p.StartTime)+0.25 {
		t.Errorf("startTime %v lost its fraction", p.StartTime)
	}
	if p.ResponseTime != 1.5 {
		t.Errorf("response_time = %v, want 1.5", p.ResponseTime)
	}

	// Streams: response_time is the time to the first token, as in LiteLLM.
	e.Stream = true
	e.CompletionStartTime = payloadStart.Add(200 * time.Millisecond)
	e.CompleteStreamingResponse = e.Response
	p = Payload(e)
	if p.ResponseTime != 0.2 || p.Stream == nil || !*p.Stream {
		t.Errorf("stream: response_time = %v stream = %v, want 0.2 true", p.ResponseTime, p.Stream)
	}

	// Before the end: endTime is startTime.
	pre := payloadBaseEvent()
	pre.Type = llmux.EventPreAPICall
	p = Payload(&pre)
	if p.EndTime != p.StartTime || p.CompletionStartTime != p.StartTime || p.ResponseTime != 0 || p.Status != "success" {
		t.Errorf("pre: %v %v %v %v %q", p.StartTime, p.EndTime, p.CompletionStartTime, p.ResponseTime, p.Status)
	}
}

func TestStandardLoggingPayload_Failure(t *testing.T) {
	m := payloadJSON(t, payloadFailureEvent())
	want := map[string]any{
		"status":         "failure",
		"status_fields":  map[string]any{"llm_api_status": "failure", "guardrail_status": "not_run"},
		"error_str":      "llmux: openai: rate_limited (429): slow down",
		"response":       nil,
		"response_cost":  float64(0),
		"cost_breakdown": nil,
		"error_information": map[string]any{"error_code": "429", "error_class": "RateLimitError",
			"llm_provider": "openai", "traceback": "goroutine 1 [running]:\nmain.main()", "error_message": "slow down"},
		"total_tokens": float64(0),
	}
	got := map[string]any{}
	for k := range want {
		got[k] = m[k]
	}
	if diff := cmp.Diff(want, got, record.CmpWire); diff != "" {
		t.Errorf("failure payload (-want +got):\n%s", diff)
	}

	// An error that is not an *Error is classified all the same.
	e := payloadFailureEvent()
	e.Err = fmt.Errorf("dial: %w", errors.New("boom"))
	e.StatusCode = 0
	p := Payload(e)
	if p.ErrorInformation.ErrorClass != "APIError" || p.ErrorInformation.ErrorCode != "" || *p.ErrorStr != "dial: boom" {
		t.Errorf("plain error: %+v %q", p.ErrorInformation, *p.ErrorStr)
	}
}

func TestStandardLoggingPayload_UnknownCostIsZeroWithDebugInfo(t *testing.T) {
	e := payloadSuccessEvent()
	e.ResponseCost, e.CostBreakdown = 0, cost.Breakdown{}
	e.CostErr = fmt.Errorf("%w: gpt-4o", cost.ErrUnknownModel)
	m := payloadJSON(t, e)
	if m["response_cost"] != float64(0) || m["cost_breakdown"] != nil {
		t.Errorf("response_cost = %v, cost_breakdown = %v", m["response_cost"], m["cost_breakdown"])
	}
	if hp := m["hidden_params"].(map[string]any); hp["response_cost"] != nil {
		t.Errorf("hidden_params.response_cost = %v, want null", hp["response_cost"])
	}
	want := map[string]any{"error_str": "cost: no price for model: gpt-4o", "traceback_str": "", "model": "gpt-4o",
		"cache_hit": false, "custom_llm_provider": "openai", "call_type": "completion"}
	if diff := cmp.Diff(want, m["response_cost_failure_debug_info"], record.CmpWire); diff != "" {
		t.Errorf("debug info (-want +got):\n%s", diff)
	}
}

func TestStandardLoggingPayload_MessagesOfOtherCallTypes(t *testing.T) {
	e := &llmux.Event{CallType: llmux.CallTextCompletion, Prompt: "once upon"}
	if diff := cmp.Diff([]llmux.Message{llmux.User("once upon")}, Payload(e).Messages, record.CmpWire); diff != "" {
		t.Errorf("text completion (-want +got):\n%s", diff)
	}
	e = &llmux.Event{CallType: llmux.CallEmbedding, Input: []string{"a", "b"}}
	if diff := cmp.Diff([]llmux.Message{llmux.User("a"), llmux.User("b")}, Payload(e).Messages, record.CmpWire); diff != "" {
		t.Errorf("embedding (-want +got):\n%s", diff)
	}
	if m := payloadJSON(t, &llmux.Event{}); m["messages"] != nil {
		t.Errorf("no input: messages = %v", m["messages"])
	}
}

func TestStandardLoggingPayload_MetadataRules(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	e := &llmux.Event{
		User: "bob",
		Metadata: map[string]any{
			"user_api_key":             hash,
			"user_api_key_end_user_id": "end-7",
			"requester_metadata":       map[string]any{"app": "x"},
			"tags":                     []any{"a", 1, "b"},
			"user_api_key_max_budget":  10, // an int is a number too
			"team_id":                  42, // formatted as a string
		},
	}
	p := Payload(e)
	md := p.Metadata
	switch {
	case md.UserAPIKeyHash == nil || *md.UserAPIKeyHash != hash:
		t.Errorf("user_api_key_hash = %v", md.UserAPIKeyHash)
	case p.EndUser != "end-7":
		t.Errorf("end_user = %q, want the key's end user", p.EndUser)
	case md.UserAPIKeyMaxBudget == nil || *md.UserAPIKeyMaxBudget != 10:
		t.Errorf("max budget = %v", md.UserAPIKeyMaxBudget)
	case md.TeamID == nil || *md.TeamID != "42":
		t.Errorf("team_id = %v", md.TeamID)
	}
	if diff := cmp.Diff(map[string]any{"app": "x"}, md.RequesterMetadata, record.CmpWire); diff != "" {
		t.Errorf("requester_metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, p.RequestTags, record.CmpWire); diff != "" {
		t.Errorf("request_tags from metadata (-want +got):\n%s", diff)
	}

	// A user_api_key that is not a hash (a real key) is never copied.
	e.Metadata = map[string]any{"user_api_key": "sk-live-secret-key-value"}
	b, _ := json.Marshal(Payload(e))
	if !strings.Contains(string(b), `"user_api_key_hash":null`) {
		t.Errorf("a non-hash key was copied: %s", b)
	}

	// No metadata: requester_metadata is null.
	if m := payloadJSON(t, &llmux.Event{}); m["metadata"].(map[string]any)["requester_metadata"] != nil {
		t.Errorf("requester_metadata = %v, want null", m["metadata"].(map[string]any)["requester_metadata"])
	}
}

func TestStandardLoggingPayload_NoSecrets(t *testing.T) {
	e := payloadSuccessEvent()
	e.Attempt.Headers["X-Api-Key"] = "sk-...wxyz"
	b, err := json.Marshal(Payload(e))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hunter2", "Set-Cookie", "Authorization", "Bearer", "sk-"} {
		if strings.Contains(string(b), s) {
			t.Errorf("payload contains %q: %s", s, b)
		}
	}
}

type payloadNode struct {
	Name string
	Next *payloadNode
	Val  float64
}

type payloadBadMarshaler struct{ X int }

func (payloadBadMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("nope") }

func TestStandardLoggingPayload_SanitizesUnencodableMetadata(t *testing.T) {
	self := map[string]any{"name": "loop"}
	self["self"] = self
	list := []any{"x", nil}
	list[1] = list
	node := &payloadNode{Name: "a", Val: math.NaN()}
	node.Next = node
	ch := make(chan int)

	e := payloadSuccessEvent()
	e.Metadata = map[string]any{
		"chan":                ch,
		"func":                func() {},
		"nan":                 math.NaN(),
		"inf":                 math.Inf(1),
		"neginf":              float32(math.Inf(-1)),
		"self":                self,
		"list":                list,
		"node":                node,
		"bad":                 payloadBadMarshaler{X: 1},
		"raw":                 json.RawMessage(`{not json`),
		"complex":             complex(1, 2),
		"ok":                  map[string]any{"n": 1, "s": []string{"a"}},
		"intkeys":             map[int]float64{1: math.NaN()},
		"spend_logs_metadata": map[string]any{"nan": math.NaN()},
		"user_api_key_spend":  math.Inf(1),
	}
	e.OptionalParams["response_format"] = json.RawMessage(`{"type":`)
	e.OptionalParams["tools"] = []llmux.Tool{{Type: "function", Function: llmux.Function{Name: "f", Parameters: json.RawMessage(`{bad`)}}}

	b, err := json.Marshal(Payload(e))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	md := m["metadata"].(map[string]any)
	rm := md["requester_metadata"].(map[string]any)

	if s, _ := rm["chan"].(string); !strings.HasPrefix(s, "0x") {
		t.Errorf("chan = %v, want its %%v", rm["chan"])
	}
	if s, _ := rm["func"].(string); !strings.HasPrefix(s, "0x") {
		t.Errorf("func = %v, want its %%v", rm["func"])
	}
	want := map[string]any{
		"nan":     "NaN",
		"inf":     "+Inf",
		"neginf":  "-Inf",
		"self":    map[string]any{"name": "loop", "self": "[cycle]"},
		"bad":     map[string]any{"X": float64(1)},
		"raw":     "{not json",
		"complex": "(1+2i)",
		"ok":      map[string]any{"n": float64(1), "s": []any{"a"}},
		"intkeys": map[string]any{"1": "NaN"},
		"node":    map[string]any{"Name": "a", "Val": "NaN", "Next": "[cycle]"},
	}
	got := map[string]any{}
	for k := range want {
		got[k] = rm[k]
	}
	if diff := cmp.Diff(want, got, record.CmpWire); diff != "" {
		t.Errorf("sanitized metadata (-want +got):\n%s", diff)
	}
	// The self-containing list ends in the depth marker.
	depth, v := 0, rm["list"]
	for {
		l, ok := v.([]any)
		if !ok {
			break
		}
		depth++
		v = l[1]
	}
	if v != depthMarker || depth < 10 {
		t.Errorf("list: depth %d ends in %v", depth, v)
	}
	if diff := cmp.Diff(map[string]any{"nan": "NaN"}, md["spend_logs_metadata"], record.CmpWire); diff != "" {
		t.Errorf("spend_logs_metadata (-want +got):\n%s", diff)
	}
	if md["user_api_key_spend"] != nil {
		t.Errorf("user_api_key_spend = %v, want null for +Inf", md["user_api_key_spend"])
	}
	mp := m["model_parameters"].(map[string]any)
	if mp["response_format"] != `{"type":` {
		t.Errorf("response_format = %v", mp["response_format"])
	}
	tool := mp["tools"].([]any)[0].(map[string]any)["function"].(map[string]any)
	if tool["parameters"] != "{bad" || tool["name"] != "f" {
		t.Errorf("tools = %v", mp["tools"])
	}

	// The caller's values are left alone.
	if _, ok := e.Metadata["self"].(map[string]any)["self"].(map[string]any); !ok {
		t.Error("sanitizing changed the caller's metadata")
	}
}

func TestStandardLoggingPayload_SafeMetadataIsNotCopied(t *testing.T) {
	e := payloadSuccessEvent()
	p := Payload(e)
	rm, ok := p.Metadata.RequesterMetadata.(map[string]any)
	if !ok {
		t.Fatalf("requester_metadata = %T", p.Metadata.RequesterMetadata)
	}
	rm["probe"] = 1
	defer delete(e.Metadata, "probe")
	if _, ok := e.Metadata["probe"]; !ok {
		t.Error("an encodable metadata map was copied; want it shared")
	}
}

func TestStandardLoggingPayload_UnencodableResultIsSanitized(t *testing.T) {
	e := payloadSuccessEvent()
	e.Response.Choices[0].Logprobs = json.RawMessage(`{oops`)
	m := payloadJSON(t, e)
	ch := m["response"].(map[string]any)["choices"].([]any)[0].(map[string]any)
	if ch["logprobs"] != "{oops" || ch["finish_reason"] != "stop" {
		t.Errorf("choice = %v", ch)
	}

	e = payloadSuccessEvent()
	e.CallType = llmux.CallEmbedding
	e.Response = nil
	e.EmbeddingResponse = &llmux.EmbeddingResponse{Object: "list", Data: []llmux.EmbeddingVector{{Vector: []float32{1, float32(math.NaN())}}}}
	m = payloadJSON(t, e)
	vec := m["response"].(map[string]any)["data"].([]any)[0].(map[string]any)["embedding"].([]any)
	if diff := cmp.Diff([]any{float64(1), "NaN"}, vec, record.CmpWire); diff != "" {
		t.Errorf("embedding (-want +got):\n%s", diff)
	}
}

func BenchmarkStandardLoggingPayload(b *testing.B) {
	e := payloadSuccessEvent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(Payload(e)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPayloadOnly(b *testing.B) {
	e := payloadSuccessEvent()
	b.ReportAllocs()
	for b.Loop() {
		_ = Payload(e)
	}
}
