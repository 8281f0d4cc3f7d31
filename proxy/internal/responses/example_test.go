package responses_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/internal/responses"
)

// A Responses request becomes a chat request; the chat completion that
// answers it becomes a "response" object.
func Example() {
	req, echo, err := responses.DecodeRequest([]byte(`{
		"model": "anthropic/claude-sonnet-4-5",
		"instructions": "Be brief.",
		"input": "Hello!",
		"max_output_tokens": 100
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range req.Messages {
		fmt.Printf("%s: %s\n", m.Role, m.Content)
	}
	fmt.Println("max_tokens:", *req.MaxTokens)

	// What client.Completion(ctx, req) would return.
	resp := &llmux.Response{Model: "claude-sonnet-4-5-20250929", Choices: []llmux.Choice{{
		Message: llmux.Assistant("Hi!"), FinishReason: "stop"}},
		Usage: llmux.Usage{PromptTokens: 12, CompletionTokens: 3, TotalTokens: 15}}
	body, err := responses.EncodeResponse(resp, echo)
	if err != nil {
		fmt.Println(err)
		return
	}
	var out struct {
		Object, Status, Model, Instructions string
		Output                              []struct {
			Type    string
			Content []struct{ Type, Text string }
		}
		Usage struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		}
	}
	_ = json.Unmarshal(body, &out)
	fmt.Println(out.Object, out.Status, out.Model, out.Instructions)
	fmt.Println(out.Output[0].Type, out.Output[0].Content[0].Type, out.Output[0].Content[0].Text)
	fmt.Println(out.Usage.InputTokens, out.Usage.OutputTokens)
	// Output:
	// system: Be brief.
	// user: Hello!
	// max_tokens: 100
	// response completed claude-sonnet-4-5-20250929 Be brief.
	// message output_text Hi!
	// 12 3
}

// Chunks of a chat stream become the Responses API's events.
func ExampleStreamWriter() {
	_, echo, _ := responses.DecodeRequest([]byte(`{"model":"gpt-4o-mini","input":"Hello!","stream":true}`))
	var w bytes.Buffer
	sw := responses.NewStreamWriter(&w, nil, echo)
	for _, text := range []string{"Hi", " there"} {
		_ = sw.Chunk(&llmux.Chunk{Model: "gpt-4o-mini", Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Content: text}}}})
	}
	_ = sw.Finish(&llmux.Response{Choices: []llmux.Choice{{Message: llmux.Assistant("Hi there"), FinishReason: "stop"}}})
	for _, line := range strings.Split(w.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			fmt.Println(name)
		}
	}
	// Output:
	// response.created
	// response.in_progress
	// response.output_item.added
	// response.content_part.added
	// response.output_text.delta
	// response.output_text.delta
	// response.output_text.done
	// response.content_part.done
	// response.output_item.done
	// response.completed
}
