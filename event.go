package llmux

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/llmux/llmux/cost"
)

// EventType is LiteLLM's log_event_type.
type EventType string

// The event types.
const (
	EventPreAPICall  EventType = "pre_api_call"
	EventPostAPICall EventType = "post_api_call"
	EventStream      EventType = "stream_event"
	EventSuccess     EventType = "successful_api_call"
	EventFailure     EventType = "failed_api_call"
)

// CallType names the kind of call, as LiteLLM's call_type.
type CallType string

// The call types.
const (
	CallCompletion     CallType = "completion"
	CallTextCompletion CallType = "text_completion"
	CallEmbedding      CallType = "embedding"
)

// RedactedText replaces messages and responses in events when message
// logging is turned off.
const RedactedText = "redacted-by-llmux"

// Event carries everything about one call to the loggers: LiteLLM's kwargs,
// typed. Each emission is a snapshot: fields set later in the call never
// show in an earlier event, and it shares no memory with the caller's
// request or result (deep copies, scrubbed of every secret the call
// knows). The loggers of one emission share it: a logger must not modify
// it (see [Event.Clone]). Package litellm gives LiteLLM's views of it:
// litellm.Kwargs and litellm.Payload (the standard_logging_object).
type Event struct {
	// Type is the log_event_type of this delivery.
	Type EventType

	// Set at call start, in every event.
	CallID        string   // litellm_call_id, unique per call
	TraceID       string   // given in the request, or generated
	CallType      CallType // completion, text_completion, embedding
	Model         string   // as the caller wrote it
	Provider      string   // custom_llm_provider: openai, azure, anthropic, mock...
	UpstreamModel string   // the model name sent to the provider
	Stream        bool
	Messages      []Message // deep copy taken at call start
	Prompt        string    // text completions
	Input         []string  // embeddings
	// OptionalParams are the request parameters that were set (temperature,
	// max_tokens, tools...), under their OpenAI names.
	OptionalParams map[string]any
	Metadata       map[string]any
	User           string
	Tags           []string
	StartTime      time.Time
	// MessagesRedacted is set when message logging was turned off: the
	// messages, inputs and responses here are replaced by [RedactedText].
	MessagesRedacted bool
	// DroppedParams names the request parameters the provider does not
	// support that were dropped ([WithDropParams], [Request.DropParams]);
	// OptionalParams holds what was sent.
	DroppedParams []string
	// PayloadExcludedFields are the standard logging payload's keys the
	// client was told to leave empty ([WithPayloadExcludedFields]).
	PayloadExcludedFields []string
	// Route is the deployment a router chose ([Request.Route]); zero when
	// the call was not routed.
	Route Route

	// Attempt describes the latest upstream attempt (pre- and post-API-call
	// events, and terminal events of calls that reached the provider).
	Attempt AttemptInfo

	// Set by the post-API-call event and kept afterwards.
	OriginalResponse string            // the raw upstream body
	ResponseHeaders  map[string]string // masked
	StatusCode       int               // upstream HTTP status; 0 if none

	// Set by terminal events.
	EndTime             time.Time
	CompletionStartTime time.Time // first token for streams; EndTime otherwise
	// Response is the chat or text completion; for streams it is the
	// complete streaming response, the same value as
	// CompleteStreamingResponse.
	Response                  *Response
	CompleteStreamingResponse *Response
	EmbeddingResponse         *EmbeddingResponse
	Usage                     Usage
	// ResponseCost is the cost in USD; valid only when CostErr is nil.
	ResponseCost  float64
	CostBreakdown cost.Breakdown
	// CostErr says why the cost is unknown (for example an unpriced model).
	CostErr        error
	CacheHit       bool
	CacheKey       string
	SavedCacheCost float64

	// Set by failure events.
	Err       error
	Traceback string // the goroutine stack where the failure was reported

	// fin completes the event before its first delivery (finish.go).
	fin *finisher
}

// AttemptInfo describes one upstream attempt.
type AttemptInfo struct {
	Number    int       // 1 for the first attempt; counts retries and routed tries
	StartTime time.Time // api_call_start_time
	// Input is what the model receives: the messages, or the prompt a
	// provider built from them.
	Input any
	// APIKey is the key used, masked ("sk-...abcd").
	APIKey string
	// APIBase is the request URL, with secret query values masked.
	APIBase string
	// RequestBody is the exact body sent upstream, LiteLLM's
	// additional_args.complete_input_dict.
	RequestBody json.RawMessage
	// Headers are the request headers, secrets masked.
	Headers map[string]string
	// Err is the attempt's error, in its post-API-call event.
	Err error
}

// Result returns the call's result: the response, the complete streaming
// response or the embedding response; nil if none.
func (e *Event) Result() any {
	switch {
	case e.EmbeddingResponse != nil:
		return e.EmbeddingResponse
	case e.CompleteStreamingResponse != nil:
		return e.CompleteStreamingResponse
	case e.Response != nil:
		return e.Response
	}
	return nil
}

// Duration returns EndTime - StartTime, or 0 before the end.
func (e *Event) Duration() time.Duration {
	if e.EndTime.IsZero() {
		return 0
	}
	return e.EndTime.Sub(e.StartTime)
}

// ErrorCode returns the failure's [Code], or CodeUnknown.
func (e *Event) ErrorCode() Code { return CodeOf(e.Err) }

// Clone returns a deep copy of the event, for a logger that wants to
// change what it got (loggers share one event and must not modify it).
// Errors are shared: they are never changed after the event was emitted.
func (e *Event) Clone() *Event {
	if e == nil {
		return nil
	}
	e.finish()
	c := *e
	c.fin = nil
	c.Messages = cloneSlice(e.Messages, Message.clone)
	c.Input = cloneStrings(e.Input)
	c.OptionalParams = copyParams(e.OptionalParams)
	c.Metadata = copyMeta(e.Metadata)
	c.Tags = cloneStrings(e.Tags)
	c.DroppedParams = cloneStrings(e.DroppedParams)
	c.PayloadExcludedFields = cloneStrings(e.PayloadExcludedFields)
	c.Attempt.Headers = maps.Clone(e.Attempt.Headers)
	c.Attempt.RequestBody = cloneRaw(e.Attempt.RequestBody)
	switch in := e.Attempt.Input.(type) {
	case []Message:
		c.Attempt.Input = cloneSlice(in, Message.clone)
	case []string:
		c.Attempt.Input = cloneStrings(in)
	}
	c.ResponseHeaders = maps.Clone(e.ResponseHeaders)
	c.Response = e.Response.Clone()
	if e.CompleteStreamingResponse == e.Response {
		c.CompleteStreamingResponse = c.Response
	} else {
		c.CompleteStreamingResponse = e.CompleteStreamingResponse.Clone()
	}
	c.EmbeddingResponse = e.EmbeddingResponse.Clone()
	c.Usage = e.Usage.clone()
	return &c
}
