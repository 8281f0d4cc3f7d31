package clients

import (
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// openai-go against the gateway's Responses API (POST /v1/responses). The
// fake upstream answers /v1/responses and chat completions with the same
// text and usage, so these hold whichever the gateway calls.

const responsesText = "Hello! How can I assist you today?"

func responseParams(prompt string) responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model: "gpt-4o-mini",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)},
	}
}

func TestResponses_Create(t *testing.T) {
	id := gw.requestID(t, "success")
	c := openaiClient(gw)
	r, err := c.Responses.New(ctx(t), responseParams("Hi "+id), option.WithHeader("X-Request-Id", id))
	if err != nil {
		t.Fatal(err)
	}
	if r.Object != "response" || r.Status != responses.ResponseStatusCompleted || r.ID == "" {
		t.Errorf("object %q, status %q, id %q", r.Object, r.Status, r.ID)
	}
	if got := r.OutputText(); got != responsesText {
		t.Errorf("output_text: got %q, want %q", got, responsesText)
	}
	if len(r.Output) != 1 || r.Output[0].Type != "message" || r.Output[0].Role != "assistant" {
		t.Errorf("output: %s", r.RawJSON())
	}
	if r.Usage.InputTokens != 19 || r.Usage.OutputTokens != 10 || r.Usage.TotalTokens != 29 {
		t.Errorf("usage: %+v", r.Usage)
	}
}

func TestResponses_Stream(t *testing.T) {
	id := gw.requestID(t, "success")
	c := openaiClient(gw)
	s := c.Responses.NewStreaming(ctx(t), responseParams("Hi, stream "+id), option.WithHeader("X-Request-Id", id))
	defer s.Close()
	var text strings.Builder
	var types []string
	var final responses.Response
	seq := int64(-1)
	for s.Next() {
		ev := s.Current()
		types = append(types, ev.Type)
		if ev.SequenceNumber <= seq {
			t.Errorf("sequence_number %d after %d", ev.SequenceNumber, seq)
		}
		seq = ev.SequenceNumber
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			final = ev.Response
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(types) == 0 || types[0] != "response.created" || types[len(types)-1] != "response.completed" {
		t.Errorf("events: %v, want response.created first and response.completed last", types)
	}
	if text.String() != responsesText {
		t.Errorf("deltas: got %q, want %q", text.String(), responsesText)
	}
	if final.OutputText() != responsesText || final.Status != responses.ResponseStatusCompleted {
		t.Errorf("completed response: %s", final.RawJSON())
	}
	if final.Usage.InputTokens != 19 || final.Usage.OutputTokens != 10 || final.Usage.TotalTokens != 29 {
		t.Errorf("usage: %+v", final.Usage)
	}
}
