package litellm

import (
	"errors"
	"fmt"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/mask"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StandardLoggingPayload is LiteLLM's standard_logging_object: one flat
// record of a call that logging backends (spend logs, S3, Datadog,
// Langfuse...) store as JSON. Its JSON has exactly the 39 top-level keys of
// LiteLLM's StandardLoggingPayload TypedDict, each always present: a key
// LiteLLM allows to be None is null here, never left out.
//
// Build one with [Event.StandardLoggingPayload]. Every field is safe to
// encode: [json.Marshal] of a payload never fails, whatever the caller put
// in Request.Metadata.
type StandardLoggingPayload struct {
	// ID is the call's unique id, [Event.CallID]. LiteLLM uses the
	// provider's response id here and the call id only when there is no
	// response; llmux always uses the call id, because response ids are
	// not unique (mock responses all share one, and several providers
	// reuse them) while this id keys spend logs.
	ID      string `json:"id"`
	TraceID string `json:"trace_id"`
	// LiteLLMCallID is [Event.CallID], the id of x-litellm-call-id.
	LiteLLMCallID string `json:"litellm_call_id"`
	// CallType is [Event.CallType]: completion, text_completion or
	// embedding (LiteLLM reports acompletion for its async variant, which
	// llmux has no notion of).
	CallType string `json:"call_type"`
	// Stream is true for streamed calls and null otherwise, as in LiteLLM.
	// LiteLLM also leaves it null for a stream that failed; llmux reports
	// true, since it knows.
	Stream *bool `json:"stream"`
	// ResponseCost is the cost in USD. When the cost is unknown
	// ([Event.CostErr] set) it is 0 and ResponseCostFailureDebugInfo says
	// why: that is LiteLLM's behaviour, which loses the difference between
	// "free" and "unknown" that the typed [Event] keeps.
	ResponseCost float64 `json:"response_cost"`
	// ResponseCostFailureDebugInfo is set when the cost is unknown.
	ResponseCostFailureDebugInfo *StandardLoggingCostFailureDebugInfo `json:"response_cost_failure_debug_info"`
	// CostBreakdown is null when the cost is unknown, before the call ends,
	// and on failures that cost nothing.
	CostBreakdown *StandardLoggingCostBreakdown `json:"cost_breakdown"`
	// Status is "success" or "failure".
	Status            string                      `json:"status"`
	StatusFields      StandardLoggingStatusFields `json:"status_fields"`
	CustomLLMProvider *string                     `json:"custom_llm_provider"`
	TotalTokens       int                         `json:"total_tokens"`
	PromptTokens      int                         `json:"prompt_tokens"`
	CompletionTokens  int                         `json:"completion_tokens"`
	// StartTime, EndTime and CompletionStartTime are Unix epoch seconds
	// with a fractional part. Before the call ends (pre-, post-API-call and
	// stream events) EndTime is not known yet and equals StartTime.
	StartTime           float64 `json:"startTime"`
	EndTime             float64 `json:"endTime"`
	CompletionStartTime float64 `json:"completionStartTime"`
	// ResponseTime is in seconds: for streams the time to the first token
	// (CompletionStartTime - StartTime), otherwise EndTime - StartTime, as
	// LiteLLM computes it.
	ResponseTime        float64                         `json:"response_time"`
	ModelMapInformation StandardLoggingModelInformation `json:"model_map_information"`
	// Model is the model as the caller requested it.
	Model string `json:"model"`
	// ModelID and ModelGroup are the router's deployment id and model
	// group (Event.Route, else metadata["model_info"]["id"] and
	// metadata["model_group"]); "" when the call was not routed, as in
	// LiteLLM.
	ModelID    string `json:"model_id"`
	ModelGroup string `json:"model_group"`
	// APIBase is the URL of the last attempt, secrets masked, without a
	// trailing slash; "" when no attempt was made.
	APIBase  string                  `json:"api_base"`
	Metadata StandardLoggingMetadata `json:"metadata"`
	CacheHit *bool                   `json:"cache_hit"`
	CacheKey *string                 `json:"cache_key"`
	// SavedCacheCost is what a cache hit would have cost upstream.
	SavedCacheCost float64 `json:"saved_cache_cost"`
	// RequestTags are the request's tags (or metadata["tags"]); never null.
	RequestTags []string `json:"request_tags"`
	// EndUser is metadata["user_api_key_end_user_id"], else the request's
	// user; "" when neither is set.
	EndUser            string  `json:"end_user"`
	RequesterIPAddress *string `json:"requester_ip_address"`
	UserAgent          *string `json:"user_agent"`
	// Messages are the call's messages in OpenAI's shape; a text
	// completion's prompt and each embedding input become one user
	// message, as LiteLLM logs them. They are [RedactedText] when message
	// logging is off.
	Messages any `json:"messages"`
	// Response is [Event.Result]; null on failure.
	Response any `json:"response"`
	// ErrorStr is the error's text on failure, null otherwise.
	ErrorStr *string `json:"error_str"`
	// ErrorInformation is always set, as in LiteLLM: empty strings on
	// success.
	ErrorInformation *StandardLoggingErrorInformation `json:"error_information"`
	// ModelParameters are the model parameters of [llmux.Event.OptionalParams]:
	// only names recognised as model parameters, never the call's input
	// (messages, prompt, input) nor anything else a request carries in
	// Extra; never null.
	ModelParameters            map[string]any              `json:"model_parameters"`
	HiddenParams               StandardLoggingHiddenParams `json:"hidden_params"`
	GuardrailInformation       any                         `json:"guardrail_information"`
	StandardBuiltInToolsParams *StandardBuiltInToolsParams `json:"standard_built_in_tools_params"`
}

// StandardLoggingMetadata is the payload's metadata: LiteLLM's
// StandardLoggingMetadata, every key always present. A key takes the value
// of the request metadata key of the same name, when there is one. The
// user_api_key_* keys are what LiteLLM's proxy sets for a virtual key;
// llmux's own gateway sets them the same way.
type StandardLoggingMetadata struct {
	UserAPIKeyHash          *string  `json:"user_api_key_hash"`
	UserAPIKeyAlias         *string  `json:"user_api_key_alias"`
	UserAPIKeySpend         *float64 `json:"user_api_key_spend"`
	UserAPIKeyMaxBudget     *float64 `json:"user_api_key_max_budget"`
	UserAPIKeyBudgetResetAt *string  `json:"user_api_key_budget_reset_at"`
	UserAPIKeyUserSpend     *float64 `json:"user_api_key_user_spend"`
	UserAPIKeyUserMaxBudget *float64 `json:"user_api_key_user_max_budget"`
	UserAPIKeyTeamSpend     *float64 `json:"user_api_key_team_spend"`
	UserAPIKeyTeamMaxBudget *float64 `json:"user_api_key_team_max_budget"`
	UserAPIKeyOrgID         *string  `json:"user_api_key_org_id"`
	UserAPIKeyOrgAlias      *string  `json:"user_api_key_org_alias"`
	UserAPIKeyTeamID        *string  `json:"user_api_key_team_id"`
	UserAPIKeyProjectID     *string  `json:"user_api_key_project_id"`
	UserAPIKeyProjectAlias  *string  `json:"user_api_key_project_alias"`
	UserAPIKeyUserID        *string  `json:"user_api_key_user_id"`
	UserAPIKeyUserEmail     *string  `json:"user_api_key_user_email"`
	UserAPIKeyTeamAlias     *string  `json:"user_api_key_team_alias"`
	UserAPIKeyEndUserID     *string  `json:"user_api_key_end_user_id"`
	UserAPIKeyRequestRoute  *string  `json:"user_api_key_request_route"`
	UserAPIKeyAuthMetadata  any      `json:"user_api_key_auth_metadata"`
	SpendLogsMetadata       any      `json:"spend_logs_metadata"`
	RequesterIPAddress      *string  `json:"requester_ip_address"`
	UserAgent               *string  `json:"user_agent"`
	// RequesterMetadata is the request's whole metadata (or its
	// "requester_metadata" key, when it has one), made safe to encode.
	RequesterMetadata          any `json:"requester_metadata"`
	RequesterCustomHeaders     any `json:"requester_custom_headers"`
	PromptManagementMetadata   any `json:"prompt_management_metadata"`
	MCPToolCallMetadata        any `json:"mcp_tool_call_metadata"`
	VectorStoreRequestMetadata any `json:"vector_store_request_metadata"`
	AppliedGuardrails          any `json:"applied_guardrails"`
	// UsageObject is the call's [Usage] in OpenAI's shape.
	UsageObject          any     `json:"usage_object"`
	ColdStorageObjectKey *string `json:"cold_storage_object_key"`
	TeamAlias            *string `json:"team_alias"`
	TeamID               *string `json:"team_id"`
}

// StandardLoggingHiddenParams is LiteLLM's StandardLoggingHiddenParams, every
// key always present.
type StandardLoggingHiddenParams struct {
	ModelID  *string `json:"model_id"` // the router deployment's id; null when not routed
	CacheKey *string `json:"cache_key"`
	APIBase  *string `json:"api_base"`
	// ResponseCost is the cost in USD, null when unknown.
	ResponseCost          any                               `json:"response_cost"`
	LiteLLMOverheadTimeMS *float64                          `json:"litellm_overhead_time_ms"`
	AdditionalHeaders     *StandardLoggingAdditionalHeaders `json:"additional_headers"`
	BatchModels           []string                          `json:"batch_models"`
	// LiteLLMModelName is the model name sent to the provider.
	LiteLLMModelName *string `json:"litellm_model_name"`
	UsageObject      any     `json:"usage_object"`
	// DroppedParams names the request parameters the provider does not
	// support that were dropped (llmux's; absent when none).
	DroppedParams []string `json:"dropped_params,omitempty"`
}

// StandardLoggingAdditionalHeaders holds the upstream's OpenAI-style rate
// limit headers, as LiteLLM's StandardLoggingAdditionalHeaders; absent
// headers are left out.
type StandardLoggingAdditionalHeaders struct {
	XRatelimitLimitRequests     *int   `json:"x_ratelimit_limit_requests,omitempty"`
	XRatelimitLimitTokens       *int   `json:"x_ratelimit_limit_tokens,omitempty"`
	XRatelimitRemainingRequests *int   `json:"x_ratelimit_remaining_requests,omitempty"`
	XRatelimitRemainingTokens   *int   `json:"x_ratelimit_remaining_tokens,omitempty"`
	XRatelimitResetRequests     string `json:"x_ratelimit_reset_requests,omitempty"`
	XRatelimitResetTokens       string `json:"x_ratelimit_reset_tokens,omitempty"`
}

// StandardLoggingModelInformation names the price-table entry of the call.
type StandardLoggingModelInformation struct {
	ModelMapKey string `json:"model_map_key"`
	// ModelMapValue is LiteLLM's model info for the key; always null in
	// llmux, whose price table lives in package cost.
	ModelMapValue any `json:"model_map_value"`
}

// StandardLoggingErrorInformation describes a failure, as LiteLLM's
// StandardLoggingPayloadErrorInformation.
type StandardLoggingErrorInformation struct {
	ErrorCode    string `json:"error_code"`    // upstream HTTP status, "" if none
	ErrorClass   string `json:"error_class"`   // LiteLLM's exception class, [llmux.Code.ExceptionName]
	LLMProvider  string `json:"llm_provider"`  // the provider that failed
	Traceback    string `json:"traceback"`     // [llmux.Event.Traceback]
	ErrorMessage string `json:"error_message"` // the error's message
}

// StandardLoggingStatusFields are LiteLLM's status fields for filtering.
type StandardLoggingStatusFields struct {
	LLMAPIStatus    string `json:"llm_api_status"`   // "success" or "failure"
	GuardrailStatus string `json:"guardrail_status"` // "not_run": llmux runs no guardrails
}

// StandardLoggingCostBreakdown is LiteLLM's CostBreakdown. As in LiteLLM,
// InputCost includes the cache read and cache creation costs and OutputCost
// includes the reasoning cost, so TotalCost = InputCost + OutputCost +
// ToolUsageCost; the three parts are reported separately only when non-zero.
type StandardLoggingCostBreakdown struct {
	InputCost         float64 `json:"input_cost"`
	OutputCost        float64 `json:"output_cost"`
	TotalCost         float64 `json:"total_cost"`
	ToolUsageCost     float64 `json:"tool_usage_cost"`
	CacheReadCost     float64 `json:"cache_read_cost,omitempty"`
	CacheCreationCost float64 `json:"cache_creation_cost,omitempty"`
	ReasoningCost     float64 `json:"reasoning_cost,omitempty"`
}

// StandardLoggingCostFailureDebugInfo says why a call's cost is unknown, as
// LiteLLM's StandardLoggingModelCostFailureDebugInformation.
type StandardLoggingCostFailureDebugInfo struct {
	ErrorStr          string `json:"error_str"`     // [llmux.Event.CostErr]
	TracebackStr      string `json:"traceback_str"` // always "": not a crash
	Model             string `json:"model"`         // the model name that was priced
	CacheHit          bool   `json:"cache_hit"`
	CustomLLMProvider string `json:"custom_llm_provider"`
	CallType          string `json:"call_type"`
}

// StandardBuiltInToolsParams are the built-in tool parameters that providers
// bill for, as LiteLLM's StandardBuiltInToolsParams.
type StandardBuiltInToolsParams struct {
	WebSearchOptions any `json:"web_search_options"` // the request's web_search_options
	FileSearch       any `json:"file_search"`        // always null: llmux has no file_search tool
}

// Payload statuses.
const (
	statusSuccess = "success"
	statusFailure = "failure"
)

// StandardLoggingPayload returns the event as LiteLLM's
// standard_logging_object. It is meant for terminal (success and failure)
// events, but any event gives a complete payload: before the end,
// EndTime is StartTime and the status is "success" unless the event
// carries an error. The payload shares no mutable state with the event
// except the values of maps and slices that are already safe to encode.
func Payload(e *llmux.Event) *StandardLoggingPayload {
	p := new(StandardLoggingPayload)
	fillPayload(p, e)
	return p
}

// payloads are the payload structs AppendPythonPayload lends itself.
var payloads = sync.Pool{New: func() any { return new(StandardLoggingPayload) }}

// AppendPythonPayload appends e's payload as
// [StandardLoggingPayload.AppendPythonJSON] writes it to b, for a logger
// that only writes it: the payload struct (about 1.4 KB) is reused from
// call to call rather than made for each.
func AppendPythonPayload(b []byte, e *llmux.Event) ([]byte, error) {
	p := payloads.Get().(*StandardLoggingPayload)
	fillPayload(p, e)
	b, err := p.AppendPythonJSON(b)
	*p = StandardLoggingPayload{} // keep nothing of e's
	payloads.Put(p)
	return b, err
}

// fillPayload sets every field of p from e.
func fillPayload(p *StandardLoggingPayload, e *llmux.Event) {
	failed := e.Type == llmux.EventFailure || e.Err != nil
	status := statusSuccess
	if failed {
		status = statusFailure
	}

	meta, _ := jsonSafe(e.Metadata).(map[string]any)
	params, _ := jsonSafe(modelParameters(e.OptionalParams)).(map[string]any)
	if params == nil {
		params = map[string]any{}
	}

	start := e.StartTime
	end := e.EndTime
	if end.IsZero() {
		end = start
	}
	first := e.CompletionStartTime
	if first.IsZero() {
		first = end
	}
	respTime := end.Sub(start)
	if e.Stream {
		respTime = first.Sub(start)
	}

	priced := e.UpstreamModel
	if priced == "" {
		priced = e.Model
	}

	*p = StandardLoggingPayload{
		ID:                   e.CallID,
		TraceID:              e.TraceID,
		LiteLLMCallID:        e.CallID,
		CallType:             string(e.CallType),
		Status:               status,
		StatusFields:         StandardLoggingStatusFields{LLMAPIStatus: status, GuardrailStatus: "not_run"},
		CustomLLMProvider:    optString(e.Provider),
		TotalTokens:          e.Usage.TotalTokens,
		PromptTokens:         e.Usage.PromptTokens,
		CompletionTokens:     e.Usage.CompletionTokens,
		StartTime:            epochSeconds(start),
		EndTime:              epochSeconds(end),
		CompletionStartTime:  epochSeconds(first),
		ResponseTime:         respTime.Seconds(),
		ModelMapInformation:  StandardLoggingModelInformation{ModelMapKey: priced},
		Model:                e.Model,
		APIBase:              strings.TrimRight(e.Attempt.APIBase, "/"),
		Metadata:             standardMetadata(meta, e.Usage),
		CacheKey:             optString(e.CacheKey),
		SavedCacheCost:       finite(e.SavedCacheCost),
		Messages:             loggedMessages(e),
		ModelParameters:      params,
		GuardrailInformation: meta["standard_logging_guardrail_information"],
		StandardBuiltInToolsParams: &StandardBuiltInToolsParams{
			WebSearchOptions: params["web_search_options"],
		},
		ErrorInformation: &StandardLoggingErrorInformation{},
	}
	hit := e.CacheHit
	p.CacheHit = &hit
	if hit {
		// LiteLLM's f"{id}_cache_hit{time.time()}": a hit is its own row,
		// never confused with the call that stored the answer.
		p.ID = fmt.Sprintf("%s_cache_hit%d.%06d", p.ID, end.Unix(), end.Nanosecond()/1000)
	}
	if e.Stream {
		t := true
		p.Stream = &t
	}
	if info, ok := meta["model_info"].(map[string]any); ok {
		p.ModelID, _ = info["id"].(string)
	}
	p.ModelGroup, _ = meta["model_group"].(string)
	if r := e.Route; r.ModelGroup != "" || r.ModelID != "" {
		p.ModelID, p.ModelGroup = r.ModelID, r.ModelGroup
	}
	p.RequestTags = requestTags(e.Tags, meta["tags"])
	p.EndUser = e.User
	if id := p.Metadata.UserAPIKeyEndUserID; id != nil && *id != "" {
		p.EndUser = *id
	}
	p.RequesterIPAddress = p.Metadata.RequesterIPAddress
	p.UserAgent = p.Metadata.UserAgent

	// Result and cost.
	var usage any
	if !failed {
		usage = e.Usage
		p.Response = jsonSafeResult(e.Result())
	}
	p.HiddenParams = StandardLoggingHiddenParams{
		ModelID:           optString(p.ModelID),
		CacheKey:          optString(e.CacheKey),
		APIBase:           optString(e.Attempt.APIBase),
		AdditionalHeaders: additionalHeaders(e.ResponseHeaders),
		LiteLLMModelName:  optString(e.UpstreamModel),
		UsageObject:       usage,
	}
	if e.CostErr != nil {
		p.ResponseCostFailureDebugInfo = &StandardLoggingCostFailureDebugInfo{
			ErrorStr:          e.CostErr.Error(),
			Model:             priced,
			CacheHit:          e.CacheHit,
			CustomLLMProvider: e.Provider,
			CallType:          string(e.CallType),
		}
	} else {
		p.ResponseCost = finite(e.ResponseCost)
		p.HiddenParams.ResponseCost = p.ResponseCost
		b := e.CostBreakdown
		if ended := !e.EndTime.IsZero(); ended && (!failed || b.Total != 0) {
			p.CostBreakdown = &StandardLoggingCostBreakdown{
				InputCost:         finite(b.Input + b.CacheRead + b.CacheCreation),
				OutputCost:        finite(b.Output + b.Reasoning),
				TotalCost:         finite(b.Total),
				CacheReadCost:     finite(b.CacheRead),
				CacheCreationCost: finite(b.CacheCreation),
				ReasoningCost:     finite(b.Reasoning),
			}
		}
	}

	// Failure.
	if failed {
		code := llmux.CodeOf(e.Err)
		info := p.ErrorInformation
		info.ErrorClass = code.ExceptionName()
		info.LLMProvider = e.Provider
		info.Traceback = e.Traceback
		if e.Err != nil {
			msg := e.Err.Error()
			p.ErrorStr = &msg
			info.ErrorMessage = msg
		}
		var le *llmux.Error
		if errors.As(e.Err, &le) {
			if le.StatusCode != 0 {
				info.ErrorCode = strconv.Itoa(le.StatusCode)
			}
			if le.Provider != "" {
				info.LLMProvider = le.Provider
			}
			if le.Message != "" {
				info.ErrorMessage = le.Message
			}
		} else if e.StatusCode != 0 {
			info.ErrorCode = strconv.Itoa(e.StatusCode)
		}
	}
	if len(e.DroppedParams) > 0 {
		p.HiddenParams.DroppedParams = append([]string(nil), e.DroppedParams...)
	}
	for _, f := range e.PayloadExcludedFields {
		p.exclude(f)
	}
}

// modelParams are the names recognised as model parameters: OpenAI's
// sampling, tool, output and reasoning parameters, and the provider
// parameters LiteLLM passes on (top_k, thinking).
var modelParams = map[string]bool{
	"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true, "stop": true,
	"presence_penalty": true, "frequency_penalty": true, "seed": true, "logprobs": true, "top_logprobs": true,
	"logit_bias": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true, "response_format": true,
	"reasoning_effort": true, "dimensions": true, "encoding_format": true, "user": true, "stream": true,
	"stream_options": true, "modalities": true, "audio": true, "prediction": true, "service_tier": true,
	"store": true, "verbosity": true, "web_search_options": true, "functions": true, "function_call": true,
	"top_k": true, "thinking": true, "best_of": true, "echo": true, "suffix": true,
}

// modelParameters keeps the recognised model parameters of optional
// params.
func modelParameters(params map[string]any) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		if modelParams[k] {
			out[k] = v
		}
	}
	return out
}

// exclude empties one key of the payload (WithPayloadExcludedFields): null
// where the key may be null, the zero value otherwise.
func (p *StandardLoggingPayload) exclude(key string) {
	switch key {
	case "id":
		p.ID = ""
	case "trace_id":
		p.TraceID = ""
	case "litellm_call_id":
		p.LiteLLMCallID = ""
	case "call_type":
		p.CallType = ""
	case "stream":
		p.Stream = nil
	case "response_cost":
		p.ResponseCost = 0
	case "response_cost_failure_debug_info":
		p.ResponseCostFailureDebugInfo = nil
	case "cost_breakdown":
		p.CostBreakdown = nil
	case "status":
		p.Status = ""
	case "status_fields":
		p.StatusFields = StandardLoggingStatusFields{}
	case "custom_llm_provider":
		p.CustomLLMProvider = nil
	case "total_tokens":
		p.TotalTokens = 0
	case "prompt_tokens":
		p.PromptTokens = 0
	case "completion_tokens":
		p.CompletionTokens = 0
	case "startTime":
		p.StartTime = 0
	case "endTime":
		p.EndTime = 0
	case "completionStartTime":
		p.CompletionStartTime = 0
	case "response_time":
		p.ResponseTime = 0
	case "model_map_information":
		p.ModelMapInformation = StandardLoggingModelInformation{}
	case "model":
		p.Model = ""
	case "model_id":
		p.ModelID = ""
	case "model_group":
		p.ModelGroup = ""
	case "api_base":
		p.APIBase = ""
	case "metadata":
		p.Metadata = StandardLoggingMetadata{}
	case "cache_hit":
		p.CacheHit = nil
	case "cache_key":
		p.CacheKey = nil
	case "saved_cache_cost":
		p.SavedCacheCost = 0
	case "request_tags":
		p.RequestTags = []string{}
	case "end_user":
		p.EndUser = ""
	case "requester_ip_address":
		p.RequesterIPAddress = nil
	case "user_agent":
		p.UserAgent = nil
	case "messages":
		p.Messages = nil
	case "response":
		p.Response = nil
	case "error_str":
		p.ErrorStr = nil
	case "error_information":
		p.ErrorInformation = nil
	case "model_parameters":
		p.ModelParameters = map[string]any{}
	case "hidden_params":
		p.HiddenParams = StandardLoggingHiddenParams{}
	case "guardrail_information":
		p.GuardrailInformation = nil
	case "standard_built_in_tools_params":
		p.StandardBuiltInToolsParams = nil
	}
}

// loggedMessages returns the call's input as LiteLLM logs it: the chat
// messages, or a text-completion prompt or embedding inputs as user
// messages; nil when there is none.
func loggedMessages(e *llmux.Event) any {
	switch {
	case len(e.Messages) > 0:
		return e.Messages
	case e.Prompt != "":
		return []llmux.Message{{Role: llmux.RoleUser, Content: e.Prompt}}
	case len(e.Input) > 0:
		ms := make([]llmux.Message, len(e.Input))
		for i, in := range e.Input {
			ms[i] = llmux.Message{Role: llmux.RoleUser, Content: in}
		}
		return ms
	}
	return nil
}

// standardMetadata fills LiteLLM's metadata keys from the (already
// encodable) request metadata.
func standardMetadata(m map[string]any, u llmux.Usage) StandardLoggingMetadata {
	md := StandardLoggingMetadata{
		UserAPIKeyHash:             metaString(m, "user_api_key_hash"),
		UserAPIKeyAlias:            metaString(m, "user_api_key_alias"),
		UserAPIKeySpend:            metaFloat(m, "user_api_key_spend"),
		UserAPIKeyMaxBudget:        metaFloat(m, "user_api_key_max_budget"),
		UserAPIKeyBudgetResetAt:    metaString(m, "user_api_key_budget_reset_at"),
		UserAPIKeyUserSpend:        metaFloat(m, "user_api_key_user_spend"),
		UserAPIKeyUserMaxBudget:    metaFloat(m, "user_api_key_user_max_budget"),
		UserAPIKeyTeamSpend:        metaFloat(m, "user_api_key_team_spend"),
		UserAPIKeyTeamMaxBudget:    metaFloat(m, "user_api_key_team_max_budget"),
		UserAPIKeyOrgID:            metaString(m, "user_api_key_org_id"),
		UserAPIKeyOrgAlias:         metaString(m, "user_api_key_org_alias"),
		UserAPIKeyTeamID:           metaString(m, "user_api_key_team_id"),
		UserAPIKeyProjectID:        metaString(m, "user_api_key_project_id"),
		UserAPIKeyProjectAlias:     metaString(m, "user_api_key_project_alias"),
		UserAPIKeyUserID:           metaString(m, "user_api_key_user_id"),
		UserAPIKeyUserEmail:        metaString(m, "user_api_key_user_email"),
		UserAPIKeyTeamAlias:        metaString(m, "user_api_key_team_alias"),
		UserAPIKeyEndUserID:        metaString(m, "user_api_key_end_user_id"),
		UserAPIKeyRequestRoute:     metaString(m, "user_api_key_request_route"),
		UserAPIKeyAuthMetadata:     m["user_api_key_auth_metadata"],
		SpendLogsMetadata:          m["spend_logs_metadata"],
		RequesterIPAddress:         metaString(m, "requester_ip_address"),
		UserAgent:                  metaString(m, "user_agent"),
		RequesterCustomHeaders:     m["requester_custom_headers"],
		PromptManagementMetadata:   m["prompt_management_metadata"],
		MCPToolCallMetadata:        m["mcp_tool_call_metadata"],
		VectorStoreRequestMetadata: m["vector_store_request_metadata"],
		AppliedGuardrails:          m["applied_guardrails"],
		UsageObject:                u,
		ColdStorageObjectKey:       metaString(m, "cold_storage_object_key"),
		TeamAlias:                  metaString(m, "team_alias"),
		TeamID:                     metaString(m, "team_id"),
	}
	// LiteLLM's proxy passes the virtual key's hash as user_api_key; only a
	// hash is ever copied, never a key.
	if k, ok := m["user_api_key"].(string); ok && mask.IsSHA256Hex(k) {
		md.UserAPIKeyHash = &k
	}
	if v, ok := m["usage_object"]; ok {
		md.UsageObject = v
	}
	if v, ok := m["requester_metadata"]; ok {
		md.RequesterMetadata = v
	} else if m != nil {
		md.RequesterMetadata = m
	}
	return md
}

// metaString returns m[k] as a string: strings as they are, numbers and
// booleans formatted, anything else nil.
func metaString(m map[string]any, k string) *string {
	// Each branch makes its own string: one declared before the switch
	// would be moved to the heap on every call, a key absent or not (a
	// payload looks up twenty such keys).
	switch v := m[k].(type) {
	case string:
		return &v
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		s := fmt.Sprint(v)
		return &s
	}
	return nil
}

// metaFloat returns m[k] as a finite float64, or nil.
func metaFloat(m map[string]any, k string) *float64 {
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	var f float64
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		f = rv.Float()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f = float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f = float64(rv.Uint())
	default:
		return nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// requestTags returns the request's tags, else metadata["tags"]; never nil.
func requestTags(tags []string, metaTags any) []string {
	if len(tags) > 0 {
		return tags
	}
	out := []string{}
	switch v := metaTags.(type) {
	case []string:
		out = append(out, v...)
	case []any:
		for _, t := range v {
			if s, ok := t.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// additionalHeaders picks the OpenAI rate-limit headers out of the
// response headers; nil when there are none.
func additionalHeaders(h map[string]string) *StandardLoggingAdditionalHeaders {
	if len(h) == 0 {
		return nil
	}
	var out StandardLoggingAdditionalHeaders
	found := false
	for k, v := range h {
		switch strings.ToLower(k) {
		case "x-ratelimit-limit-requests":
			out.XRatelimitLimitRequests, found = atoiPtr(v), true
		case "x-ratelimit-limit-tokens":
			out.XRatelimitLimitTokens, found = atoiPtr(v), true
		case "x-ratelimit-remaining-requests":
			out.XRatelimitRemainingRequests, found = atoiPtr(v), true
		case "x-ratelimit-remaining-tokens":
			out.XRatelimitRemainingTokens, found = atoiPtr(v), true
		case "x-ratelimit-reset-requests":
			out.XRatelimitResetRequests, found = v, true
		case "x-ratelimit-reset-tokens":
			out.XRatelimitResetTokens, found = v, true
		}
	}
	if !found {
		return nil
	}
	return &out
}

func atoiPtr(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &n
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	v := s // only a non-empty string is moved to the heap
	return &v
}

// epochSeconds returns t as Unix seconds with a fractional part; 0 for the
// zero time.
func epochSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// finite returns f, or 0 when JSON cannot encode it (NaN, ±Inf).
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
