package tokenizer

import (
	"strings"
	"sync"

	tiktoken "github.com/tiktoken-go/tokenizer"
)

// Encoding names a BPE encoding.
type Encoding string

// The encodings [Count] uses.
const (
	O200kBase  Encoding = "o200k_base"  // GPT-4o, GPT-4.1, GPT-5, o1/o3/o4
	Cl100kBase Encoding = "cl100k_base" // GPT-4, GPT-3.5, embeddings v2/v3; the fallback
)

// Per-message overhead of OpenAI's chat format, in tokens, as in OpenAI's
// cookbook ("How to count tokens with tiktoken") for GPT-3.5-turbo-0613 and
// later, GPT-4 and GPT-4o. Each message is wrapped as
// <|start|>{role}<|message|>{content}<|end|>.
const (
	// MessageOverhead is added once per message, on top of the tokens of
	// its role and content.
	MessageOverhead = 3
	// ReplyOverhead is added once per request: every reply is primed with
	// <|start|>assistant<|message|>.
	ReplyOverhead = 3
	// NameOverhead is added for a message that has a name, on top of the
	// tokens of the name.
	NameOverhead = 1
)

// codecs builds each encoding's codec once, on first use: building one
// fills a vocabulary map of 100k-200k entries (tens of ms and MB).
var codecs = map[Encoding]func() tiktoken.Codec{
	O200kBase:  sync.OnceValue(func() tiktoken.Codec { return must(tiktoken.Get(tiktoken.O200kBase)) }),
	Cl100kBase: sync.OnceValue(func() tiktoken.Codec { return must(tiktoken.Get(tiktoken.Cl100kBase)) }),
}

func must(c tiktoken.Codec, err error) tiktoken.Codec {
	if err != nil {
		panic("tokenizer: " + err.Error()) // only for an encoding the library lacks, a build defect
	}
	return c
}

// o200kPrefixes are the model name prefixes that use o200k_base, after any
// "provider/" prefix is removed.
var o200kPrefixes = []string{
	"gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "o1", "o3", "o4",
	"ft:gpt-4o", "ft:gpt-4.1",
}

// EncodingFor returns the encoding [Count] uses for model: o200k_base for
// GPT-4o, GPT-4.1, GPT-5 and the o-series, cl100k_base for everything else,
// including GPT-4, GPT-3.5 and non-OpenAI models. A "provider/" prefix
// ("openai/gpt-4o", "azure/gpt-4o") is ignored.
func EncodingFor(model string) Encoding {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	for _, p := range o200kPrefixes {
		if strings.HasPrefix(model, p) && (p[0] != 'o' || isOSeries(model, len(p))) {
			return O200kBase
		}
	}
	return Cl100kBase
}

// isOSeries reports whether an "o1"/"o3"/"o4" prefix of length n is a whole
// name part ("o1", "o3-mini"), not the start of another name ("o100").
func isOSeries(model string, n int) bool {
	return len(model) == n || model[n] == '-'
}

// Count returns the number of tokens in text with the encoding for model
// (see [EncodingFor]). It is exact for OpenAI models and an estimate for
// others. Count is safe for concurrent use. Special tokens such as
// <|endoftext|> are counted as ordinary text.
func Count(model, text string) int {
	return CountEncoding(EncodingFor(model), text)
}

// CountEncoding returns the number of tokens in text with encoding enc; an
// unknown encoding counts as cl100k_base.
func CountEncoding(enc Encoding, text string) int {
	if text == "" {
		return 0
	}
	codec, ok := codecs[enc]
	if !ok {
		codec = codecs[Cl100kBase]
	}
	n, err := codec().Count(text)
	if err != nil {
		// Only the strict UTF-8 mode, which we do not set, or a regexp
		// timeout, which is not configured, return an error. Estimate
		// rather than report nothing.
		return (len(text) + 3) / 4
	}
	return n
}
