package llmux

import "github.com/llmux/llmux/tokenizer"

// estimateUsage counts tokens with the offline tokenizer when a provider
// reported none (the legacy Anthropic API, streams without usage). The
// result is marked Estimated. For non-OpenAI models it is an estimate of
// the right order, not the provider's count.
func estimateUsage(model string, req *Request, resp *Response) Usage {
	u := Usage{Estimated: true}
	switch {
	case len(req.Messages) > 0:
		for _, m := range req.Messages {
			u.PromptTokens += tokenizer.MessageOverhead + tokenizer.Count(model, string(m.Role)) + tokenizer.Count(model, m.Text())
			if m.Name != "" {
				u.PromptTokens += tokenizer.NameOverhead + tokenizer.Count(model, m.Name)
			}
			for _, tc := range m.ToolCalls {
				u.PromptTokens += tokenizer.Count(model, tc.Function.Name) + tokenizer.Count(model, tc.Function.Arguments)
			}
		}
		u.PromptTokens += tokenizer.ReplyOverhead
	case req.Prompt != "":
		u.PromptTokens = tokenizer.Count(model, req.Prompt)
	}
	if resp != nil {
		for _, c := range resp.Choices {
			u.CompletionTokens += tokenizer.Count(model, c.Text) + tokenizer.Count(model, c.Message.Text())
			for _, tc := range c.Message.ToolCalls {
				u.CompletionTokens += tokenizer.Count(model, tc.Function.Name) + tokenizer.Count(model, tc.Function.Arguments)
			}
		}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}
