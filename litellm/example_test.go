package litellm_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/litellm"
)

// A logger that stores LiteLLM's payloads as lines writes each terminal
// event with AppendPythonPayload: numbers come out as Python writes them.
func ExampleAppendPythonPayload() {
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	e := &llmux.Event{Type: llmux.EventSuccess, CallID: "call-1", CallType: llmux.CallCompletion,
		Model: "gpt-4o-mini", Provider: "openai", StartTime: start, EndTime: start.Add(time.Second),
		ResponseCost: 3.5e-05}
	line, err := litellm.AppendPythonPayload(nil, e)
	if err != nil {
		panic(err)
	}
	for _, field := range []string{`"id":"call-1"`, `"response_cost":3.5e-05`, `"status":"success"`} {
		fmt.Println(field, strings.Contains(string(line), field))
	}
	// Output:
	// "id":"call-1" true
	// "response_cost":3.5e-05 true
	// "status":"success" true
}
