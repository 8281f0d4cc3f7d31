// Package gemini is the llmux provider for the Google Gemini API
// (generativelanguage.googleapis.com), LiteLLM's "gemini/" models
// ("gemini/gemini-2.5-flash").
//
// # Reusing the codec (Vertex AI)
//
// [WithEndpoint] replaces the base URL and API-key handling with an
// [Endpoint] that returns the URL, headers and secret of each request, and
// [WithName] sets the provider name ("vertex_ai"). The request and
// response bodies are the same; every content carries its role, as Vertex
// AI requires. With an Endpoint the model in the URL and body is the
// attempt's upstream model, and an Endpoint error is the attempt's error
// as is when it is an *llmux.Error, else wrapped as CodeAuthentication.
package gemini
