// Package anthropic is the llmux codec for Anthropic's Messages API
// (POST /v1/messages) and its legacy Text Completions API
// (POST /v1/complete, used for the claude-2 and claude-instant models).
//
// It translates OpenAI-shaped [llmux.Request] values into Anthropic's wire
// format and the answers, streams and errors back:
//
//	c, err := llmux.New(llmux.WithProvider(anthropic.New())) // key from ANTHROPIC_API_KEY
//	resp, err := c.Completion(ctx, &llmux.Request{
//		Model:    "anthropic/claude-sonnet-4-5",
//		Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hi")},
//	})
//
// Retries, caching, cost and callbacks happen in the llmux client, never
// here.
//
// # Parameters
//
// The provider is an [provider.ParamSupporter]: the client refuses, before
// any request, a parameter the API cannot take (CodeInvalidRequest naming
// it), unless the caller drops it (llmux.WithDropParams,
// Request.DropParams) or sends it anyway (Request.AllowedParams: typed
// fields are then written under their OpenAI names, Extra keys as they
// are). The Messages API maps:
//
//	OpenAI                  Messages API
//	temperature, top_p      temperature, top_p
//	max_completion_tokens   max_tokens (wins over max_tokens)
//	max_tokens              max_tokens (default WithDefaultMaxTokens, 4096: the API requires it)
//	stop                    stop_sequences
//	user                    metadata.user_id
//	n                       nothing: 1 is the only value; n > 1 fails with CodeUnsupported
//	tools                   tools (function tools: name, description, input_schema, cache_control, then
//	                        the tool's Extra members); a tool of another type but OpenAI's "custom" is
//	                        one of Anthropic's server tools (web_search_20250305...), sent as
//	                        {"type", "name"} with its Extra members and cache_control
//	tool_choice             tool_choice: auto, required -> any, none, function X -> {"type":"tool","name":X};
//	                        a raw Anthropic object passes verbatim; other raw forms fail
//	parallel_tool_calls v   tool_choice.disable_parallel_tool_use = !v ({"type":"auto"} if no tool_choice;
//	                        not added to "none", which takes no such flag)
//	reasoning_effort        thinking: none -> {"type":"disabled"}; minimal and low -> budget_tokens 1024,
//	                        medium 2048, high 4096, xhigh 8192 (LiteLLM's budgets, minimal raised to the
//	                        API's minimum); max_tokens is raised by the budget when the request sets none,
//	                        else the budget is lowered below it (an error under 1024). A "thinking" key
//	                        in Extra replaces the mapped one.
//	service_tier (Extra)    service_tier: auto and priority -> "auto", default -> "standard_only";
//	                        flex and scale fail naming service_tier
//
// It refuses seed, presence_penalty, frequency_penalty, logprobs,
// top_logprobs, response_format, logit_bias, dimensions, encoding_format
// and the OpenAI-only Extra keys: metadata (OpenAI's stored-completions
// metadata, not Anthropic's; allow it to send an Anthropic metadata object
// verbatim), store, modalities, audio, prediction, web_search_options,
// verbosity, prompt_cache_key, safety_identifier, functions, function_call,
// best_of, echo and suffix. Other Extra keys (top_k, thinking, container,
// mcp_servers...) are Anthropic's own and always sent.
//
// The legacy Text Completions API takes temperature, top_p, max_tokens and
// max_completion_tokens (both as max_tokens_to_sample, default 256), stop
// (stop_sequences), user (metadata.user_id) and n = 1, and refuses the
// rest; Extra keys such as top_k are sent.
//
// # Messages
//
// System and developer messages become the top-level "system": one string,
// or an array of text blocks when one of them has parts or carries
// cache_control. Tool calls and tool results become tool_use and
// tool_result blocks (a tool message's parts become the result's content
// blocks), and consecutive messages of the same role are merged, since
// turns must alternate. Content parts map as follows: text to text blocks
// (with the part's Extra members, such as citations), image_url
// (http(s) or base64 data URL) to image blocks, file with file_data to a
// base64 document (application/pdf), a text document (text/plain) or an
// image block (image/*), file with file_id to a document whose source is
// that uploaded file (an Anthropic Files API id; the Files API beta header
// is added), the filename to the document's title. input_audio is refused
// with CodeInvalidRequest.
//
// Anthropic's own blocks: a part whose type is one of Anthropic's block
// types rather than OpenAI's (image, document, search_result,
// server_tool_use, mcp_tool_use, mcp_tool_result, container_upload, any
// *_tool_result) is sent as that block, {"type"} with the part's Extra
// members and cache_control; one whose source is a file adds the Files
// API beta header. From a tool call's Extra, cache_control and caller are
// sent on its tool_use block (other members, which another provider's
// answer may have left there, are not); from a tool message's Extra,
// is_error. This is what a gateway taking Anthropic's own request format
// (proxy/internal/messages) relies on to pass requests through losslessly.
//
// Prompt caching: the cache_control of a message goes on its last block (a
// string content becomes one text block), that of a part on the part's
// block, that of a tool on the tool.
//
// Extended thinking: thinking and redacted_thinking blocks of an answer
// become Message.ThinkingBlocks, with signatures and data, and their texts,
// joined, Message.ReasoningContent. In streams, thinking text comes in
// Delta.ReasoningContent, each block's closing signature as
// Delta.ThinkingBlocks [{Type: "thinking", Signature}], a redacted block as
// [{Type: "redacted_thinking", Data}]. An assistant message sent back with
// ThinkingBlocks carries them first, before its text and tool_use blocks,
// as the API requires for thinking with tool use; ReasoningContent alone
// (unsigned) is not sent.
//
// # Answers
//
// Usage is reported the OpenAI way: prompt tokens include cache reads and
// cache writes. Response.Raw is the upstream body; in streams, the chunks
// of message_start and message_delta keep their event's data in
// Chunk.Raw, so what the OpenAI shape cannot carry (stop_sequence,
// pause_turn, the usage's details) stays readable. A 200 body that is not a message ("type":"message" with a
// content array), or for the legacy API not a completion, is
// CodeBadResponse, and so is a stream with an undecodable event, an event
// over the 1 MiB SSE cap, or a body whose Content-Encoding is a lie.
//
// # Other platforms
//
// [WithEndpoint] and [WithBodyVersion] let a platform serving Anthropic's
// models with its own URLs and auth reuse this codec: the endpoint gives
// the URL, headers and secret of each call, and the body carries
// "anthropic_version" instead of "model". Package vertex uses them for
// Claude on Vertex AI.
//
// See https://docs.anthropic.com/en/api/messages and
// https://docs.anthropic.com/en/api/complete.
package anthropic
