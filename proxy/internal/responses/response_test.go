package responses

import (
	"encoding/json"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// simpleEcho is the echo of a request that sets nothing but model and
// input.
func simpleEcho(t testing.TB) *Echo {
	t.Helper()
	_, echo, err := DecodeRequest([]byte(`{"model":"gpt-4o-mini","input":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	return echo
}

// The response objects of recorded and representative chat completions.
func TestEncodeResponse_Golden(t *testing.T) {
	for _, name := range []string{"openai-chat", "openai-chat-tools", "chat-reasoning", "chat-length", "chat-refusal"} {
		t.Run(name, func(t *testing.T) {
			fixedClockAndIDs(t)
			out, err := EncodeResponse(decodeFixture(t, name+".json"), simpleEcho(t))
			if err != nil {
				t.Fatal(err)
			}
			providertest.Golden(t, "testdata/golden/response-"+name+".json", pretty(t, out))
		})
	}
}

func TestEncodeResponse_Status(t *testing.T) {
	for _, tc := range []struct {
		finish, status, reason string
		completedAt            bool
	}{
		{"stop", "completed", "", true},
		{"tool_calls", "completed", "", true},
		{"", "completed", "", true},
		{"length", "incomplete", "max_output_tokens", false},
		{"content_filter", "incomplete", "content_filter", false},
	} {
		t.Run(tc.finish, func(t *testing.T) {
			out, err := EncodeResponse(&llmux.Response{Model: "m", Choices: []llmux.Choice{{
				Message: llmux.Assistant("x"), FinishReason: tc.finish}}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				Status            string
				CompletedAt       *int64                   `json:"completed_at"`
				IncompleteDetails *struct{ Reason string } `json:"incomplete_details"`
				Output            []struct{ Status string }
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || (r.CompletedAt != nil) != tc.completedAt {
				t.Errorf("status %q completed_at %v: %s", r.Status, r.CompletedAt, out)
			}
			if tc.reason == "" && r.IncompleteDetails != nil || tc.reason != "" && (r.IncompleteDetails == nil || r.IncompleteDetails.Reason != tc.reason) {
				t.Errorf("incomplete_details: %s", out)
			}
			if want := map[bool]string{true: "incomplete", false: "completed"}[tc.reason != ""]; r.Output[0].Status != want {
				t.Errorf("item status %q, want %q", r.Output[0].Status, want)
			}
		})
	}
}

// A completion without usage still has a usage object (the Vercel AI SDK
// requires its numbers), and the echo's model stands in for a missing one.
func TestEncodeResponse_Defaults(t *testing.T) {
	out, err := EncodeResponse(&llmux.Response{Choices: []llmux.Choice{{Message: llmux.Assistant("x")}}}, &Echo{Model: "alias"})
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r["model"] != "alias" || r["usage"] == nil || r["tool_choice"] != "auto" || r["truncation"] != "disabled" ||
		r["parallel_tool_calls"] != true || r["store"] != false {
		t.Errorf("%s", out)
	}
	if _, err := EncodeResponse(nil, nil); err == nil {
		t.Error("nil response: no error")
	}
}

// url_citation annotations of a chat message move up a level, as the
// Responses API writes them.
func TestEncodeResponse_Annotations(t *testing.T) {
	var resp llmux.Response
	if err := json.Unmarshal([]byte(`{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-search-preview",
		"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"See example.",
		"annotations":[{"type":"url_citation","url_citation":{"start_index":4,"end_index":11,"url":"https://example.com","title":"Example"}}]}}]}`), &resp); err != nil {
		t.Fatal(err)
	}
	out, err := EncodeResponse(&resp, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Output []struct {
			Content []struct {
				Annotations []json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	got := string(r.Output[0].Content[0].Annotations[0])
	if want := `{"type":"url_citation","start_index":4,"end_index":11,"url":"https://example.com","title":"Example"}`; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}
