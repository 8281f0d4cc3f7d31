// Package bedrock is the llmux codec for AWS Bedrock's Converse and
// ConverseStream APIs (POST /model/{modelId}/converse and
// /converse-stream), which serve every Bedrock chat model (Anthropic
// Claude, Amazon Nova, Meta Llama, Mistral, Cohere Command...) in one
// format, and for embeddings through InvokeModel (Amazon Titan and
// Cohere).
//
//	c, err := llmux.New(llmux.WithProvider(bedrock.New())) // AWS default credential chain, AWS_REGION
//	resp, err := c.Completion(ctx, &llmux.Request{
//		Model:    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
//		Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hi")},
//	})
//
// Retries, caching, cost and callbacks happen in the llmux client, never
// here.
//
// # Model names
//
// Models are named as LiteLLM names them: "bedrock/<model id>", such as
// bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0,
// bedrock/amazon.nova-pro-v1:0, bedrock/meta.llama3-1-70b-instruct-v1:0,
// cross-region inference profiles such as
// bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0, and inference
// profile or provisioned model ARNs
// (bedrock/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc).
// LiteLLM's route forms bedrock/converse/<model id> and
// bedrock/invoke/<model id> are accepted; both are sent to Converse. The
// model id is escaped as one path segment (":" as %3A, an ARN's "/" as
// %2F), as the AWS SDK does. Bare model ids ("anthropic.claude-...",
// "us.amazon.nova-pro-v1:0", Bedrock ARNs) are claimed by the provider
// ([Provider.ClaimModel]): their "<vendor>." form is Bedrock's own.
//
// # Credentials, region and endpoint
//
// Requests are signed with AWS Signature Version 4 (service "bedrock",
// the AWS SDK's signer), or carry a Bedrock API key as a bearer token.
// For each request the first of these that is set is used:
//
//  1. the request's ProviderParams aws_access_key_id and
//     aws_secret_access_key (with aws_session_token): LiteLLM's
//     litellm_params;
//  2. the request's API key (api_key), as a Bedrock API key;
//  3. the request's ProviderParams aws_profile_name: that profile of the
//     shared config and credentials files;
//  4. [WithCredentials] or [WithStaticCredentials];
//  5. [WithAPIKey], default AWS_BEARER_TOKEN_BEDROCK: a Bedrock API key
//     (Authorization: Bearer, no signature);
//  6. the AWS default credential chain, of [WithProfile] or AWS_PROFILE:
//     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the
//     shared files (~/.aws/credentials, ~/.aws/config: static keys, SSO,
//     assume-role, credential_process), web identity tokens, container
//     and EC2 instance roles. It is loaded by the AWS SDK's
//     config.LoadDefaultConfig on the first request that needs it (once
//     per profile) and its credentials are cached and refreshed before
//     they expire.
//
// With no credentials anywhere, a call fails before anything is sent
// with CodeAuthentication, naming the variables to set. The region is,
// first found: ProviderParams aws_region_name, [WithRegion], AWS_REGION,
// AWS_DEFAULT_REGION, AWS_REGION_NAME (LiteLLM's), the region of an ARN
// model id, the profile's region, else [DefaultRegion] (us-west-2, as in
// LiteLLM). The endpoint is ProviderParams aws_bedrock_runtime_endpoint,
// the request's api_base, [WithBaseURL] (default
// AWS_BEDROCK_RUNTIME_ENDPOINT), else
// https://bedrock-runtime.{region}.amazonaws.com.
//
// Secrets: the key a request reports (masked in events, scrubbed from
// everything) is the access key id or the bearer token. The secret access
// key is never sent, only the signature made with it. The session token
// travels in X-Amz-Security-Token, whose value events mask by its name and
// the client scrubs everywhere else; per-request aws_secret_access_key and
// aws_session_token values are scrubbed by the client as secret
// ProviderParams.
//
// Environment variables read in [New] (through [WithEnv], default
// os.Getenv): AWS_REGION, AWS_DEFAULT_REGION, AWS_REGION_NAME,
// AWS_BEARER_TOKEN_BEDROCK, AWS_BEDROCK_RUNTIME_ENDPOINT.
// The default chain reads its own (AWS_ACCESS_KEY_ID, AWS_PROFILE,
// AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE...) when it is first
// loaded.
//
// ProviderParams aws_role_name assumes that role with STS AssumeRole
// (aws_session_name, default "llmux-bedrock"; aws_external_id;
// aws_sts_endpoint for a private or regional STS endpoint), using the
// credentials found as above (bearer tokens skipped); the role's
// credentials are cached and renewed before they expire. Not supported:
// LiteLLM's aws_web_identity_token (configure web identity in the
// profile or environment instead, which the default chain reads).
//
// # Parameters
//
// The provider is a [provider.ParamSupporter]. Converse maps:
//
//	OpenAI                  Converse
//	max_completion_tokens   inferenceConfig.maxTokens (wins over max_tokens)
//	max_tokens              inferenceConfig.maxTokens (unset: the model's default)
//	temperature, top_p      inferenceConfig.temperature, topP
//	stop                    inferenceConfig.stopSequences
//	n                       nothing: 1 is the only value; n > 1 fails with CodeUnsupported
//	tools                   toolConfig.tools[].toolSpec {name, description, inputSchema.json}; a tool's
//	                        cache_control adds a cachePoint after it; only function tools
//	tool_choice             toolConfig.toolChoice: auto -> {"auto":{}}, required -> {"any":{}},
//	                        function X -> {"tool":{"name":X}}, a raw object verbatim; "none" fails
//	reasoning_effort        (Claude models only) additionalModelRequestFields.thinking
//	                        {"type":"enabled","budget_tokens"}: minimal and low 1024, medium 2048,
//	                        high 4096, xhigh 8192; maxTokens is budget + 4096 when unset, else the
//	                        budget is lowered below it (an error under 1024)
//	response_format         json_object or json_schema: a tool "json_tool_call" whose inputSchema is the
//	                        schema ({"type":"object"} for json_object), forced unless the request has
//	                        tools of its own; the call's input comes back as the message content (streamed
//	                        as content deltas) with finish_reason "stop", as LiteLLM does; "text" sends
//	                        nothing
//
// It refuses seed, logprobs, top_logprobs, penalties,
// logit_bias, user and parallel_tool_calls. The request's Extra keys
// guardrailConfig, performanceConfig, promptVariables, requestMetadata,
// serviceTier and additionalModelResponseFieldPaths are Converse's own
// top-level members, sent as they are; additionalModelRequestFields (an
// object) is merged into the model's native fields; top_k goes there as
// "top_k", or for Amazon Nova as inferenceConfig.topK; every other Extra
// key goes into additionalModelRequestFields too (anthropic_beta, ...), as
// LiteLLM does.
//
// # Messages
//
// System and developer messages become "system" text blocks. User content
// becomes text blocks, image blocks (base64 data URLs with png, jpeg, gif
// or webp, or s3:// URLs; Converse cannot fetch http(s) URLs), and file
// parts with file_data become images or documents (pdf, csv, doc, docx,
// xls, xlsx, html, txt, md; the filename, cleaned to Bedrock's allowed
// characters, names it). Assistant tool calls become toolUse blocks
// (arguments must be a JSON object), tool messages toolResult blocks in a
// user turn (status "error" when the message's Extra has is_error: true),
// and consecutive messages of the same role are merged, since turns must
// alternate; empty texts and empty messages are dropped and a final
// assistant turn loses its trailing whitespace. Signed thinking blocks of
// an assistant message are sent back first as reasoningContent
// (reasoningText with its signature, or redactedContent). cache_control on
// a message or a part adds a cachePoint block after it. input_audio and
// file ids are refused.
//
// # Answers
//
// Text blocks are joined into the message content, toolUse blocks become
// tool calls, reasoningContent becomes ReasoningContent and
// ThinkingBlocks (Anthropic's form, so they go back unchanged). stopReason
// maps end_turn and stop_sequence to "stop", max_tokens and
// model_context_window_exceeded to "length", tool_use to "tool_calls",
// guardrail_intervened and content_filtered to "content_filter". Usage:
// inputTokens plus cacheReadInputTokens and cacheWriteInputTokens are the
// prompt tokens (OpenAI counts cached tokens in the prompt), the cache
// reads are CachedTokens, the cache writes CacheCreationTokens. Converse
// answers carry no id: one is made ("chatcmpl-<uuid>"). Response.Raw is
// the upstream body.
//
// Streams are binary AWS event streams (application/vnd.amazon.eventstream),
// decoded with the AWS SDK's eventstream package: messageStart gives the
// role, contentBlockStart a tool call's id and name, contentBlockDelta
// text, tool input JSON pieces or reasoning (text, then the signature as
// ThinkingBlocks; redacted content as redacted_thinking), messageStop the
// finish reason (its payload in Chunk.Raw), and metadata the usage, on
// the last chunk. Exception frames (throttlingException,
// modelStreamErrorException, validationException,
// serviceUnavailableException...) and error frames end the stream with
// the mapped *llmux.Error; a body that ends inside a frame or before
// messageStop is CodeConnection, a frame whose checksum or length is
// wrong CodeBadResponse.
//
// # Errors
//
// The x-amzn-ErrorType header (or the body's __type) names the error:
// ThrottlingException and ServiceQuotaExceededException are
// CodeRateLimited (Retry-After honoured), ValidationException is
// CodeInvalidRequest or, when its message says the input is too long, has
// too many tokens or exceeds the context, CodeContextLength;
// AccessDeniedException is CodePermission; UnrecognizedClientException,
// ExpiredTokenException and signature errors are CodeAuthentication;
// ResourceNotFoundException CodeNotFound; ServiceUnavailableException and
// ModelNotReadyException CodeOverloaded; ModelTimeoutException
// CodeTimeout; InternalServerException, ModelErrorException and
// ModelStreamErrorException CodeServer.
//
// # Embeddings
//
// [Provider.Embedding] calls InvokeModel (POST /model/{modelId}/invoke):
// Amazon Titan text models take one input per request ({"inputText"};
// dimensions for v2, Extra normalize), Cohere models up to 96
// ({"texts","input_type"}; input_type defaults to search_document, Extra
// input_type and truncate; dimensions as output_dimension for embed v4).
// encoding_format base64 is made here from the floats. Other embedding
// models (Titan multimodal, Nova multimodal) are CodeUnsupported.
//
// See https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// and https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html.
package bedrock
