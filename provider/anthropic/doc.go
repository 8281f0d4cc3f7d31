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
// System and developer messages become the top-level "system" string, tool
// calls and tool results become tool_use and tool_result blocks, and usage
// is reported the OpenAI way: prompt tokens include cache reads and cache
// writes. Retries, caching, cost and callbacks happen in the llmux client,
// never here.
//
// See https://docs.anthropic.com/en/api/messages and
// https://docs.anthropic.com/en/api/complete.
package anthropic
