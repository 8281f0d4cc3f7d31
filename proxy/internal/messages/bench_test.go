package messages

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

func BenchmarkDecodeRequest(b *testing.B) {
	body := fixture(b, "requests/full.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	resp := &llmux.Response{ID: "chatcmpl-1", Choices: []llmux.Choice{{FinishReason: "tool_calls", Message: llmux.Message{
		Role: llmux.RoleAssistant, Content: "Let me check.",
		ToolCalls: []llmux.ToolCall{{ID: "call_1", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location": "Boston, MA"}`}}},
	}}}, Usage: llmux.Usage{PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeResponse(resp, "claude-sonnet-4-5"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamWriter writes a 50-chunk text stream.
func BenchmarkStreamWriter(b *testing.B) {
	chunks := make([]*llmux.Chunk, 50)
	for i := range chunks {
		chunks[i] = &llmux.Chunk{ID: "chatcmpl-1", Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Content: "token "}}}}
	}
	final := &llmux.Response{Choices: []llmux.Choice{{FinishReason: "stop"}}, Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 50, TotalTokens: 60}}
	b.ReportAllocs()
	for b.Loop() {
		sw := NewStreamWriter(io.Discard, nil, "claude-sonnet-4-5")
		for _, c := range chunks {
			if err := sw.Chunk(c); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Finish(final); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRequest_Long decodes a long conversation (about 400 KB,
// mostly text and tool results), the shape of a coding agent's requests.
func BenchmarkDecodeRequest_Long(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"model":"claude-sonnet-4-5","max_tokens":8192,"system":[{"type":"text","text":"` + strings.Repeat("rules ", 2000) + `","cache_control":{"type":"ephemeral"}}],"messages":[`)
	text := strings.Repeat("lorem ipsum dolor sit amet ", 70)
	for i := range 100 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_%d","content":"%s"},{"type":"text","text":"%s"}]},`, i, text, text)
		fmt.Fprintf(&body, `{"role":"assistant","content":[{"type":"text","text":"%s"},{"type":"tool_use","id":"toolu_%d","name":"read_file","input":{"path":"/src/file_%d.go"}}]}`, text, i+1, i)
	}
	body.WriteString(`]}`)
	raw := []byte(body.String())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRequest(raw); err != nil {
			b.Fatal(err)
		}
	}
}
