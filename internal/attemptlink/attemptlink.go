// Package attemptlink joins package llmux, which runs attempts, to package
// provider, which sends them: provider's Send and ReadBody report each
// exchange to the attempt's recorder, which llmux implements. llmux sets
// Of when it is initialised; nothing else may set it. This keeps the
// recording machinery out of llmux's exported API (an Attempt there is
// plain data) without an import cycle.
package attemptlink

import (
	"context"
	"net/http"
)

// Recorder records one attempt's exchange with the upstream, for the
// pre- and post-API-call events.
type Recorder interface {
	// Begin records the wire request and emits the pre-API-call event.
	Begin(ctx context.Context, method, url string, header http.Header, body []byte, apiKey string, input any)
	// Sent records that the request went out and the response status and
	// headers that came back.
	Sent(status int, header http.Header)
	// Received records the raw response body.
	Received(raw []byte)
}

// Of returns the recorder of an attempt (a *llmux.Attempt), or nil for an
// attempt not made by a client (a provider's own tests).
var Of func(attempt any) Recorder
