package litellm

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/payloadkeys"
	"github.com/llmux/llmux/internal/record"
)

// The names llmux checks WithPayloadExcludedFields against are the
// payload's keys.
func TestPayloadKeys_AreThePayloadsKeys(t *testing.T) {
	want := slices.Clone(payloadkeys.Names)
	slices.Sort(want)
	if !slices.Equal(want, standardLoggingPayloadKeys) {
		t.Errorf("payloadkeys.Names %v\nwant %v", want, standardLoggingPayloadKeys)
	}
}

// model_parameters hold model parameters only: never the call's input,
// whatever the optional params carry.
func TestPayload_ModelParametersHoldOnlyModelParameters(t *testing.T) {
	e := payloadSuccessEvent()
	e.OptionalParams = map[string]any{"temperature": 0.2, "input": []string{"secret"}, "prompt": "secret",
		"messages": "secret", "my_app_field": 1, "top_k": 3, "stream": true}
	m := payloadJSON(t, e)["model_parameters"].(map[string]any)
	if _, ok := m["temperature"]; !ok || m["top_k"] != float64(3) || m["stream"] != true {
		t.Errorf("model_parameters %v lack recognised parameters", m)
	}
	for _, k := range []string{"input", "prompt", "messages", "my_app_field"} {
		if _, ok := m[k]; ok {
			t.Errorf("model_parameters carry %q: %v", k, m)
		}
	}
}

// WithPayloadExcludedFields empties keys for every logger; the payload
// keeps its 39 keys.
func TestPayload_ExcludedFields(t *testing.T) {
	rec := &record.Events{}
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithPayloadExcludedFields("messages", "response", "metadata"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Completion(context.Background(), &llmux.Request{Model: "mock/x", Messages: []llmux.Message{llmux.User("private prompt")},
		MockResponse: "private answer", Metadata: map[string]any{"k": "private meta"}}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Payload(rec.Last()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if len(m) != 39 || m["messages"] != nil || m["response"] != nil || strings.Contains(string(b), "private") {
		t.Errorf("payload %d keys: %s", len(m), b)
	}
	if _, err := llmux.New(llmux.WithPayloadExcludedFields("mesages")); err == nil || !strings.Contains(err.Error(), `"mesages"`) {
		t.Errorf("a misspelt key: err = %v, want one naming it", err)
	}
}

// Dropped parameters show in kwargs' additional_args and the payload's
// hidden_params.
func TestViews_DroppedParams(t *testing.T) {
	e := payloadSuccessEvent()
	e.DroppedParams = []string{"seed"}
	if got := Kwargs(e)["additional_args"].(map[string]any)["dropped_params"]; !slices.Equal(got.([]string), []string{"seed"}) {
		t.Errorf("additional_args dropped_params = %v", got)
	}
	hp := payloadJSON(t, e)["hidden_params"].(map[string]any)
	if d, _ := hp["dropped_params"].([]any); len(d) != 1 || d[0] != "seed" {
		t.Errorf("hidden_params = %v", hp)
	}
	if _, ok := payloadJSON(t, payloadSuccessEvent())["hidden_params"].(map[string]any)["dropped_params"]; ok {
		t.Error("dropped_params present without a dropped parameter")
	}
}
