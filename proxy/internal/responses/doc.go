// Package responses serves OpenAI's Responses API (POST /v1/responses) on
// the gateway's inbound side from any backend: it translates a Responses
// request into the chat-shaped [llmux.Request] the SDK calls, and the
// chat completion (or stream of chunks) that comes back into the
// Responses "response" object (or its server-sent events). It is what npm
// openai's client.responses.create and the Vercel AI SDK's default OpenAI
// model send. The functions are pure: no HTTP server, no I/O but the
// io.Writer a [StreamWriter] is given.
//
// A gateway handler does, in outline:
//
//	req, echo, err := responses.DecodeRequest(body)
//	if err != nil {
//		return err // *llmux.Error: 400, OpenAI's {"error":{...}} body
//	}
//	if !req.Stream {
//		resp, err := client.Completion(ctx, req)
//		if err != nil {
//			return err
//		}
//		out, err := responses.EncodeResponse(resp, echo)
//		... // 200, application/json, out
//	}
//	s, err := client.Stream(ctx, req) // an error here still chooses the status
//	if err != nil {
//		return err
//	}
//	defer s.Close()
//	... // 200, text/event-stream
//	sw := responses.NewStreamWriter(w, flusher.Flush, echo)
//	_ = sw.Start()
//	for s.Next() {
//		if err := sw.Chunk(s.Chunk()); err != nil {
//			return // the client went away
//		}
//	}
//	if err := s.Err(); err != nil {
//		_ = sw.Fail(err)
//		return
//	}
//	_ = sw.Finish(s.Response())
//
// [DecodeRequest] documents how each request member maps, and which are
// refused: the Responses API's stateful features (previous_response_id,
// conversation, stored prompts, item references, background mode) need
// stored responses, which the gateway does not keep, and its built-in
// tools (web search, file search, computer use, code interpreter, MCP)
// run on OpenAI's side. Clients must send earlier output items whole, not
// as item_reference (the Vercel AI SDK sends them whole by default; with
// providerOptions.openai.store set to true it refers to them).
//
// Errors of a request are the usual OpenAI error body,
// {"error":{"message","type","param","code"}}, which the gateway writes
// for chat requests too; an error during a stream is an "error" event
// followed by "response.failed" ([StreamWriter.Fail]).
//
// Passing a Responses request through to an OpenAI upstream untouched is
// not this package's job.
//
// See [github.com/llmux/llmux/provider/openai] for the chat wire format the
// gateway's other endpoint speaks.
package responses
