package llmux

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/jsonx"
)

// Request is one call: a chat completion ([Client.Completion],
// [Client.Stream]), a text completion ([Client.TextCompletion], which reads
// Prompt) or an embedding ([Client.Embedding], which reads Input).
//
// Its fields come in two groups. The first is the request body, in
// OpenAI's shape: its JSON is the body of POST /v1/chat/completions,
// /v1/completions or /v1/embeddings. json.Unmarshal of such a body gives a
// Request whose json.Marshal is JSON-equal to the body: members it does not
// model (logit_bias, metadata, store, prediction, audio, modalities, ...)
// go to Extra, and nulls and zeros are kept. The second group are call
// options (keys, timeouts, retries, callbacks, middleware, cache controls,
// mocks, logging switches): they are never sent upstream and are not part
// of the JSON, so a body decoded from an untrusted client cannot set them.
//
// One struct holds both, rather than two, because that is how callers
// coming from LiteLLM write a call (completion(model, messages,
// api_key=..., mock_response=...)), and because middleware and loggers see
// the whole call in one value.
//
// Pointer fields are optional: nil means "not set, use the provider's
// default", which differs from zero.
type Request struct {
	// Model is "provider/model" (openai/gpt-4o, azure/<deployment>,
	// anthropic/claude-sonnet-4-5) or a bare name that a registered
	// provider claims (gpt-4o -> openai, claude-* -> anthropic).
	Model    string
	Messages []Message
	// Prompt is the text-completion prompt.
	Prompt string
	// Input holds the texts to embed.
	Input []string

	Temperature         *float64
	TopP                *float64
	MaxTokens           *int
	MaxCompletionTokens *int
	N                   *int
	// Stop holds the stop sequences (a single string on the wire is one
	// sequence, and is written back as a string).
	Stop              []string
	PresencePenalty   *float64
	FrequencyPenalty  *float64
	Seed              *int
	Logprobs          *bool
	TopLogprobs       *int
	Tools             []Tool
	ToolChoice        *ToolChoice
	ParallelToolCalls *bool
	// ResponseFormat is the raw JSON response_format object.
	ResponseFormat json.RawMessage
	// ReasoningEffort is "minimal", "low", "medium" or "high" (OpenAI's
	// reasoning models; providers with their own reasoning settings map
	// it).
	ReasoningEffort string
	// Dimensions and EncodingFormat ("float" or "base64") apply to embeddings.
	Dimensions     *int
	EncodingFormat string
	// User identifies the end user (OpenAI's "user").
	User string
	// Stream and StreamOptions are the body's stream and stream_options as
	// decoded. The call decides streaming, not this field: [Client.Stream]
	// streams and [Client.Completion] does not, and providers write the
	// stream members their API needs (OpenAI: stream_options.include_usage
	// added to StreamOptions). A gateway reads Stream to pick the method.
	Stream        bool
	StreamOptions json.RawMessage
	// Extra holds further body members, sent as top-level keys of the
	// provider's request body, so no parameter is ever lost. A key may not
	// name a member this type models ("model", "messages", "stream",
	// "temperature", ...): the call fails naming it.
	Extra map[string]json.RawMessage

	// Call options: not part of the body nor of the JSON.

	// Metadata travels with the call into every event; it never reaches
	// the provider.
	Metadata map[string]any
	// Tags are request tags, reported in the standard logging payload.
	Tags []string
	// TraceID groups calls; a new one is generated when empty.
	TraceID string

	// APIBase, APIKey and APIVersion override the provider's settings for
	// this request only.
	APIBase    string
	APIKey     string
	APIVersion string
	// ProviderParams are provider settings for this request only, by
	// LiteLLM's litellm_params names: "vertex_project",
	// "vertex_location", "vertex_credentials", "aws_region_name",
	// "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
	// "aws_profile_name"... Each provider reads the names it documents and
	// ignores the others. Values under names that look secret (key, token,
	// secret, credential, password) are scrubbed from everything the call
	// reports, as APIKey is; none reaches an event.
	ProviderParams map[string]string
	// Timeout bounds each attempt up to the response headers; 0 uses the
	// client's (default 10 minutes).
	Timeout time.Duration
	// MaxRetries overrides the client's retry count when not nil.
	MaxRetries *int

	// Callbacks are loggers for this request only, added after the
	// client's. A logger already registered on the client (or globally) is
	// not called twice.
	Callbacks []any
	// Middleware acts on this call, inside the client's middleware; see
	// [Middleware].
	Middleware []Middleware
	// TurnOffMessageLogging hides messages and responses from loggers when
	// true and shows them when false, whatever the client's setting; nil
	// follows the client ([WithTurnOffMessageLogging]).
	TurnOffMessageLogging *bool
	// NoLog sends no event of this call to any logger (LiteLLM's no-log):
	// it is neither emitted nor counted.
	NoLog bool
	// DropParams drops parameters the provider cannot honour instead of
	// failing the call, when true; nil follows the client
	// ([WithDropParams]). The dropped names are reported in the events.
	DropParams *bool
	// AllowedParams are parameter names sent to the provider even though
	// it is not known to support them (LiteLLM's allowed_openai_params).
	AllowedParams []string
	// MockResponse makes the call answer without any network: a string is
	// the reply; an error is raised after the pre-API-call event; a string
	// naming one of LiteLLM's exceptions ("litellm.RateLimitError") raises
	// that error.
	MockResponse any
	// Price overrides the price table for this request.
	Price *cost.Price
	// Cache adjusts caching for this request: skip the lookup, skip the
	// store, a TTL, a maximum age or a key namespace. nil uses the
	// client's defaults. It has no effect on a client without a cache.
	Cache *CacheControl
	// Route says which deployment of a model group serves this call, when
	// a router chose it (a gateway's model_list); it is reported in every
	// event ([Event.Route]). A router is middleware: it sets Route with
	// the deployment's Model, APIBase and APIKey on the request it passes
	// on.
	Route *Route

	seen jsonx.Seen
}

// Route is how a router served a call: the model group the client asked
// for and the deployment that answers it. LiteLLM reports the same as
// model_group, model_info.id and deployment.
type Route struct {
	// ModelGroup is the model name the client sent ("gpt-4o").
	ModelGroup string
	// ModelID is the deployment's id (model_info.id).
	ModelID string
	// Deployment is the deployment's model ("azure/prod-gpt4o"); the
	// event's Model is the same once routed.
	Deployment string
	// Try counts the deployments tried for this call, this one included:
	// 2 after one fallback or retry on another deployment.
	Try int
}

// Member indexes of Request for jsonx.Seen.
const (
	qModel uint = iota
	qMessages
	qPrompt
	qInput
	qTemperature
	qTopP
	qMaxTokens
	qMaxCompletion
	qN
	qStop
	qPresence
	qFrequency
	qSeed
	qLogprobs
	qTopLogprobs
	qTools
	qToolChoice
	qParallel
	qResponseFormat
	qReasoning
	qDimensions
	qEncoding
	qUser
	qStream
	qStreamOptions
	qStopString  // stop came as a single string
	qInputString // input came as a single string
)

// requestMembers are the body members Request models; Extra may not name
// them.
var requestMembers = names("model", "messages", "prompt", "input", "temperature", "top_p", "max_tokens",
	"max_completion_tokens", "n", "stop", "presence_penalty", "frequency_penalty", "seed", "logprobs",
	"top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort",
	"dimensions", "encoding_format", "user", "stream", "stream_options")

// MarshalJSON encodes the request body in OpenAI's shape: the members that
// are set (and those a decoded body had), then Extra in key order. Call
// options are left out.
func (r Request) MarshalJSON() ([]byte, error) {
	n := 256
	for i := range r.Messages {
		n += len(r.Messages[i].Content) + 48
	}
	return jsonx.Encode(n, r.encode)
}

// UnmarshalJSON decodes a chat-completions, completions or embeddings
// request body. Members the type does not model go to Extra. Call options
// are left as they were.
func (r *Request) UnmarshalJSON(b []byte) error {
	var body Request
	if err := jsonx.Decode(b, body.decode); err != nil {
		return wrapJSON("request", err)
	}
	r.setBody(&body)
	return nil
}

// setBody replaces the body fields of r with those of b.
func (r *Request) setBody(b *Request) {
	opts := *r
	*r = *b
	r.Metadata, r.Tags, r.TraceID = opts.Metadata, opts.Tags, opts.TraceID
	r.APIBase, r.APIKey, r.APIVersion, r.ProviderParams = opts.APIBase, opts.APIKey, opts.APIVersion, opts.ProviderParams
	r.Timeout, r.MaxRetries = opts.Timeout, opts.MaxRetries
	r.Callbacks, r.Middleware = opts.Callbacks, opts.Middleware
	r.TurnOffMessageLogging, r.NoLog = opts.TurnOffMessageLogging, opts.NoLog
	r.DropParams, r.AllowedParams = opts.DropParams, opts.AllowedParams
	r.MockResponse, r.Price, r.Cache = opts.MockResponse, opts.Price, opts.Cache
}

func (r *Request) encode(e *jsonx.Enc) {
	s := r.seen
	e.Open()
	e.WStr(s, qModel, "model", r.Model, true)
	if jsonx.Opens(s, qMessages, len(r.Messages), false) {
		e.Name("messages")
		if len(r.Messages) == 0 && s.WasNull(qMessages) {
			e.Null()
		} else {
			e.OpenArray()
			for i := range r.Messages {
				r.Messages[i].encode(e)
			}
			e.CloseArray()
		}
	}
	e.WStr(s, qPrompt, "prompt", r.Prompt, false)
	if jsonx.Opens(s, qInput, len(r.Input), false) || r.Input != nil {
		e.Name("input")
		switch {
		case len(r.Input) == 0 && s.WasNull(qInput):
			e.Null()
		case len(r.Input) == 1 && s.Present.Has(qInputString):
			e.Str(r.Input[0])
		default:
			e.Strs(r.Input)
		}
	}
	e.WFloatPtr(s, qTemperature, "temperature", r.Temperature)
	e.WFloatPtr(s, qTopP, "top_p", r.TopP)
	e.WIntPtr(s, qMaxTokens, "max_tokens", r.MaxTokens)
	e.WIntPtr(s, qMaxCompletion, "max_completion_tokens", r.MaxCompletionTokens)
	e.WIntPtr(s, qN, "n", r.N)
	if jsonx.Opens(s, qStop, len(r.Stop), false) {
		e.Name("stop")
		switch {
		case len(r.Stop) == 0 && s.WasNull(qStop):
			e.Null()
		case len(r.Stop) == 1 && s.Present.Has(qStopString):
			e.Str(r.Stop[0])
		default:
			e.Strs(r.Stop)
		}
	}
	e.WFloatPtr(s, qPresence, "presence_penalty", r.PresencePenalty)
	e.WFloatPtr(s, qFrequency, "frequency_penalty", r.FrequencyPenalty)
	e.WIntPtr(s, qSeed, "seed", r.Seed)
	e.WBoolPtr(s, qLogprobs, "logprobs", r.Logprobs)
	e.WIntPtr(s, qTopLogprobs, "top_logprobs", r.TopLogprobs)
	if jsonx.Opens(s, qTools, len(r.Tools), false) {
		e.Name("tools")
		if len(r.Tools) == 0 && s.WasNull(qTools) {
			e.Null()
		} else {
			e.OpenArray()
			for i := range r.Tools {
				r.Tools[i].encode(e)
			}
			e.CloseArray()
		}
	}
	switch {
	case r.ToolChoice != nil:
		e.Name("tool_choice")
		r.ToolChoice.encode(e)
	case s.WasNull(qToolChoice):
		e.Name("tool_choice")
		e.Null()
	}
	e.WBoolPtr(s, qParallel, "parallel_tool_calls", r.ParallelToolCalls)
	e.WRaw("response_format", r.ResponseFormat)
	e.WStr(s, qReasoning, "reasoning_effort", r.ReasoningEffort, false)
	e.WIntPtr(s, qDimensions, "dimensions", r.Dimensions)
	e.WStr(s, qEncoding, "encoding_format", r.EncodingFormat, false)
	e.WStr(s, qUser, "user", r.User, false)
	e.WBool(s, qStream, "stream", r.Stream)
	e.WRaw("stream_options", r.StreamOptions)
	for k := range r.Extra {
		if requestMembers(k) {
			e.Err = errExtraMember(k)
		}
	}
	e.Extra(r.Extra, requestMembers)
	e.Close()
}

func (r *Request) decode(rd *jsonx.R) {
	if !rd.Object() {
		rd.Errorf("request: want an object")
		return
	}
	s := &r.seen
	s.Decoded = true
	for rd.More() {
		n := rd.Name()
		switch n.String() {
		case "model":
			r.Model = rd.Str(s, qModel)
		case "messages":
			if !rd.Array() {
				s.Mark(qMessages, true)
				continue
			}
			s.Mark(qMessages, false)
			r.Messages = []Message{}
			for rd.More() {
				r.Messages = append(r.Messages, Message{})
				r.Messages[len(r.Messages)-1].decode(rd)
			}
			rd.End()
		case "prompt":
			if rd.Kind() != '"' && rd.Kind() != 'n' {
				rd.Errorf("prompt: only a string prompt is supported")
				continue
			}
			r.Prompt = rd.Str(s, qPrompt)
		case "input":
			if rd.Err != nil {
				continue
			}
			in, isString, null, err := rd.Dec.StrSlice()
			rd.Fail(err)
			s.Mark(qInput, null)
			if isString {
				s.Mark(qInputString, false)
			}
			r.Input = in
		case "temperature":
			r.Temperature = rd.FloatPtr(s, qTemperature)
		case "top_p":
			r.TopP = rd.FloatPtr(s, qTopP)
		case "max_tokens":
			r.MaxTokens = rd.IntPtr(s, qMaxTokens)
		case "max_completion_tokens":
			r.MaxCompletionTokens = rd.IntPtr(s, qMaxCompletion)
		case "n":
			r.N = rd.IntPtr(s, qN)
		case "stop":
			if rd.Err != nil {
				continue
			}
			stop, isString, null, err := rd.Dec.StrSlice()
			rd.Fail(err)
			s.Mark(qStop, null)
			if isString {
				s.Mark(qStopString, false)
			}
			r.Stop = stop
		case "presence_penalty":
			r.PresencePenalty = rd.FloatPtr(s, qPresence)
		case "frequency_penalty":
			r.FrequencyPenalty = rd.FloatPtr(s, qFrequency)
		case "seed":
			r.Seed = rd.IntPtr(s, qSeed)
		case "logprobs":
			r.Logprobs = rd.BoolPtr(s, qLogprobs)
		case "top_logprobs":
			r.TopLogprobs = rd.IntPtr(s, qTopLogprobs)
		case "tools":
			r.Tools = decodeTools(rd, s, qTools)
		case "tool_choice":
			if rd.Null() {
				s.Mark(qToolChoice, true)
				continue
			}
			r.ToolChoice = new(ToolChoice)
			r.ToolChoice.decode(rd)
		case "parallel_tool_calls":
			r.ParallelToolCalls = rd.BoolPtr(s, qParallel)
		case "response_format":
			r.ResponseFormat = rd.Raw()
		case "reasoning_effort":
			r.ReasoningEffort = rd.Str(s, qReasoning)
		case "dimensions":
			r.Dimensions = rd.IntPtr(s, qDimensions)
		case "encoding_format":
			r.EncodingFormat = rd.Str(s, qEncoding)
		case "user":
			r.User = rd.Str(s, qUser)
		case "stream":
			r.Stream = rd.Bool(s, qStream)
		case "stream_options":
			r.StreamOptions = rd.Raw()
		default:
			rd.Extra(&r.Extra, n.String())
		}
	}
	rd.End()
}

// Ptr returns a pointer to v, for the optional fields of [Request]:
// Temperature: llmux.Ptr(0.2).
func Ptr[T any](v T) *T { return &v }

// errExtraMember is the error of an Extra key naming a member Request
// models.
func errExtraMember(k string) *Error {
	return &Error{Code: CodeInvalidRequest, Param: "extra." + k,
		Message: fmt.Sprintf("extra.%s: %q is a member Request models; set its field instead of Extra", k, k)}
}
