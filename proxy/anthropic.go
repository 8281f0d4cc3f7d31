package proxy

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/internal/messages"
)

// writeAnthropicError answers err in Anthropic's shape,
// {"type":"error","error":{"type","message"}}, with the status Anthropic
// gives its type (an Anthropic upstream's own type and status are kept).
func writeAnthropicError(w http.ResponseWriter, err error) errorFields {
	f := classify(err)
	var body []byte
	var ae *apiError
	if errors.As(err, &ae) {
		_, typ := messages.ErrorStatus(f.llmCode)
		if f.status == http.StatusRequestEntityTooLarge {
			typ = "request_too_large"
		}
		body, _ = json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": f.message}})
	} else {
		f.status, body = messages.EncodeError(err)
	}
	writeErrorHeaders(w, f)
	writeBody(w, f.status, body)
	return f
}

// messages serves Anthropic's Messages API from any backend: the request
// is translated into a chat call (package messages), and the completion or
// its chunks back into a message and Anthropic's events.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	body, err := s.readBody(w, r)
	if err != nil {
		rc.fail(w, err)
		return
	}
	req, err := messages.DecodeRequest(body)
	if err == nil {
		err = s.prepare(r, rc, req, llmux.CallCompletion)
	}
	if err != nil {
		rc.fail(w, err)
		return
	}
	// The answer names the model that answered, as Anthropic's API does
	// (an Anthropic upstream's dated snapshot, or the backend's model).
	const model = ""
	s.serveTranslated(w, rc, req,
		func(resp *llmux.Response) ([]byte, error) { return messages.EncodeResponse(resp, model) },
		func(flush func()) (translatedStream, error) { return messages.NewStreamWriter(w, flush, model), nil })
}
