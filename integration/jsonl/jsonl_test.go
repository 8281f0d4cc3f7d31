package jsonl

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonx"
	"github.com/llmux/llmux/litellm"
)

// A payload line is the standard payload's JSON with numbers as Python
// writes them, and the logger writes that line and a newline.
func TestPayloadLine_PythonNumbers(t *testing.T) {
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	e := &llmux.Event{Type: llmux.EventSuccess, CallID: "call-1", CallType: llmux.CallCompletion, Model: "gpt-4o-mini",
		Provider: "openai", StartTime: start, EndTime: start.Add(1500 * time.Millisecond),
		Messages: []llmux.Message{llmux.User("hi 0.00001")}, ResponseCost: 3.5e-05,
		Usage: llmux.Usage{PromptTokens: 19, CompletionTokens: 10, TotalTokens: 29}}
	line := PayloadLine(e)
	plain, err := litellm.Payload(e).AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := jsonx.PythonFloats(plain); !bytes.Equal(line, want) {
		t.Errorf("PayloadLine:\n got %s\nwant %s", line, want)
	}
	if !bytes.Contains(line, []byte(`"response_cost":3.5e-05`)) || !bytes.Contains(line, []byte(`"hi 0.00001"`)) {
		t.Errorf("PayloadLine %s: want the cost as 3.5e-05 and the message's text as it was", line)
	}
	var buf bytes.Buffer
	NewPayloads(&buf).LogSuccessEvent(context.Background(), e)
	if got := buf.String(); got != string(line)+"\n" {
		t.Errorf("the payload logger wrote\n%s\nwant PayloadLine and a newline", got)
	}
}
