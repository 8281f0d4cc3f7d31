// Package messages translates Anthropic's Messages API
// (POST /v1/messages) to and from llmux's one call path, so the gateway
// can serve Anthropic's clients (@anthropic-ai/sdk, anthropic-sdk-go,
// Claude Code) from any backend model. It is pure translation: no HTTP
// server, no I/O but the writer a [StreamWriter] is given.
//
//	req, err := messages.DecodeRequest(body) // 400 via EncodeError on error
//	if req.Stream {
//		s, err := client.Stream(ctx, req)    // error: EncodeError, nothing written yet
//		sw := messages.NewStreamWriter(w, flusher.Flush, req.Model)
//		for s.Next() {
//			if err := sw.Chunk(s.Chunk()); err != nil { ... }
//		}
//		if err := s.Err(); err != nil {
//			sw.Fail(err) // in-band error event
//		} else {
//			sw.Finish(s.Response())
//		}
//	} else {
//		resp, err := client.Completion(ctx, req)
//		body, err := messages.EncodeResponse(resp, model)
//	}
//
// The package lives under proxy/internal: the gateway (package proxy) is
// its one user. See provider/anthropic for the other direction.
//
// # Requests
//
// [DecodeRequest] maps a Messages API body onto llmux's OpenAI-shaped
// [llmux.Request] so that every provider understands it, and keeps what
// only Anthropic understands in the Extra maps under Anthropic's names,
// where provider/anthropic finds it. For an Anthropic backend the round
// trip is lossless: body -> DecodeRequest -> provider/anthropic's request
// body is JSON-equal to the body (the model name aside), but for the
// forms listed under "What does not round-trip".
//
//	Messages API                        llmux.Request
//	model, max_tokens                   Model, MaxTokens
//	temperature, top_p, stream          Temperature, TopP, Stream
//	stop_sequences                      Stop
//	metadata {"user_id": u}             User = u; any other metadata: Extra["metadata"], verbatim, and
//	                                    AllowedParams ["metadata"] (the client refuses OpenAI's metadata
//	                                    for Anthropic unless allowed)
//	system: string                      a system message
//	system: text blocks                 one system message, a text part per block (cache_control,
//	                                    citations... kept on the part)
//	messages[].role user                a user message; each tool_result block becomes a tool message in
//	                                    its place (ToolCallID, content string or blocks as parts,
//	                                    cache_control; is_error in the message's Extra)
//	messages[].role assistant           an assistant message: thinking and redacted_thinking blocks ->
//	                                    ThinkingBlocks, tool_use -> ToolCalls (input compacted as the
//	                                    arguments; cache_control and other members in the call's
//	                                    Extra), the other blocks -> Parts in order
//	text block                          a text part (cache_control; citations and others in Extra)
//	image, base64 or http(s) url        an image_url part (a data: URL for base64)
//	document, base64 PDF or plain text  a file part (file_data as a data: URL; the title as filename)
//	document, file source               a file part with file_id (the Files API beta header is added)
//	any other image or document,        a part of the block's type with its members in Extra, sent back
//	search_result, server_tool_use,     as the same block by provider/anthropic
//	*_tool_result, mcp_tool_use...
//	tools[] (no type or "custom")       function tools: name, description, input_schema -> Parameters,
//	                                    cache_control; other members in the tool's Extra
//	tools[] of another type             the tool of that type (web_search_20250305, bash_20250124...)
//	                                    named by its name, other members in Extra; provider/anthropic
//	                                    sends it as it came
//	tool_choice auto, any, none         ToolChoice mode auto, required, none
//	tool_choice tool {name}             ToolChoice function name
//	disable_parallel_tool_use b         ParallelToolCalls = !b
//	any other tool_choice shape         ToolChoice.Raw, verbatim
//	thinking, top_k, service_tier,      Extra, verbatim (provider/anthropic sends them as they are)
//	container, mcp_servers, any other
//
// A member that is not valid JSON of the expected type, an unknown block
// type, a block in the wrong role, or a top-level member named like one
// of llmux's OpenAI members that the Messages API does not have (seed, n,
// user...) is an error naming its path, which [EncodeError] answers with
// 400 invalid_request_error. max_tokens may be missing: the backend's
// default applies.
//
// For a non-Anthropic backend the Extra members travel as the OpenAI
// codec sends every Extra member: the gateway should drop (or refuse)
// Anthropic-only parameters such as thinking and top_k for such backends
// (llmux.WithDropParams does not cover Extra keys).
//
// # What does not round-trip
//
// Through provider/anthropic, these come back in an equivalent form
// rather than as they came: a final assistant turn's trailing whitespace
// is trimmed (the API rejects it); consecutive turns of one role are
// merged (as the API itself does); assistant blocks are reordered to
// thinking, then text and other blocks, then tool_use (the order the API
// produces); "stream": false and empty stop_sequences are left out;
// "type": "custom" on a client tool is left out (it is the default);
// members that are null, or empty strings the API would reject (a
// tool_result's content "", a tool's description "") are left out;
// unknown members of thinking blocks, and of tool_use blocks other than
// cache_control and caller, are dropped (a tool call from another
// provider's answer may carry its own); a missing max_tokens becomes
// provider/anthropic's default. A tool without a name (the MCP
// connector's mcp_toolset) is refused: llmux's tools are named.
//
// # Responses
//
// [EncodeResponse] writes a chat completion as a message object; its
// documentation gives the mapping. Through provider/anthropic an
// Anthropic upstream's answer loses what OpenAI's shape has no room for
// (citations, server tool blocks, several text blocks, stop_sequence,
// pause_turn, the usage's cache_creation, server_tool_use and
// service_tier); EncodeResponse takes those back from Response.Raw, the
// upstream body, when the response still says what it said. So the
// canonical message and tool-use answers come back byte-for-byte but for
// the model. A cache hit has no Raw: it comes back in the mapped form.
//
// # Streams
//
// A [StreamWriter] writes the events. Through provider/anthropic, whose
// chunks of message_start and message_delta keep their event in
// Chunk.Raw, an Anthropic upstream's stream comes back with the same
// events, indices, deltas, stop reason, stop sequence and usage, but for
// pings, empty deltas (an input_json_delta of "") and the blocks
// provider/anthropic does not turn into chunks (server tool blocks,
// citations_delta). From an OpenAI-shaped stream, the input usage is
// known only at the end: message_start says 0 and message_delta carries
// every count.
//
// # Errors
//
// [EncodeError] and [ErrorStatus] give Anthropic's error shape and the
// status for every llmux code; [StreamWriter.Fail] writes the same as an
// in-band error event once the stream has started.
package messages
