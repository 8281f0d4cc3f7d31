package messages

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmux/llmux"
)

// TestOwnership_NothingShared: the request DecodeRequest returns shares
// no memory with the body, and EncodeResponse and a StreamWriter change
// nothing they are given.
func TestOwnership_NothingShared(t *testing.T) {
	body := fixture(t, "requests/full.json")
	req, err := DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(req)
	for i := range body {
		body[i] = ' '
	}
	if after, _ := json.Marshal(req); !bytes.Equal(before, after) {
		t.Error("the request changed with the body")
	}

	resp := anthropicAnswer(t, "anthropic-thinking-tool-use.json")
	keep := resp.Clone()
	if _, err := EncodeResponse(resp, "m"); err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{cmpopts.IgnoreUnexported(llmux.Response{}, llmux.Choice{}, llmux.Message{}, llmux.ToolCall{},
		llmux.FunctionCall{}, llmux.ThinkingBlock{}, llmux.Usage{})}
	if d := cmp.Diff(keep, resp, opts); d != "" {
		t.Errorf("EncodeResponse changed the response:\n%s", d)
	}

	c := &llmux.Chunk{ID: "x", Raw: json.RawMessage(`{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3}}}`),
		Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Content: "a", ToolCalls: []llmux.ToolCall{{ID: "t", Function: llmux.FunctionCall{Name: "f"}}}}}},
		Usage:   &llmux.Usage{PromptTokens: 3}}
	keepChunk := c.Clone()
	sw := NewStreamWriter(io.Discard, nil, "m")
	if err := sw.Chunk(c); err != nil {
		t.Fatal(err)
	}
	c.Usage.PromptTokens = 1000 // the caller's to change after the call
	if err := sw.Finish(nil); err != nil {
		t.Fatal(err)
	}
	c.Usage.PromptTokens = 3
	if d := cmp.Diff(keepChunk, c, cmpopts.IgnoreUnexported(llmux.Chunk{}, llmux.ChunkChoice{}, llmux.Delta{}, llmux.ToolCall{},
		llmux.FunctionCall{}, llmux.Usage{})); d != "" {
		t.Errorf("Chunk changed the chunk:\n%s", d)
	}
}
