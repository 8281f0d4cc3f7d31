// Package tokenizer counts tokens offline, to estimate the usage of a call
// whose provider reported none (typically a stream without a usage chunk).
// The llmux client marks usage computed this way as estimated.
//
// Counts use OpenAI's BPE encodings from github.com/tiktoken-go/tokenizer,
// whose vocabularies are compiled into the binary: nothing is downloaded
// and no network is used. [Count] picks o200k_base or cl100k_base from the
// model name. Counts are exact for OpenAI models; for Anthropic, Gemini and
// other models, whose tokenizers are not public, cl100k_base gives an
// estimate that is usually within 10-20% of the real count.
//
// Count counts text only. Chat formats add a few tokens per message, which
// the caller adds with [MessageOverhead], [ReplyOverhead] and [NameOverhead]:
//
//	n := tokenizer.ReplyOverhead
//	for _, m := range msgs {
//		n += tokenizer.MessageOverhead + tokenizer.Count(model, m.Role) + tokenizer.Count(model, m.Content)
//		if m.Name != "" {
//			n += tokenizer.NameOverhead + tokenizer.Count(model, m.Name)
//		}
//	}
//
// Related: package cost turns token counts into a price.
package tokenizer
