// Package vertex is the Vertex AI provider for llmux: Google's Gemini
// models and Anthropic's Claude models served by Google Cloud, under one
// provider named "vertex_ai", as LiteLLM names them:
//
//	vertex_ai/gemini-2.5-pro                 Gemini, through package gemini's codec
//	vertex_ai/gemini-2.5-flash
//	vertex_ai/claude-sonnet-4-5@20250929     Claude, through package anthropic's codec
//	vertex_ai/claude-opus-4-1@20250805
//	vertex_ai/text-embedding-005             embeddings (predict)
//	vertex_ai/gemini-embedding-001
//
// A model whose name starts with "claude" goes to the Anthropic codec;
// every other model to the Gemini codec. LiteLLM's other prefix,
// "vertex_ai_beta/", is served too ([Provider.Prefixes]); bare names are
// not claimed, since "gemini-2.5-pro" and "claude-sonnet-4-5" are also
// the Gemini API's and Anthropic's.
//
// Quick start:
//
//	c, err := llmux.New(llmux.WithProvider(vertex.New(
//		vertex.WithProject("my-project"),          // or VERTEXAI_PROJECT, or the key's project_id
//		vertex.WithLocation("us-east5"),           // or VERTEXAI_LOCATION; default us-central1
//		vertex.WithCredentialsFile("sa-key.json"), // or GOOGLE_APPLICATION_CREDENTIALS, or ADC
//	)))
//	resp, err := c.Completion(ctx, &llmux.Request{Model: "vertex_ai/claude-sonnet-4-5@20250929", Messages: msgs})
//
// # Credentials
//
// Calls carry an OAuth access token ("Authorization: Bearer ...", scope
// cloud-platform) obtained with golang.org/x/oauth2/google from, in
// order: the request's vertex_credentials setting; [WithTokenSource];
// [WithCredentialsJSON] / [WithCredentialsFile]; the VERTEXAI_CREDENTIALS
// or VERTEX_CREDENTIALS environment variable (the JSON itself or a file
// path); the file GOOGLE_APPLICATION_CREDENTIALS names; else Application
// Default Credentials (gcloud's application_default_credentials.json, or
// the metadata server on Google Cloud). The provider's own credentials
// (options, environment) may be of any type Google's library knows,
// workload identity federation included. A request's vertex_credentials,
// which may come from a client, must be a service account key or gcloud
// user credentials whose token_uri is Google's token endpoint and whose
// universe_domain is googleapis.com: other types can run commands or read
// files they name, and another token endpoint would have the gateway post
// the key's signed grant there. Errors never repeat a credential or a
// token endpoint's answer. A request's api_key, when set, is used as the
// access token itself.
//
// Tokens are cached per credential and reused until they expire: one
// token fetch per credential and hour, not per request. A refused grant,
// a missing file or unusable credentials fail the call with
// CodeAuthentication before anything is sent; the message says why, never
// with the key. A token endpoint that is down (5xx, 429, unreachable)
// fails it with CodeServer, CodeRateLimited or CodeConnection, which the
// client retries; the retry fetches the token again. The token is masked in events and scrubbed from
// everything a call reports, like an API key.
//
// # Settings
//
// Project: the request's vertex_project, else [WithProject], else
// VERTEXAI_PROJECT / VERTEX_PROJECT, else the credentials' project_id.
// Location: the request's vertex_location, else [WithLocation], else
// VERTEXAI_LOCATION / VERTEX_LOCATION, else [DefaultLocation]
// (us-central1); "global" uses the host aiplatform.googleapis.com, any
// other location {location}-aiplatform.googleapis.com (a location must be
// lowercase letters, digits and dashes). Base URL: the
// request's api_base, else [WithBaseURL], else VERTEXAI_API_BASE /
// VERTEX_API_BASE (see [WithBaseURL] for the forms it takes). The request
// settings are [llmux.Request.ProviderParams] entries, by LiteLLM's
// litellm_params names (vertex_project, vertex_location,
// vertex_credentials; the older vertex_ai_project, vertex_ai_location and
// vertex_ai_credentials too). The environment variables are read in
// [New], from [WithEnv]'s lookup (default os.Getenv).
//
// # Gemini models
//
//	POST https://{host}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent
//	POST .../models/{model}:streamGenerateContent?alt=sse
//
// The body, answers, streams, tools, usage and errors are package
// gemini's: see its documentation for what is supported.
//
// # Claude models
//
//	POST https://{host}/v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict
//	POST .../models/{model}:streamRawPredict
//
// The body is the Anthropic Messages API's without "model" and with
// "anthropic_version": "vertex-2023-10-16" first, and answers and streams
// are Anthropic's: see package anthropic for what is supported (tools,
// thinking, prompt caching, images and documents). The legacy Text
// Completions models (claude-2) are not on Vertex AI. Errors come in
// Anthropic's shape from the model and in Google's
// ({"error":{"code":429,"status":"RESOURCE_EXHAUSTED",...}}) from the
// platform; both are mapped: RESOURCE_EXHAUSTED is CodeRateLimited,
// UNAUTHENTICATED CodeAuthentication, PERMISSION_DENIED CodePermission,
// NOT_FOUND CodeNotFound, UNAVAILABLE (503) and 529 CodeOverloaded, an
// over-long prompt CodeContextLength. Errors name the provider
// "vertex_ai".
//
// # Embeddings
//
// Text embedding models (text-embedding-005,
// text-multilingual-embedding-002, gemini-embedding-001) are called with
// predict, all inputs in one call:
// {"instances":[{"content":...}],"parameters":{"outputDimensionality":N}}.
// dimensions becomes outputDimensionality, encoding_format "base64" is
// made from the floats, and the request's extra task_type, title and
// auto_truncate are sent. Usage is the sum of the token counts.
//
// # Not supported
//
// Text completions (llmux.Client.TextCompletion), Vertex AI's other
// partner models (Llama, Mistral, ...: "vertex_ai/meta/..."), tuned-model
// endpoints ("vertex_ai/{endpoint id}"), context caching (v1beta1),
// multimodal embeddings and the batch APIs.
//
// See https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference,
// https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude and
// https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api.
package vertex
