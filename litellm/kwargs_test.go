package litellm

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux/cost"
)

func TestKwargs_KeysPerEventType(t *testing.T) {
	always := []string{
		"call_type", "completion_start_time", "custom_llm_provider", "input", "litellm_call_id", "litellm_params",
		"litellm_trace_id", "log_event_type", "messages", "model", "optional_params", "start_time", "stream", "user",
	}
	attempt := []string{"additional_args", "api_call_start_time", "api_key"}
	response := []string{"original_response", "response_headers"}
	terminal := []string{"cost_breakdown", "end_time", "response_cost", "standard_logging_object"}
	join := func(lists ...[]string) []string {
		out := slices.Concat(lists...)
		slices.Sort(out)
		return out
	}

	withType := func(e *llmux.Event, typ llmux.EventType) *llmux.Event { e.Type = typ; return e }
	base := func() *llmux.Event { e := payloadBaseEvent(); return &e }
	stream := payloadSuccessEvent()
	stream.Stream = true
	stream.CompleteStreamingResponse = stream.Response
	unpriced := payloadSuccessEvent()
	unpriced.CostErr = cost.ErrUnknownModel
	noAttempt := payloadFailureEvent()
	noAttempt.Attempt = llmux.AttemptInfo{}
	cacheHit := payloadSuccessEvent()
	cacheHit.Attempt = llmux.AttemptInfo{}
	cacheHit.CacheHit = true

	tests := []struct {
		name string
		e    *llmux.Event
		want []string
	}{
		{"pre", withType(base(), llmux.EventPreAPICall), join(always, attempt)},
		{"post", withType(base(), llmux.EventPostAPICall), join(always, attempt, response)},
		{"stream", withType(base(), llmux.EventStream), join(always, attempt, response)},
		{"success", payloadSuccessEvent(), join(always, attempt, response, terminal,
			[]string{"cache_hit", "cache_key", "saved_cache_cost"})},
		{"success stream", stream, join(always, attempt, response, terminal,
			[]string{"cache_hit", "cache_key", "saved_cache_cost", "complete_streaming_response", "async_complete_streaming_response"})},
		{"success unknown cost", unpriced, join(always, attempt, response, terminal,
			[]string{"cache_hit", "cache_key", "saved_cache_cost", "response_cost_failure_debug_information"})},
		{"cache hit", cacheHit, join(always, terminal, []string{"cache_hit", "cache_key", "saved_cache_cost"})},
		{"failure", payloadFailureEvent(), join(always, attempt, response, terminal,
			[]string{"exception", "traceback_exception"})},
		{"failure before any attempt", noAttempt, join(always, terminal,
			[]string{"exception", "traceback_exception", "original_response"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := Kwargs(tt.e)
			if diff := cmp.Diff(tt.want, sortedKeys(k), record.CmpWire); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if k["log_event_type"] != string(tt.e.Type) {
				t.Errorf("log_event_type = %v", k["log_event_type"])
			}
		})
	}
}

func TestKwargs_Values(t *testing.T) {
	e := payloadSuccessEvent()
	k := Kwargs(e)
	checks := map[string]any{
		"model":               "gpt-4o",
		"litellm_call_id":     "call-123",
		"litellm_trace_id":    "trace-456",
		"custom_llm_provider": "openai",
		"call_type":           "completion",
		"user":                "alice",
		"stream":              false,
		"api_key":             "sk-...abcd",
		"original_response":   `{"id":"chatcmpl-1"}`,
		"response_cost":       0.0048,
		"cache_hit":           false,
		"start_time":          payloadStart,
		"end_time":            payloadStart.Add(1500 * time.Millisecond),
		"api_call_start_time": payloadStart.Add(time.Millisecond),
	}
	for key, want := range checks {
		if diff := cmp.Diff(want, k[key], record.CmpWire); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
	lp := k["litellm_params"].(map[string]any)
	if lp["litellm_call_id"] != "call-123" || lp["api_base"] != e.Attempt.APIBase || lp["custom_llm_provider"] != "openai" {
		t.Errorf("litellm_params = %v", lp)
	}
	if _, ok := lp["metadata"].(map[string]any)["foo"]; !ok {
		t.Errorf("litellm_params.metadata = %v", lp["metadata"])
	}
	if diff := cmp.Diff(e.Attempt.Input, k["input"], record.CmpWire); diff != "" {
		t.Errorf("input (-want +got):\n%s", diff)
	}
	slo, ok := k["standard_logging_object"].(*StandardLoggingPayload)
	if !ok || slo.ID != "call-123" || k["cost_breakdown"] != slo.CostBreakdown {
		t.Errorf("standard_logging_object = %#v, cost_breakdown = %#v", k["standard_logging_object"], k["cost_breakdown"])
	}
	if _, err := json.Marshal(k); err != nil {
		t.Errorf("kwargs of an ordinary event do not encode: %v", err)
	}

	// Unknown cost: nil, not 0.
	e.CostErr = cost.ErrUnknownModel
	if k := Kwargs(e); k["response_cost"] != nil {
		t.Errorf("unknown cost: response_cost = %v, want nil", k["response_cost"])
	}

	// Before any attempt, input is what the caller gave.
	tc := &llmux.Event{Type: llmux.EventFailure, CallType: llmux.CallTextCompletion, Prompt: "once", Err: errors.New("x")}
	k = Kwargs(tc)
	if k["input"] != "once" || k["original_response"] != nil || k["exception"] != tc.Err {
		t.Errorf("text completion failure: input %v, original_response %v, exception %v", k["input"], k["original_response"], k["exception"])
	}
	if diff := cmp.Diff([]llmux.Message{llmux.User("once")}, k["messages"], record.CmpWire); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	emb := &llmux.Event{Type: llmux.EventPreAPICall, CallType: llmux.CallEmbedding, Input: []string{"a"}}
	if diff := cmp.Diff([]string{"a"}, Kwargs(emb)["input"], record.CmpWire); diff != "" {
		t.Errorf("embedding input (-want +got):\n%s", diff)
	}
	if Kwargs(emb)["completion_start_time"] != nil {
		t.Error("completion_start_time set before the first token")
	}
}

func TestKwargs_CompleteInputDictBytesPreserved(t *testing.T) {
	body := []byte(`{"model":"claude-2","prompt":"\n\nHuman: Hi 👋 - i'm openai\n\nAssistant: ","max_tokens_to_sample":256}`)
	for _, typ := range []llmux.EventType{llmux.EventPreAPICall, llmux.EventPostAPICall, llmux.EventSuccess, llmux.EventFailure} {
		t.Run(string(typ), func(t *testing.T) {
			e := payloadSuccessEvent()
			e.Type = typ
			e.Attempt.RequestBody = body
			k := Kwargs(e)
			got, ok := k["additional_args"].(map[string]any)["complete_input_dict"].(json.RawMessage)
			if !ok || !bytes.Equal(got, body) {
				t.Fatalf("complete_input_dict = %#v", k["additional_args"].(map[string]any)["complete_input_dict"])
			}
			b, err := json.Marshal(k)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, append([]byte(`"complete_input_dict":`), body...)) {
				t.Errorf("body not verbatim in kwargs JSON:\n%s", b)
			}
		})
	}
}

func TestKwargs_FailureKeepsErrorAndTraceback(t *testing.T) {
	e := payloadFailureEvent()
	k := Kwargs(e)
	var le *llmux.Error
	if err, _ := k["exception"].(error); !errors.As(err, &le) || le.Code != llmux.CodeRateLimited {
		t.Errorf("exception = %#v", k["exception"])
	}
	if k["traceback_exception"] != e.Traceback || k["original_response"] != e.OriginalResponse {
		t.Errorf("traceback %q, original_response %v", k["traceback_exception"], k["original_response"])
	}
	if k["response_cost"] != float64(0) {
		t.Errorf("response_cost = %v, want 0 as LiteLLM", k["response_cost"])
	}
	slo := k["standard_logging_object"].(*StandardLoggingPayload)
	if slo.Status != "failure" || slo.ErrorInformation.ErrorClass != "RateLimitError" {
		t.Errorf("payload status %q class %q", slo.Status, slo.ErrorInformation.ErrorClass)
	}
}

func BenchmarkKwargs(b *testing.B) {
	e := payloadSuccessEvent()
	b.ReportAllocs()
	for b.Loop() {
		_ = Kwargs(e)
	}
}

func TestViews_RoutedCallReportsModelGroupAndDeployment(t *testing.T) {
	e := &llmux.Event{
		Type: llmux.EventSuccess, CallType: llmux.CallCompletion, Model: "azure/prod-gpt4o",
		Metadata: map[string]any{"team": "search"},
		Route:    llmux.Route{ModelGroup: "gpt-4o", ModelID: "dep-7", Deployment: "azure/prod-gpt4o", Try: 2},
	}
	k := Kwargs(e)
	lp := k["litellm_params"].(map[string]any)
	meta := lp["metadata"].(map[string]any)
	if meta["model_group"] != "gpt-4o" || meta["deployment"] != "azure/prod-gpt4o" || meta["team"] != "search" {
		t.Errorf("litellm_params.metadata = %v, want the route added to the caller's metadata", meta)
	}
	if info, _ := lp["model_info"].(map[string]any); info["id"] != "dep-7" {
		t.Errorf("litellm_params.model_info = %v, want id dep-7", lp["model_info"])
	}
	if len(e.Metadata) != 1 {
		t.Errorf("Kwargs changed the event's metadata: %v", e.Metadata)
	}
	p := Payload(e)
	if p.ModelGroup != "gpt-4o" || p.ModelID != "dep-7" || p.HiddenParams.ModelID == nil || *p.HiddenParams.ModelID != "dep-7" {
		t.Errorf("payload model_group %q model_id %q hidden model_id %v, want gpt-4o and dep-7", p.ModelGroup, p.ModelID, p.HiddenParams.ModelID)
	}
	if p.Model != "azure/prod-gpt4o" {
		t.Errorf("payload model %q, want the deployment's", p.Model)
	}
}
