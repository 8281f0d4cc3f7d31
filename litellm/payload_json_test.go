package litellm

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/jsonx"
)

// reflected encodes p with encoding/json's reflection (the type without
// its MarshalJSON), HTML escaping off: what the hand-written encoder must
// equal byte for byte.
func reflected(t *testing.T, p *StandardLoggingPayload) []byte {
	t.Helper()
	type plain StandardLoggingPayload
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode((*plain)(p)); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// payloadEvents are events of every shape a payload is built from.
func payloadEvents() map[string]func() *llmux.Event {
	spend, budget := 2.5, 100.0
	one := 1
	return map[string]func() *llmux.Event{
		"success": payloadSuccessEvent,
		"failure": payloadFailureEvent,
		"unknown cost": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.CostErr = errors.New("model not in price table")
			return e
		},
		"stream cache hit": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.Stream = true
			e.CacheHit = true
			e.CacheKey = "k-1"
			e.SavedCacheCost = 0.01
			e.CompletionStartTime = e.StartTime.Add(200 * time.Millisecond)
			return e
		},
		"text completion": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.CallType = llmux.CallTextCompletion
			e.Messages = nil
			e.Prompt = "say <hi> & \"bye\"\u2028"
			e.Response = &llmux.Response{ID: "cmpl-1", Object: "text_completion", Model: "gpt-3.5-turbo-instruct",
				Choices: []llmux.Choice{{Text: "hi <b>", FinishReason: "length"}}}
			return e
		},
		"embedding": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.CallType = llmux.CallEmbedding
			e.Messages = nil
			e.Input = []string{"a", "b"}
			e.Response = nil
			e.EmbeddingResponse = &llmux.EmbeddingResponse{Model: "text-embedding-3-small",
				Data: []llmux.EmbeddingVector{{Index: 0, Vector: []float32{0.25, -1e-7}}}}
			return e
		},
		"odd metadata": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.Metadata = map[string]any{
				"user_api_key_spend":         spend,
				"user_api_key_max_budget":    budget,
				"user_api_key_auth_metadata": map[string]any{"n": one, "list": []any{1.5, "x", nil, true}},
				"spend_logs_metadata":        []string{"a"},
				"requester_custom_headers":   map[string]string{"x-a": "1"},
				"nested":                     map[string]any{"deep": map[string]any{"f": 1e21, "g": 1e-7}},
				"raw":                        json.RawMessage(`{"a": [1, 2]}`),
				"tags":                       []any{"t1", "t2"},
				"user_api_key_end_user_id":   "end-1",
			}
			e.DroppedParams = []string{"logit_bias"}
			return e
		},
		"redacted": func() *llmux.Event {
			e := payloadSuccessEvent()
			e.PayloadExcludedFields = []string{"messages", "response", "metadata", "hidden_params", "error_information"}
			return e
		},
	}
}

func TestStandardLoggingPayload_MarshalJSONEqualsReflection(t *testing.T) {
	for name, mk := range payloadEvents() {
		t.Run(name, func(t *testing.T) {
			p := Payload(mk())
			got, err := p.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			want := reflected(t, p)
			// encoding/json escapes U+2028 and U+2029 even without HTML
			// escaping; both texts decode to the same string.
			want = bytes.ReplaceAll(want, []byte(`\u2028`), []byte("\u2028"))
			if !bytes.Equal(got, want) {
				t.Errorf("hand-written encoding differs from encoding/json:\n got %s\nwant %s", got, want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON: %s", got)
			}
		})
	}
}

// AppendPythonJSON writes numbers in Python's form as it goes: the same
// bytes as AppendJSON's line rewritten by jsonx.PythonFloats, for events
// whose costs, times, parameters, metadata, raw extras and embeddings hold
// numbers in both ranges where Go and Python differ.
func TestStandardLoggingPayload_AppendPythonJSONEqualsRewrite(t *testing.T) {
	events := payloadEvents()
	events["python numbers"] = func() *llmux.Event {
		e := payloadSuccessEvent()
		e.ResponseCost = 3.5e-05
		e.CostBreakdown = cost.Breakdown{Input: 1.2e-06, Output: 2.3e-05, Total: 2.42e-05}
		e.SavedCacheCost = 0.00001
		e.OptionalParams = map[string]any{"temperature": 2e-05, "top_p": 0.5, "seed": 12345678901234567.0}
		e.Metadata = map[string]any{"user_api_key_spend": 7e-05, "big": 3e+17, "small": []any{1e-05, "0.00001"},
			"raw": json.RawMessage(`{"p":0.000012,"q":[1e-7,20000000000000000]}`)}
		e.Response = &llmux.Response{ID: "c-1", Object: "chat.completion", Model: "gpt-4o-mini",
			Choices: []llmux.Choice{{Message: llmux.Message{Role: "assistant", Content: "0.00001 stays a string"},
				FinishReason: "stop", Logprobs: json.RawMessage(`{"content":[{"token":"a","logprob":-0.0000123}]}`)}},
			Extra: map[string]json.RawMessage{"x_score": json.RawMessage(`0.000099`)}}
		return e
	}
	events["python embedding"] = func() *llmux.Event {
		e := payloadSuccessEvent()
		e.CallType = llmux.CallEmbedding
		e.Messages = nil
		e.Input = []string{"a"}
		e.Response = nil
		e.EmbeddingResponse = &llmux.EmbeddingResponse{Model: "text-embedding-3-small",
			Data: []llmux.EmbeddingVector{{Index: 0, Vector: []float32{0.25, -1e-7, 3.5e-05, -0.0000999, 2e+16}}}}
		return e
	}
	for name, mk := range events {
		t.Run(name, func(t *testing.T) {
			p := Payload(mk())
			plain, err := p.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			want := jsonx.PythonFloats(plain)
			got, err := p.AppendPythonJSON([]byte("["))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, []byte("[")) {
				t.Fatalf("AppendPythonJSON dropped what b held: %.20s", got)
			}
			if got = got[1:]; !bytes.Equal(got, want) {
				t.Errorf("AppendPythonJSON differs from the rewritten line:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// AppendPythonPayload writes what Payload(e).AppendPythonJSON writes,
// event after event of every shape: the struct it reuses keeps nothing of
// the event before.
func TestAppendPythonPayload_EqualsPayload(t *testing.T) {
	for round := range 2 {
		for name, mk := range payloadEvents() {
			e := mk()
			want, err := Payload(e).AppendPythonJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := AppendPythonPayload(nil, e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("round %d, %s: AppendPythonPayload differs from Payload(e).AppendPythonJSON:\n got %s\nwant %s", round, name, got, want)
			}
		}
	}
}

func BenchmarkPayloadMarshalJSON(b *testing.B) {
	e := payloadSuccessEvent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Payload(e).MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}
