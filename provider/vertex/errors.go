package vertex

import (
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
	"github.com/llmux/llmux/provider/gemini"
)

// mapGoogleError classifies a Google-shaped Vertex AI error, for the
// Claude models and embeddings (the Gemini codec maps its own): see
// [gemini.RefineError]. e must be the caller's own.
func mapGoogleError(e *llmux.Error, h http.Header) *llmux.Error { return gemini.RefineError(e, h) }

// claudeError is an error of the Anthropic codec as Vertex AI's: a copy
// naming this provider and, when the body is Google-shaped (which the
// Anthropic codec does not read), classified from it. The codec's error is
// not changed.
func claudeError(err error) error {
	e, ok := err.(*llmux.Error)
	if !ok || e.Provider == providerName {
		return err
	}
	c := *e
	c.Provider = providerName
	if c.Type == "" && c.StatusCode != 0 && len(c.Body) > 0 {
		return mapGoogleError(&c, nil)
	}
	return &c
}

// claudeStream is a Claude stream whose errors name this provider.
type claudeStream struct{ llmux.ChunkReader }

func (s claudeStream) Recv() (*llmux.Chunk, error) {
	c, err := s.ChunkReader.Recv()
	if err != nil {
		return c, claudeError(err)
	}
	return c, nil
}

// httpError is the *llmux.Error of a non-2xx Vertex AI answer to a call
// this package makes itself (embeddings).
func httpError(status int, h http.Header, body []byte) *llmux.Error {
	return mapGoogleError(provider.HTTPError(providerName, status, h, body), h)
}
