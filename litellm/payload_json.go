package litellm

import (
	"encoding/json"
	"slices"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonx"
)

// MarshalJSON encodes the payload as encoding/json encodes its fields
// (same keys in the same order, same numbers), written by hand because a
// payload is encoded once per finished call by every logger that stores
// it: reflection and re-validating the nested messages and response cost
// several times the work. Unlike encoding/json, <, > and & in strings are
// written as they are, as LiteLLM (Python's json.dumps) writes them.
func (p *StandardLoggingPayload) MarshalJSON() ([]byte, error) {
	return p.AppendJSON(make([]byte, 0, p.sizeHint()))
}

// sizeHint estimates the encoded size: about 3.5 KiB of keys and figures,
// plus the messages and the response.
func (p *StandardLoggingPayload) sizeHint() int {
	n := 3584
	if ms, ok := p.Messages.([]llmux.Message); ok {
		for i := range ms {
			n += 64 + len(ms[i].Content)
		}
	}
	if r, ok := p.Response.(*llmux.Response); ok && r != nil {
		for i := range r.Choices {
			n += 256 + len(r.Choices[i].Message.Content) + len(r.Choices[i].Text)
		}
	}
	return n
}

// AppendJSON appends the payload's JSON ([StandardLoggingPayload.MarshalJSON])
// to b.
func (p *StandardLoggingPayload) AppendJSON(b []byte) ([]byte, error) {
	return p.appendJSON(jsonx.Enc{B: b})
}

// AppendPythonJSON appends the payload's JSON as LiteLLM's Python writes
// it (json.dumps) to b: as [StandardLoggingPayload.AppendJSON], but with
// the numbers Go and Python print differently in Python's form (3.5e-05,
// not 0.000035; 1e+16, not 10000000000000000), as a file or bucket of
// LiteLLM's payloads holds them. It writes those at once instead of
// rewriting the whole line after: the same bytes for less work.
func (p *StandardLoggingPayload) AppendPythonJSON(b []byte) ([]byte, error) {
	return p.appendJSON(jsonx.Enc{B: b, Python: true})
}

func (p *StandardLoggingPayload) appendJSON(e jsonx.Enc) ([]byte, error) {
	e.Open()
	e.Name("id")
	e.Str(p.ID)
	e.Name("trace_id")
	e.Str(p.TraceID)
	e.Name("litellm_call_id")
	e.Str(p.LiteLLMCallID)
	e.Name("call_type")
	e.Str(p.CallType)
	e.Name("stream")
	boolPtr(&e, p.Stream)
	e.Name("response_cost")
	e.Float(p.ResponseCost)
	e.Name("response_cost_failure_debug_info")
	if d := p.ResponseCostFailureDebugInfo; d == nil {
		e.Null()
	} else {
		e.Open()
		e.Name("error_str")
		e.Str(d.ErrorStr)
		e.Name("traceback_str")
		e.Str(d.TracebackStr)
		e.Name("model")
		e.Str(d.Model)
		e.Name("cache_hit")
		e.Bool(d.CacheHit)
		e.Name("custom_llm_provider")
		e.Str(d.CustomLLMProvider)
		e.Name("call_type")
		e.Str(d.CallType)
		e.Close()
	}
	e.Name("cost_breakdown")
	if c := p.CostBreakdown; c == nil {
		e.Null()
	} else {
		e.Open()
		e.Name("input_cost")
		e.Float(c.InputCost)
		e.Name("output_cost")
		e.Float(c.OutputCost)
		e.Name("total_cost")
		e.Float(c.TotalCost)
		e.Name("tool_usage_cost")
		e.Float(c.ToolUsageCost)
		optFloat(&e, "cache_read_cost", c.CacheReadCost)
		optFloat(&e, "cache_creation_cost", c.CacheCreationCost)
		optFloat(&e, "reasoning_cost", c.ReasoningCost)
		e.Close()
	}
	e.Name("status")
	e.Str(p.Status)
	e.Name("status_fields")
	e.Open()
	e.Name("llm_api_status")
	e.Str(p.StatusFields.LLMAPIStatus)
	e.Name("guardrail_status")
	e.Str(p.StatusFields.GuardrailStatus)
	e.Close()
	e.Name("custom_llm_provider")
	strPtr(&e, p.CustomLLMProvider)
	e.Name("total_tokens")
	e.Int(int64(p.TotalTokens))
	e.Name("prompt_tokens")
	e.Int(int64(p.PromptTokens))
	e.Name("completion_tokens")
	e.Int(int64(p.CompletionTokens))
	e.Name("startTime")
	e.Float(p.StartTime)
	e.Name("endTime")
	e.Float(p.EndTime)
	e.Name("completionStartTime")
	e.Float(p.CompletionStartTime)
	e.Name("response_time")
	e.Float(p.ResponseTime)
	e.Name("model_map_information")
	e.Open()
	e.Name("model_map_key")
	e.Str(p.ModelMapInformation.ModelMapKey)
	e.Name("model_map_value")
	anyValue(&e, p.ModelMapInformation.ModelMapValue)
	e.Close()
	e.Name("model")
	e.Str(p.Model)
	e.Name("model_id")
	e.Str(p.ModelID)
	e.Name("model_group")
	e.Str(p.ModelGroup)
	e.Name("api_base")
	e.Str(p.APIBase)
	e.Name("metadata")
	p.Metadata.encode(&e)
	e.Name("cache_hit")
	boolPtr(&e, p.CacheHit)
	e.Name("cache_key")
	strPtr(&e, p.CacheKey)
	e.Name("saved_cache_cost")
	e.Float(p.SavedCacheCost)
	e.Name("request_tags")
	strs(&e, p.RequestTags)
	e.Name("end_user")
	e.Str(p.EndUser)
	e.Name("requester_ip_address")
	strPtr(&e, p.RequesterIPAddress)
	e.Name("user_agent")
	strPtr(&e, p.UserAgent)
	e.Name("messages")
	anyValue(&e, p.Messages)
	e.Name("response")
	anyValue(&e, p.Response)
	e.Name("error_str")
	strPtr(&e, p.ErrorStr)
	e.Name("error_information")
	if i := p.ErrorInformation; i == nil {
		e.Null()
	} else {
		e.Open()
		e.Name("error_code")
		e.Str(i.ErrorCode)
		e.Name("error_class")
		e.Str(i.ErrorClass)
		e.Name("llm_provider")
		e.Str(i.LLMProvider)
		e.Name("traceback")
		e.Str(i.Traceback)
		e.Name("error_message")
		e.Str(i.ErrorMessage)
		e.Close()
	}
	e.Name("model_parameters")
	anyValue(&e, p.ModelParameters)
	e.Name("hidden_params")
	p.HiddenParams.encode(&e)
	e.Name("guardrail_information")
	anyValue(&e, p.GuardrailInformation)
	e.Name("standard_built_in_tools_params")
	if t := p.StandardBuiltInToolsParams; t == nil {
		e.Null()
	} else {
		e.Open()
		e.Name("web_search_options")
		anyValue(&e, t.WebSearchOptions)
		e.Name("file_search")
		anyValue(&e, t.FileSearch)
		e.Close()
	}
	e.Close()
	if e.Err != nil {
		return nil, e.Err
	}
	return e.B, nil
}

func (m *StandardLoggingMetadata) encode(e *jsonx.Enc) {
	e.Open()
	for _, f := range [...]struct {
		name string
		v    *string
	}{
		{"user_api_key_hash", m.UserAPIKeyHash},
		{"user_api_key_alias", m.UserAPIKeyAlias},
	} {
		e.Name(f.name)
		strPtr(e, f.v)
	}
	e.Name("user_api_key_spend")
	floatPtr(e, m.UserAPIKeySpend)
	e.Name("user_api_key_max_budget")
	floatPtr(e, m.UserAPIKeyMaxBudget)
	e.Name("user_api_key_budget_reset_at")
	strPtr(e, m.UserAPIKeyBudgetResetAt)
	e.Name("user_api_key_user_spend")
	floatPtr(e, m.UserAPIKeyUserSpend)
	e.Name("user_api_key_user_max_budget")
	floatPtr(e, m.UserAPIKeyUserMaxBudget)
	e.Name("user_api_key_team_spend")
	floatPtr(e, m.UserAPIKeyTeamSpend)
	e.Name("user_api_key_team_max_budget")
	floatPtr(e, m.UserAPIKeyTeamMaxBudget)
	for _, f := range [...]struct {
		name string
		v    *string
	}{
		{"user_api_key_org_id", m.UserAPIKeyOrgID},
		{"user_api_key_org_alias", m.UserAPIKeyOrgAlias},
		{"user_api_key_team_id", m.UserAPIKeyTeamID},
		{"user_api_key_project_id", m.UserAPIKeyProjectID},
		{"user_api_key_project_alias", m.UserAPIKeyProjectAlias},
		{"user_api_key_user_id", m.UserAPIKeyUserID},
		{"user_api_key_user_email", m.UserAPIKeyUserEmail},
		{"user_api_key_team_alias", m.UserAPIKeyTeamAlias},
		{"user_api_key_end_user_id", m.UserAPIKeyEndUserID},
		{"user_api_key_request_route", m.UserAPIKeyRequestRoute},
	} {
		e.Name(f.name)
		strPtr(e, f.v)
	}
	e.Name("user_api_key_auth_metadata")
	anyValue(e, m.UserAPIKeyAuthMetadata)
	e.Name("spend_logs_metadata")
	anyValue(e, m.SpendLogsMetadata)
	e.Name("requester_ip_address")
	strPtr(e, m.RequesterIPAddress)
	e.Name("user_agent")
	strPtr(e, m.UserAgent)
	for _, f := range [...]struct {
		name string
		v    any
	}{
		{"requester_metadata", m.RequesterMetadata},
		{"requester_custom_headers", m.RequesterCustomHeaders},
		{"prompt_management_metadata", m.PromptManagementMetadata},
		{"mcp_tool_call_metadata", m.MCPToolCallMetadata},
		{"vector_store_request_metadata", m.VectorStoreRequestMetadata},
		{"applied_guardrails", m.AppliedGuardrails},
		{"usage_object", m.UsageObject},
	} {
		e.Name(f.name)
		anyValue(e, f.v)
	}
	e.Name("cold_storage_object_key")
	strPtr(e, m.ColdStorageObjectKey)
	e.Name("team_alias")
	strPtr(e, m.TeamAlias)
	e.Name("team_id")
	strPtr(e, m.TeamID)
	e.Close()
}

func (h *StandardLoggingHiddenParams) encode(e *jsonx.Enc) {
	e.Open()
	e.Name("model_id")
	strPtr(e, h.ModelID)
	e.Name("cache_key")
	strPtr(e, h.CacheKey)
	e.Name("api_base")
	strPtr(e, h.APIBase)
	e.Name("response_cost")
	anyValue(e, h.ResponseCost)
	e.Name("litellm_overhead_time_ms")
	floatPtr(e, h.LiteLLMOverheadTimeMS)
	e.Name("additional_headers")
	if a := h.AdditionalHeaders; a == nil {
		e.Null()
	} else {
		e.Open()
		optIntPtr(e, "x_ratelimit_limit_requests", a.XRatelimitLimitRequests)
		optIntPtr(e, "x_ratelimit_limit_tokens", a.XRatelimitLimitTokens)
		optIntPtr(e, "x_ratelimit_remaining_requests", a.XRatelimitRemainingRequests)
		optIntPtr(e, "x_ratelimit_remaining_tokens", a.XRatelimitRemainingTokens)
		if a.XRatelimitResetRequests != "" {
			e.Name("x_ratelimit_reset_requests")
			e.Str(a.XRatelimitResetRequests)
		}
		if a.XRatelimitResetTokens != "" {
			e.Name("x_ratelimit_reset_tokens")
			e.Str(a.XRatelimitResetTokens)
		}
		e.Close()
	}
	e.Name("batch_models")
	strs(e, h.BatchModels)
	e.Name("litellm_model_name")
	strPtr(e, h.LiteLLMModelName)
	e.Name("usage_object")
	anyValue(e, h.UsageObject)
	if len(h.DroppedParams) > 0 {
		e.Name("dropped_params")
		strs(e, h.DroppedParams)
	}
	e.Close()
}

func strPtr(e *jsonx.Enc, s *string) {
	if s == nil {
		e.Null()
		return
	}
	e.Str(*s)
}

func boolPtr(e *jsonx.Enc, b *bool) {
	if b == nil {
		e.Null()
		return
	}
	e.Bool(*b)
}

func floatPtr(e *jsonx.Enc, f *float64) {
	if f == nil {
		e.Null()
		return
	}
	e.Float(*f)
}

func optFloat(e *jsonx.Enc, name string, f float64) {
	if f != 0 {
		e.Name(name)
		e.Float(f)
	}
}

func optIntPtr(e *jsonx.Enc, name string, n *int) {
	if n != nil {
		e.Name(name)
		e.Int(int64(*n))
	}
}

// strs writes a string slice as encoding/json does: nil is null.
func strs(e *jsonx.Enc, ss []string) {
	if ss == nil {
		e.Null()
		return
	}
	e.Strs(ss)
}

// anyValue writes a value the payload holds in an any field: the common
// types by hand, llmux's wire types through their own MarshalJSON (whose
// output is valid by construction), anything else with encoding/json.
func anyValue(e *jsonx.Enc, v any) {
	switch v := v.(type) {
	case nil:
		e.Null()
	case string:
		e.Str(v)
	case bool:
		e.Bool(v)
	case float64:
		e.Float(v)
	case int:
		e.Int(int64(v))
	case int64:
		e.Int(v)
	case []string:
		strs(e, v)
	case map[string]any:
		if v == nil {
			e.Null()
			return
		}
		e.Open()
		var small [16]string
		keys := small[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e.Name(k)
			anyValue(e, v[k])
		}
		e.Close()
	case []any:
		if v == nil {
			e.Null()
			return
		}
		e.OpenArray()
		for _, x := range v {
			anyValue(e, x)
		}
		e.CloseArray()
	case []llmux.Message:
		if v == nil {
			e.Null()
			return
		}
		e.OpenArray()
		for i := range v {
			e.AppendWith(v[i].AppendJSON)
		}
		e.CloseArray()
	case *llmux.Response:
		if v == nil {
			e.Null()
			return
		}
		e.AppendWith(v.AppendJSON)
	case llmux.Usage:
		e.AppendWith(v.AppendJSON)
	default:
		e.Value(v)
	}
}

var _ json.Marshaler = (*StandardLoggingPayload)(nil)
