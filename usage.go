package llmux

import (
	"encoding/json"

	"github.com/llmux/llmux/internal/jsonx"
)

// Usage counts tokens. PromptTokens includes cached and cache-creation
// tokens; CompletionTokens includes reasoning tokens.
//
// Its JSON is OpenAI's usage object: CachedTokens and AudioPromptTokens
// live in prompt_tokens_details, ReasoningTokens, AudioCompletionTokens and
// the prediction counts in completion_tokens_details; CacheCreationTokens is
// LiteLLM's cache_creation_input_tokens, and a usage built in Go also
// writes CachedTokens as cache_read_input_tokens, as LiteLLM does. Members
// it does not model are kept in Extra (top level), PromptDetailsExtra and
// CompletionDetailsExtra; a decoded usage is written back as it came.
type Usage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	CachedTokens        int `json:"cache_read_input_tokens,omitempty"`     // prompt tokens read from the provider's prompt cache
	CacheCreationTokens int `json:"cache_creation_input_tokens,omitempty"` // prompt tokens written to the provider's prompt cache
	ReasoningTokens     int `json:"reasoning_tokens,omitempty"`
	// AudioPromptTokens and AudioCompletionTokens count audio tokens.
	AudioPromptTokens     int `json:"audio_prompt_tokens,omitempty"`
	AudioCompletionTokens int `json:"audio_completion_tokens,omitempty"`
	// AcceptedPredictionTokens and RejectedPredictionTokens count tokens of
	// a predicted output (OpenAI's prediction parameter).
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens,omitempty"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens,omitempty"`
	// Estimated is set when the provider reported no usage and the tokens
	// were counted with the offline tokenizer (written as "estimated").
	Estimated bool `json:"estimated,omitempty"`

	Extra                  map[string]json.RawMessage `json:"-"`
	PromptDetailsExtra     map[string]json.RawMessage `json:"-"`
	CompletionDetailsExtra map[string]json.RawMessage `json:"-"`

	seen, pseen, cseen jsonx.Seen
}

const (
	uPrompt uint = iota
	uCompletion
	uTotal
	uPromptDetails
	uCompletionDetails
	uCacheCreation
	uCacheRead
	uEstimated
)

var usageMembers = names("prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details",
	"completion_tokens_details", "cache_creation_input_tokens", "cache_read_input_tokens", "estimated")

var promptDetailsMembers = names("cached_tokens", "audio_tokens")

var completionDetailsMembers = names("reasoning_tokens", "audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens")

// IsZero reports whether no token was counted.
func (u Usage) IsZero() bool {
	return u.PromptTokens == 0 && u.CompletionTokens == 0 && u.TotalTokens == 0
}

// MarshalJSON encodes the usage in OpenAI's shape.
func (u Usage) MarshalJSON() ([]byte, error) { return jsonx.Encode(320, u.encode) }

// AppendJSON appends the usage's JSON ([Usage.MarshalJSON]) to b, for
// encoders that reuse a buffer.
func (u *Usage) AppendJSON(b []byte) ([]byte, error) {
	e := jsonx.Enc{B: b} // not jsonx.Append: a func value would move e to the heap
	u.encode(&e)
	return e.B, e.Err
}

// UnmarshalJSON decodes OpenAI's usage object, and LiteLLM's
// cache_creation_input_tokens and cache_read_input_tokens.
func (u *Usage) UnmarshalJSON(b []byte) error {
	*u = Usage{}
	return wrapJSON("usage", jsonx.Decode(b, u.decode))
}

func (u *Usage) encode(e *jsonx.Enc) {
	s := u.seen
	e.Open()
	e.WInt(s, uPrompt, "prompt_tokens", int64(u.PromptTokens), true)
	e.WInt(s, uCompletion, "completion_tokens", int64(u.CompletionTokens), true)
	e.WInt(s, uTotal, "total_tokens", int64(u.TotalTokens), true)
	// A decoded usage writes cached tokens where they came from; one built
	// in Go writes them in both places, as LiteLLM does.
	cachedInDetails := u.CachedTokens != 0 && (!s.Decoded || u.pseen.Present.Has(0) || !s.Present.Has(uCacheRead))
	if s.Emit(uPromptDetails, cachedInDetails || u.AudioPromptTokens != 0 || len(u.PromptDetailsExtra) > 0, false) {
		e.Name("prompt_tokens_details")
		if s.WasNull(uPromptDetails) && !cachedInDetails && u.AudioPromptTokens == 0 && len(u.PromptDetailsExtra) == 0 {
			e.Null()
		} else {
			p := u.pseen
			e.Open()
			if cachedInDetails || p.Present.Has(0) || !p.Decoded {
				e.Name("cached_tokens")
				e.Int(int64(u.CachedTokens))
			}
			e.WInt(p, 1, "audio_tokens", int64(u.AudioPromptTokens), false)
			e.Extra(u.PromptDetailsExtra, promptDetailsMembers)
			e.Close()
		}
	}
	anyCompletion := u.ReasoningTokens != 0 || u.AudioCompletionTokens != 0 || u.AcceptedPredictionTokens != 0 ||
		u.RejectedPredictionTokens != 0 || len(u.CompletionDetailsExtra) > 0
	if s.Emit(uCompletionDetails, anyCompletion, false) {
		e.Name("completion_tokens_details")
		if s.WasNull(uCompletionDetails) && !anyCompletion {
			e.Null()
		} else {
			c := u.cseen
			e.Open()
			e.WInt(c, 0, "reasoning_tokens", int64(u.ReasoningTokens), true)
			e.WInt(c, 1, "audio_tokens", int64(u.AudioCompletionTokens), false)
			e.WInt(c, 2, "accepted_prediction_tokens", int64(u.AcceptedPredictionTokens), false)
			e.WInt(c, 3, "rejected_prediction_tokens", int64(u.RejectedPredictionTokens), false)
			e.Extra(u.CompletionDetailsExtra, completionDetailsMembers)
			e.Close()
		}
	}
	e.WInt(s, uCacheCreation, "cache_creation_input_tokens", int64(u.CacheCreationTokens), false)
	if s.Decoded {
		if s.Present.Has(uCacheRead) {
			e.WInt(s, uCacheRead, "cache_read_input_tokens", int64(u.CachedTokens), false)
		}
	} else {
		e.WInt(s, uCacheRead, "cache_read_input_tokens", int64(u.CachedTokens), false)
	}
	e.WBool(s, uEstimated, "estimated", u.Estimated)
	e.Extra(u.Extra, usageMembers)
	e.Close()
}

func (u *Usage) decode(r *jsonx.R) {
	if !r.Object() {
		return
	}
	s := &u.seen
	s.Decoded = true
	var cacheRead int
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "prompt_tokens":
			u.PromptTokens = int(r.Int(s, uPrompt))
		case "completion_tokens":
			u.CompletionTokens = int(r.Int(s, uCompletion))
		case "total_tokens":
			u.TotalTokens = int(r.Int(s, uTotal))
		case "prompt_tokens_details":
			if !r.Object() {
				s.Mark(uPromptDetails, true)
				continue
			}
			s.Mark(uPromptDetails, false)
			p := &u.pseen
			p.Decoded = true
			for r.More() {
				n := r.Name()
				switch n.String() {
				case "cached_tokens":
					if v := int(r.Int(p, 0)); v != 0 {
						u.CachedTokens = v
					}
				case "audio_tokens":
					u.AudioPromptTokens = int(r.Int(p, 1))
				default:
					r.Extra(&u.PromptDetailsExtra, n.String())
				}
			}
			r.End()
		case "completion_tokens_details":
			if !r.Object() {
				s.Mark(uCompletionDetails, true)
				continue
			}
			s.Mark(uCompletionDetails, false)
			c := &u.cseen
			c.Decoded = true
			for r.More() {
				n := r.Name()
				switch n.String() {
				case "reasoning_tokens":
					u.ReasoningTokens = int(r.Int(c, 0))
				case "audio_tokens":
					u.AudioCompletionTokens = int(r.Int(c, 1))
				case "accepted_prediction_tokens":
					u.AcceptedPredictionTokens = int(r.Int(c, 2))
				case "rejected_prediction_tokens":
					u.RejectedPredictionTokens = int(r.Int(c, 3))
				default:
					r.Extra(&u.CompletionDetailsExtra, n.String())
				}
			}
			r.End()
		case "cache_creation_input_tokens":
			u.CacheCreationTokens = int(r.Int(s, uCacheCreation))
		case "cache_read_input_tokens":
			cacheRead = int(r.Int(s, uCacheRead))
		case "estimated":
			u.Estimated = r.Bool(s, uEstimated)
		default:
			r.Extra(&u.Extra, n.String())
		}
	}
	r.End()
	if u.CachedTokens == 0 {
		u.CachedTokens = cacheRead
	}
}

// Equal reports whether u and v count the same tokens and carry the same
// extra members. Unlike ==, which Usage does not support, it ignores how
// each was written in JSON.
func (u Usage) Equal(v Usage) bool {
	return u.PromptTokens == v.PromptTokens && u.CompletionTokens == v.CompletionTokens && u.TotalTokens == v.TotalTokens &&
		u.CachedTokens == v.CachedTokens && u.CacheCreationTokens == v.CacheCreationTokens && u.ReasoningTokens == v.ReasoningTokens &&
		u.AudioPromptTokens == v.AudioPromptTokens && u.AudioCompletionTokens == v.AudioCompletionTokens &&
		u.AcceptedPredictionTokens == v.AcceptedPredictionTokens && u.RejectedPredictionTokens == v.RejectedPredictionTokens &&
		u.Estimated == v.Estimated && sameRaw(u.Extra, v.Extra) && sameRaw(u.PromptDetailsExtra, v.PromptDetailsExtra) &&
		sameRaw(u.CompletionDetailsExtra, v.CompletionDetailsExtra)
}

func sameRaw(a, b map[string]json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || string(va) != string(vb) {
			return false
		}
	}
	return true
}
