package messages_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/proxy/internal/messages"
)

// An Anthropic client's request answered by an OpenAI model: the body is
// decoded into an llmux request, sent through the client, and the answer
// written back as an Anthropic message.
func Example() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}`)
	}))
	defer upstream.Close()
	client, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey("sk-example"), openai.WithBaseURL(upstream.URL))))
	if err != nil {
		panic(err)
	}
	defer client.Close(context.Background())

	body := `{"model":"claude-sonnet-4-5","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}`
	req, err := messages.DecodeRequest([]byte(body))
	if err != nil {
		status, errBody := messages.EncodeError(err)
		fmt.Println(status, string(errBody))
		return
	}
	req.Model = "gpt-4o-mini" // the gateway's routing
	resp, err := client.Completion(context.Background(), req)
	if err != nil {
		status, errBody := messages.EncodeError(err)
		fmt.Println(status, string(errBody))
		return
	}
	out, err := messages.EncodeResponse(resp, "claude-sonnet-4-5")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"id":"msg_chatcmpl-1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}
}

// A stream's chunks written as Anthropic's events.
func ExampleStreamWriter() {
	sw := messages.NewStreamWriter(os.Stdout, nil, "claude-sonnet-4-5")
	for _, c := range []*llmux.Chunk{
		{ID: "chatcmpl-2", Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Role: llmux.RoleAssistant, Content: "Hi"}}}},
		{ID: "chatcmpl-2", Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Content: " there"}, FinishReason: "stop"}}},
	} {
		if err := sw.Chunk(c); err != nil {
			panic(err)
		}
	}
	_ = sw.Finish(&llmux.Response{Usage: llmux.Usage{PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7}})
	// Output:
	// event: message_start
	// data: {"type":"message_start","message":{"id":"msg_chatcmpl-2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}
	//
	// event: content_block_start
	// data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
	//
	// event: content_block_delta
	// data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
	//
	// event: content_block_delta
	// data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}
	//
	// event: content_block_stop
	// data: {"type":"content_block_stop","index":0}
	//
	// event: message_delta
	// data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}
	//
	// event: message_stop
	// data: {"type":"message_stop"}
}

// A request error in Anthropic's shape.
func ExampleEncodeError() {
	_, err := messages.DecodeRequest([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"foo"}]}]}`))
	status, body := messages.EncodeError(err)
	fmt.Println(status, strings.TrimSpace(string(body)))
	// Output:
	// 400 {"type":"error","error":{"type":"invalid_request_error","message":"messages: messages[0].content[0].type: unknown block type \"foo\""}}
}
