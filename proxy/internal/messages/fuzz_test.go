package messages

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// providerBody returns the body provider/anthropic sends for req, or
// false when it refuses the request.
func providerBody(req *llmux.Request) ([]byte, bool) {
	var sent []byte
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(messageFixture)), Request: r}, nil
	})}
	p := anthropic.New(anthropic.WithAPIKey("sk-ant-test-0123456789"), anthropic.WithBaseURL("http://upstream.invalid"))
	if _, err := p.Chat(bg, &llmux.Attempt{Request: req, Model: req.Model, Number: 1, HTTPClient: hc}); err != nil {
		return nil, false
	}
	return sent, true
}

var messageFixture, _ = os.ReadFile(filepath.Join("testdata", "anthropic-message.json"))

// FuzzDecodeRequest: decoding never panics, fails only with an
// invalid_request *llmux.Error, and a decoded body that provider/anthropic
// sends decodes and is sent again JSON-equal: the translation is stable.
func FuzzDecodeRequest(f *testing.F) {
	for _, name := range []string{"full.json", "simple.json", "choices.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "requests", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[]},{"role":"assistant","content":"a  "}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":""}]}],"system":[]}`,
		`{"model":"m","messages":[],"metadata":{},"stop_sequences":[],"tool_choice":{"type":"none","disable_parallel_tool_use":false}}`,
		`{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{},"arguments":"{"}]}]}`,
		`{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"text","text":"b"}]},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}},{"type":"text","text":"x"},{"type":"thinking","thinking":"","signature":""}]}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[]},{"type":"text","text":""},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"x"},"title":""}]}],"tools":[{"type":"custom","name":"f","description":"","input_schema":null}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"ftp://x"}},{"type":"image","source":{"type":"base64","media_type":"a,b","data":"x"}},{"type":"text","text":"t","cache_control":null}]}],"system":[{"type":"text","text":""}]}`,
		`{"model":"m","messages":[{"role":"assistant","content":[{"type":"redacted_thinking","data":""},{"type":"tool_use","id":"t","name":"f","input":null,"cache_control":{"type":"ephemeral"}}]}],"metadata":{"user_id":"u","x":1},"top_k":null,"thinking":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeRequest(body)
		if err != nil {
			if e, ok := err.(*llmux.Error); !ok || e.Code != llmux.CodeInvalidRequest {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if req.Model == "" || req.Stream {
			return // the client refuses no model; streams need another call
		}
		first, ok := providerBody(req)
		if !ok {
			return
		}
		again, err := DecodeRequest(first)
		if err != nil {
			t.Fatalf("the provider's body does not decode: %v\n%s", err, first)
		}
		second, ok := providerBody(again)
		if !ok {
			t.Fatalf("the provider refuses its own body:\n%s", first)
		}
		var a, b any
		if json.Unmarshal(first, &a) != nil || json.Unmarshal(second, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("unstable:\nfirst  %s\nsecond %s", first, second)
		}
	})
}

// Building blocks of generated bodies (FuzzRoundTripShapes).
var (
	userBlocks = []string{
		`{"type":"text","text":"hello"}`,
		`{"type":"text","text":"cached","cache_control":{"type":"ephemeral"}}`,
		`{"type":"text","text":""}`,
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}`,
		`{"type":"image","source":{"type":"url","url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}}`,
		`{"type":"image","source":{"type":"file","file_id":"file_1"}}`,
		`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"},"title":"a.pdf"}`,
		`{"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain ✓ text"}}`,
		`{"type":"document","source":{"type":"text","media_type":"text/plain","data":"t"},"citations":{"enabled":true}}`,
		`{"type":"document","source":{"type":"file","file_id":"file_2"},"title":"b"}`,
		`{"type":"search_result","source":"s","title":"t","content":[{"type":"text","text":"r"}]}`,
		`{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}`,
		`{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"a"},{"type":"image","source":{"type":"base64","media_type":"image/gif","data":"R0lG"}}],"is_error":true}`,
		`{"type":"tool_result","tool_use_id":"toolu_3","cache_control":{"type":"ephemeral"}}`,
		`{"type":"tool_result","tool_use_id":"toolu_4","content":""}`,
	}
	assistantBlocks = []string{
		`{"type":"text","text":"answer"}`,
		`{"type":"text","text":"cited","citations":[{"type":"char_location","cited_text":"x","document_index":0,"start_char_index":0,"end_char_index":1}]}`,
		`{"type":"thinking","thinking":"hmm","signature":"sig"}`,
		`{"type":"redacted_thinking","data":"red"}`,
		`{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":[1,2]}}`,
		`{"type":"tool_use","id":"toolu_2","name":"g","input":{},"cache_control":{"type":"ephemeral"}}`,
		`{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}}`,
		`{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]}`,
		`{"type":"text","text":"trailing space "}`,
	}
	topMembers = []string{
		`"system":"sys"`,
		`"system":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}},{"type":"text","text":"b"}]`,
		`"system":[{"type":"text","text":"only"}]`,
		`"metadata":{"user_id":"u"}`,
		`"metadata":{"user_id":"u","x":1}`,
		`"stop_sequences":["a","b"]`,
		`"stop_sequences":[]`,
		`"temperature":0.3,"top_p":0.5,"top_k":3`,
		`"thinking":{"type":"enabled","budget_tokens":2000}`,
		`"tools":[{"name":"f","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search","max_uses":1}]`,
		`"tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}`,
		`"tool_choice":{"type":"none"}`,
		`"tool_choice":{"type":"auto","disable_parallel_tool_use":false}`,
		`"service_tier":"standard_only"`,
		`"container":"c"`,
	}
)

// generated builds a Messages API body from b: each byte picks a member,
// a turn or a block.
func generated(b []byte) []byte {
	next := func() int {
		if len(b) == 0 {
			return 0
		}
		v := int(b[0])
		b = b[1:]
		return v
	}
	var body bytes.Buffer
	body.WriteString(`{"model":"claude-x","max_tokens":4000`)
	for n := next() % 4; n > 0; n-- {
		body.WriteString(",")
		body.WriteString(topMembers[next()%len(topMembers)])
	}
	body.WriteString(`,"messages":[`)
	turns := 1 + next()%5
	for i := 0; i < turns; i++ {
		if i > 0 {
			body.WriteString(",")
		}
		role, blocks := "user", userBlocks
		if next()%2 == 1 {
			role, blocks = "assistant", assistantBlocks
		}
		body.WriteString(`{"role":"` + role + `","content":`)
		if n := next() % 5; n == 0 {
			body.WriteString(`"text turn"`)
		} else {
			body.WriteString("[")
			for j := 0; j < n; j++ {
				if j > 0 {
					body.WriteString(",")
				}
				body.WriteString(blocks[next()%len(blocks)])
			}
			body.WriteString("]")
		}
		body.WriteString("}")
	}
	body.WriteString("]}")
	return body.Bytes()
}

// FuzzRoundTripShapes generates valid bodies from every kind of block and
// member and checks that the translation through provider/anthropic is
// stable (see FuzzDecodeRequest).
func FuzzRoundTripShapes(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 4, 0, 3, 0, 1, 2, 1, 4, 2, 3, 4, 5})
	f.Add([]byte{1, 9, 3, 1, 4, 0, 1, 4, 0, 4, 5, 0, 4, 11, 12, 2, 0})
	f.Add([]byte{2, 10, 12, 4, 1, 3, 2, 4, 6, 0, 2, 7, 13, 1, 3, 8, 1, 5})
	f.Fuzz(func(t *testing.T, seed []byte) {
		body := generated(seed)
		req, err := DecodeRequest(body)
		if err != nil {
			t.Fatalf("a valid body does not decode: %v\n%s", err, body)
		}
		first, ok := providerBody(req)
		if !ok {
			return // e.g. cache_control with nothing to mark
		}
		again, err := DecodeRequest(first)
		if err != nil {
			t.Fatalf("the provider's body does not decode: %v\n%s", err, first)
		}
		second, ok := providerBody(again)
		if !ok {
			t.Fatalf("the provider refuses its own body:\n%s", first)
		}
		var a, b any
		if json.Unmarshal(first, &a) != nil || json.Unmarshal(second, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("unstable:\nbody   %s\nfirst  %s\nsecond %s", body, first, second)
		}
	})
}
