package provider

import (
	"context"

	"github.com/llmux/llmux"
)

// TextCompleter is an [llmux.Provider] with a legacy text-completion API
// (LiteLLM's text_completion()). The client calls TextCompletion for
// [llmux.Client.TextCompletion]; a provider without it answers those calls
// with CodeUnsupported.
type TextCompleter interface {
	TextCompletion(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error)
}

// Embedder is an [llmux.Provider] that computes embeddings
// ([llmux.Client.Embedding]).
type Embedder interface {
	Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error)
}

// ModelClaimer is an [llmux.Provider] that serves model names besides
// "<Name()>/<model>". A provider package declares its own names here, so
// the client knows no provider by name: adding a provider touches only
// its package. The client builds its resolver from the registered
// providers once, in llmux.New.
type ModelClaimer interface {
	// Prefixes returns further prefixes the provider serves, as LiteLLM
	// spells them ("text-completion-openai" for openai); nil for none.
	Prefixes() []string
	// ClaimModel reports whether a bare model name, one without a
	// provider prefix, is the provider's ("gpt-4o" for openai,
	// "claude-sonnet-4-5" for anthropic). The client asks the registered
	// providers in registration order, for every call with a bare name, so
	// it must be fast.
	ClaimModel(model string) bool
}

// ParamSupporter is an [llmux.Provider] whose API cannot take every
// OpenAI request parameter (Anthropic has no seed, for example). The
// client checks every parameter a request sets against it before any
// attempt: an unsupported one fails the call with CodeInvalidRequest
// naming it and the provider, unless the caller opted in to dropping it
// (llmux.WithDropParams, Request.DropParams) or to sending it anyway
// (Request.AllowedParams). A provider that does not implement it takes
// every parameter (OpenAI and OpenAI-compatible servers).
type ParamSupporter interface {
	// SupportsParam reports whether the provider sends the parameter name
	// (OpenAI's name: "seed", "response_format", "logit_bias"...) for a
	// call of type ct to the upstream model. It is called only for
	// parameters the request sets.
	SupportsParam(ct llmux.CallType, model, name string) bool
}

// Info describes a provider for its users: the gateway's provider table
// in README.md is generated from the Info of the built-in providers, and a
// test keeps the two equal.
type Info struct {
	// Prefix is the provider's name, the model prefix ("gemini").
	Prefix string
	// Title is the service's name ("Google Gemini API").
	Title string
	// Also are further prefixes the provider serves (LiteLLM's
	// "text-completion-openai" for openai).
	Also []string
	// Env are the environment variables the provider reads its
	// credentials and endpoint from, in the order it tries them.
	Env []string
	// Chat, Stream, Embeddings, Tools and TextCompletion say what the
	// provider offers: chat completions, streamed ones, embeddings,
	// tools (function calling) and the legacy text-completion API.
	Chat, Stream, Embeddings, Tools, TextCompletion bool
	// Note is a remark for the documentation; "" for none.
	Note string
}

// Describer is a provider that describes itself ([Info]).
type Describer interface {
	Describe() Info
}
