// Package gemini is the llmux provider for the Google Gemini API
// (generativelanguage.googleapis.com, "Google AI Studio"): LiteLLM's
// "gemini/" models. It is a codec over the API's own format
// (generateContent), not its OpenAI-compatible endpoint, so thinking,
// safety feedback, cached-token counts and thought signatures are kept.
//
//	c, err := llmux.New(llmux.WithProvider(gemini.New())) // key from GOOGLE_API_KEY or GEMINI_API_KEY
//	resp, err := c.Completion(ctx, &llmux.Request{
//		Model:    "gemini/gemini-2.5-flash",
//		Messages: []llmux.Message{llmux.User("Hello")},
//	})
//
// # Model names
//
// "gemini/<model>" as LiteLLM writes them: gemini/gemini-2.5-flash,
// gemini/gemini-2.5-pro, gemini/gemini-2.0-flash, gemini/gemini-3-pro-preview;
// embeddings gemini/gemini-embedding-001, gemini/text-embedding-004. A
// model naming its collection (gemini/tunedModels/x) is used as is. Bare
// names are not claimed: LiteLLM sends a bare gemini-* to Vertex AI.
//
// # Configuration
//
//   - Key: [WithAPIKey], else GOOGLE_API_KEY, else GEMINI_API_KEY (the order
//     LiteLLM and Google's SDKs use), read once in [New]; a request's
//     APIKey (LiteLLM's api_key) overrides it. It is sent in the
//     x-goog-api-key header, never in the URL, reported masked in events
//     and scrubbed from errors. A call without a key fails with
//     CodeAuthentication before anything is sent.
//   - Base URL: [WithBaseURL], else GEMINI_API_BASE, else [DefaultBaseURL]
//     (https://generativelanguage.googleapis.com/v1beta); a request's
//     APIBase (api_base) overrides it. A base whose path does not end in
//     an API version gets "/v1beta", so LiteLLM's host-only
//     GEMINI_API_BASE works unchanged.
//   - [WithHeader] adds headers (X-Goog-User-Project...).
//
// # Requests
//
// POST {base}/models/{model}:generateContent, and
// :streamGenerateContent?alt=sse for streams.
//
//   - System and developer messages become systemInstruction; user turns
//     role "user", assistant turns role "model" (every content carries
//     its role); consecutive turns of one role are merged.
//   - Parts: text; image_url and file data URLs become inlineData; any
//     other URI (http(s), gs://, a Files API URI, YouTube) becomes fileData
//     with the MIME type from the part's "format" member or the URI's
//     extension; nothing is downloaded. input_audio becomes inlineData
//     audio/<format>.
//   - Assistant tool calls become functionCall parts (arguments parsed to
//     the args object); tool messages become functionResponse parts of a
//     user turn, named after the call they answer, with the content as the
//     response when it is a JSON object, else {"content": <text>}.
//   - tools become one tool of functionDeclarations, the parameters sent
//     as parametersJsonSchema (JSON Schema as is, no rewriting); a tool
//     that is not a function ({"googleSearch": {}}, {"codeExecution": {}},
//     as decoded from a request body) is sent as is. tool_choice becomes
//     toolConfig.functionCallingConfig: auto AUTO, none NONE, required ANY,
//     a function ANY with allowedFunctionNames.
//   - generationConfig: temperature, top_p topP, max_completion_tokens
//     (else max_tokens) maxOutputTokens, stop stopSequences, n
//     candidateCount, seed, presence_penalty, frequency_penalty, logprobs
//     responseLogprobs, top_logprobs logprobs; response_format json_object
//     responseMimeType application/json, json_schema that plus
//     responseJsonSchema; reasoning_effort thinkingConfig with
//     includeThoughts (budgets low 1024, medium 2048, high 4096, xhigh
//     8192, minimal the model's smallest, none 0; Gemini 3 models take
//     thinkingLevel low or high instead).
//   - Request.Extra: "generationConfig" (an object) is merged into the
//     generation config, its members winning (responseModalities,
//     thinkingConfig, mediaResolution...); "top_k" becomes topK;
//     "safety_settings" and "cached_content" become safetySettings and
//     cachedContent; any other key is a top-level member as is
//     (safetySettings, cachedContent, labels...).
//   - Not supported ([Provider.SupportsParam] says so, so the client
//     refuses or drops them): user, parallel_tool_calls, logit_bias and
//     other OpenAI-only parameters; reasoning_effort for models that do
//     not think (gemini-1.x, gemini-2.0, gemma); the function role; text
//     completions. An assistant message's reasoning_content and
//     thinking_blocks are not sent back: Gemini takes thought signatures,
//     which ride on the tool calls, not thought text.
//
// # Responses
//
// Each candidate is a choice: text parts joined into Content, thought
// parts into ReasoningContent, functionCall parts into tool calls with
// generated ids ("call_...") and JSON-string arguments. A thought
// signature is kept on its tool call both in
// provider_specific_fields.thought_signature and in the id after
// "__thought__" (as LiteLLM does), and is sent back with the call, as
// Gemini 3 requires. finishReason STOP is "stop" ("tool_calls" when the
// candidate called a function), MAX_TOKENS "length", SAFETY, RECITATION,
// BLOCKLIST, PROHIBITED_CONTENT, SPII and the image filters
// "content_filter". responseId and modelVersion become the response's ID
// and Model; logprobsResult is kept in the choice's Extra.
//
// usageMetadata becomes Usage: prompt tokens promptTokenCount (which
// includes the cached tokens) plus toolUsePromptTokenCount, completion
// tokens candidatesTokenCount plus thoughtsTokenCount, CachedTokens
// cachedContentTokenCount, ReasoningTokens thoughtsTokenCount, total
// totalTokenCount. Costs come from the price table's gemini/ entries.
//
// Safety: a response with promptFeedback.blockReason and no candidates
// (the prompt was blocked) is an error with CodeContentFiltered and the
// reason as Type, in streams too. A candidate stopped for SAFETY without
// content is a choice with empty content and finish_reason
// "content_filter", as LiteLLM returns it.
//
// Streams: each SSE event is a whole response with the next parts; each
// candidate's parts become one chunk, and a last chunk carries the usage.
// A body that ends before any finishReason is CodeConnection; an in-band
// {"error": ...} event is mapped like an HTTP error.
//
// # Errors
//
// Google's {"error": {"code", "message", "status", "details"}} is mapped
// by its status: INVALID_ARGUMENT CodeInvalidRequest (CodeContextLength
// when the message says the input exceeds the token limit,
// CodeAuthentication for "API key not valid" / API_KEY_INVALID),
// UNAUTHENTICATED CodeAuthentication, PERMISSION_DENIED CodePermission
// (CodeAuthentication when it is about the key), NOT_FOUND CodeNotFound,
// RESOURCE_EXHAUSTED CodeRateLimited with RetryAfter from Retry-After or
// else RetryInfo.retryDelay, UNAVAILABLE CodeOverloaded, DEADLINE_EXCEEDED
// CodeTimeout, INTERNAL CodeServer.
//
// # Embeddings
//
// One input is POST {base}/models/{model}:embedContent, several
// :batchEmbedContents. dimensions becomes outputDimensionality; Extra keys
// are members of each embed request ("task_type" becomes taskType,
// "title" passes); encoding_format "base64" encodes the returned floats.
//
// # Reusing the codec (Vertex AI)
//
// [WithEndpoint] replaces the base URL and API-key handling with an
// [Endpoint] that returns, for each request, the URL of the method
// ([MethodGenerate], [MethodStream], [MethodEmbed], [MethodBatchEmbed]),
// the headers to add (Authorization: Bearer ...) and the secret they carry
// (masked in events, scrubbed from errors). [WithName] sets the provider
// name and model prefix ("vertex_ai"). The bodies are the same; every
// content carries its role, as Vertex AI requires. With an Endpoint the
// model in the URL and body is the attempt's upstream model, no key is
// required, and an Endpoint error is the attempt's error as is when it is
// an *llmux.Error, else wrapped as CodeAuthentication.
package gemini
