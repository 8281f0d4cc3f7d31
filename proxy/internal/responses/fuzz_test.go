package responses

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// FuzzDecodeRequest: any body gives either an *llmux.Error whose message
// starts "responses: ", or a request with messages that encodes, and an
// echo that a response and a stream encode with.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(providertest.Fixture(f, "request-all.json"))
	for _, s := range []string{
		`{"model":"m","input":"hi"}`,
		`{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"x"}]}]}`,
		`{"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":"a"},{"type":"refusal","refusal":"b"}]}],"tools":[{"type":"function","name":"f","parameters":{}}],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"f"}]}}`,
		`{"model":"m","instructions":"x","text":{"format":{"type":"json_schema","name":"n","schema":{}}},"metadata":{"a":"b"},"max_output_tokens":1e2}`,
		`{"model":"m","input":null,"x":[1,{"y":null}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, echo, err := DecodeRequest(body)
		if err != nil {
			var e *llmux.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "responses: ") || req != nil || echo != nil {
				t.Fatalf("error %#v with request %v", err, req)
			}
			return
		}
		if len(req.Messages) == 0 || req.Model == "" || echo.Model != req.Model {
			t.Fatalf("request without model or messages: %+v", req)
		}
		if _, err := req.MarshalJSON(); err != nil {
			t.Fatalf("request does not encode: %v", err)
		}
		out, err := EncodeResponse(&llmux.Response{Choices: []llmux.Choice{{Message: llmux.Assistant("x")}}}, echo)
		if err != nil || !json.Valid(out) {
			t.Fatalf("response: %v %s", err, out)
		}
		if err := NewStreamWriter(io.Discard, nil, echo).Finish(nil); err != nil {
			t.Fatalf("stream: %v", err)
		}
	})
}
