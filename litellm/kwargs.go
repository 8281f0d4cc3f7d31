package litellm

import (
	"encoding/json"

	"github.com/llmux/llmux"
)

// Kwargs returns the event as LiteLLM's kwargs (its Logging object's
// model_call_details), for loggers ported from LiteLLM custom callbacks.
// It builds a new map on each call; the values are the event's own, not
// copies, so loggers must treat them as read-only. Unlike
// [Event.StandardLoggingPayload], the map keeps Go values as they are (the
// error, times, the caller's metadata), so encoding it as JSON can fail if
// the caller's metadata holds values JSON cannot encode.
//
// As in LiteLLM, keys appear as the call progresses. Each key below is
// present from the events named in brackets on:
//
//   - [all] every event
//   - [attempt] events of an attempt that began: pre- and post-API-call,
//     stream, and terminal events of calls that reached an attempt (not
//     cache hits, not calls that failed before any attempt)
//   - [response] the same, from the post-API-call event on
//   - [terminal] success and failure events
//   - [success], [stream success], [failure] those events only
//
// The keys and their sources:
//
//	model                    [all]      Event.UpstreamModel, else Event.Model (LiteLLM logs the name sent upstream)
//	messages                 [all]      Event.Messages; a prompt or embedding inputs as user messages
//	optional_params          [all]      Event.OptionalParams, never nil
//	litellm_params           [all]      metadata (Event.Metadata), litellm_call_id, litellm_trace_id,
//	                                    api_base, custom_llm_provider, user, stream, model_info (nil)
//	start_time               [all]      Event.StartTime, a time.Time
//	stream                   [all]      Event.Stream
//	user                     [all]      Event.User
//	call_type                [all]      Event.CallType
//	litellm_call_id          [all]      Event.CallID
//	litellm_trace_id         [all]      Event.TraceID
//	custom_llm_provider      [all]      Event.Provider
//	input                    [all]      Attempt.Input once an attempt began, else the messages, prompt
//	                                    or embedding inputs as the caller gave them
//	completion_start_time    [all]      Event.CompletionStartTime; nil until known
//	log_event_type           [all]      Event.Type
//	api_key                  [attempt]  Attempt.APIKey, masked
//	api_call_start_time      [attempt]  Attempt.StartTime
//	additional_args          [attempt]  complete_input_dict (Attempt.RequestBody as a json.RawMessage,
//	                                    so its bytes are kept), api_base, headers (masked), and
//	                                    dropped_params (Event.DroppedParams) when parameters were dropped
//	original_response        [response] Event.OriginalResponse; on failure always present, nil if none
//	response_headers         [response] Event.ResponseHeaders, masked
//	end_time                 [terminal] Event.EndTime
//	response_cost            [terminal] Event.ResponseCost; nil when the cost is unknown (Event.CostErr)
//	response_cost_failure_debug_information
//	                         [terminal] why the cost is unknown; only when it is
//	cost_breakdown           [terminal] the payload's *StandardLoggingCostBreakdown
//	standard_logging_object  [terminal] [Payload](e)
//	cache_hit                [success]  Event.CacheHit
//	cache_key                [success]  Event.CacheKey
//	saved_cache_cost         [success]  Event.SavedCacheCost
//	complete_streaming_response
//	                         [stream success] Event.CompleteStreamingResponse
//	async_complete_streaming_response
//	                         [stream success] the same value, the key LiteLLM's async callbacks read
//	exception                [failure]  Event.Err
//	traceback_exception      [failure]  Event.Traceback
//
// LiteLLM also spreads optional_params into top-level keys; llmux does not,
// so a request parameter can never shadow one of the keys above.
func Kwargs(e *llmux.Event) map[string]any {
	k := make(map[string]any, 32)
	model := e.UpstreamModel
	if model == "" {
		model = e.Model
	}
	params := e.OptionalParams
	if params == nil {
		params = map[string]any{}
	}
	k["model"] = model
	k["messages"] = loggedMessages(e)
	k["optional_params"] = params
	meta, info := routedMetadata(e)
	k["litellm_params"] = map[string]any{
		"metadata":            meta,
		"litellm_call_id":     e.CallID,
		"litellm_trace_id":    e.TraceID,
		"api_base":            e.Attempt.APIBase,
		"custom_llm_provider": e.Provider,
		"user":                e.User,
		"stream":              e.Stream,
		"model_info":          info,
	}
	k["start_time"] = e.StartTime
	k["stream"] = e.Stream
	k["user"] = e.User
	k["call_type"] = string(e.CallType)
	k["litellm_call_id"] = e.CallID
	k["litellm_trace_id"] = e.TraceID
	k["custom_llm_provider"] = e.Provider
	k["log_event_type"] = string(e.Type)
	k["completion_start_time"] = nil
	if !e.CompletionStartTime.IsZero() {
		k["completion_start_time"] = e.CompletionStartTime
	}

	attempted := e.Attempt.Number > 0
	if attempted {
		k["input"] = e.Attempt.Input
		k["api_key"] = e.Attempt.APIKey
		k["api_call_start_time"] = e.Attempt.StartTime
		var body json.RawMessage
		if len(e.Attempt.RequestBody) > 0 {
			body = e.Attempt.RequestBody
		}
		args := map[string]any{
			"complete_input_dict": body,
			"api_base":            e.Attempt.APIBase,
			"headers":             e.Attempt.Headers,
		}
		if len(e.DroppedParams) > 0 {
			args["dropped_params"] = e.DroppedParams
		}
		k["additional_args"] = args
	} else {
		k["input"] = originalInput(e)
	}

	responded := attempted && e.Type != llmux.EventPreAPICall
	if responded {
		k["original_response"] = e.OriginalResponse
		k["response_headers"] = e.ResponseHeaders
	}

	switch e.Type {
	case llmux.EventSuccess, llmux.EventFailure:
		p := Payload(e)
		k["end_time"] = e.EndTime
		k["standard_logging_object"] = p
		k["cost_breakdown"] = p.CostBreakdown
		if e.CostErr != nil {
			k["response_cost"] = nil
			k["response_cost_failure_debug_information"] = p.ResponseCostFailureDebugInfo
		} else {
			k["response_cost"] = p.ResponseCost
		}
	}
	switch e.Type {
	case llmux.EventSuccess:
		k["cache_hit"] = e.CacheHit
		k["cache_key"] = e.CacheKey
		k["saved_cache_cost"] = e.SavedCacheCost
		if e.Stream {
			r := e.CompleteStreamingResponse
			if r == nil {
				r = e.Response
			}
			k["complete_streaming_response"] = r
			k["async_complete_streaming_response"] = r
		}
	case llmux.EventFailure:
		k["exception"] = e.Err
		k["traceback_exception"] = e.Traceback
		if !responded || e.OriginalResponse == "" {
			k["original_response"] = nil
		}
	}
	return k
}

// originalInput is LiteLLM's input before any attempt: the messages, the
// prompt or the embedding inputs as the caller gave them.
func originalInput(e *llmux.Event) any {
	switch {
	case len(e.Messages) > 0:
		return e.Messages
	case e.CallType == llmux.CallTextCompletion:
		return e.Prompt
	case len(e.Input) > 0:
		return e.Input
	}
	return nil
}

// routedMetadata returns the event's metadata with what LiteLLM's router
// adds to it (model_group, deployment, model_info) when the call was
// routed, and the model_info: a new map, never the event's.
func routedMetadata(e *llmux.Event) (meta map[string]any, info any) {
	r := e.Route
	if r.ModelGroup == "" && r.ModelID == "" {
		return e.Metadata, nil
	}
	meta = make(map[string]any, len(e.Metadata)+3)
	for k, v := range e.Metadata {
		meta[k] = v
	}
	mi := map[string]any{"id": r.ModelID}
	meta["model_group"] = r.ModelGroup
	meta["deployment"] = r.Deployment
	meta["model_info"] = mi
	return meta, mi
}
