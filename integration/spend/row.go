package spend

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/mask"
)

// Row is one line of the spend log: one finished call, success or
// failure. Its JSON form is what the logger queues.
type Row struct {
	// ID is the call id ([llmux.Event.CallID], LiteLLM's
	// litellm_call_id), never the provider's response id: response ids
	// are not unique, this one keys the table.
	ID       string `json:"id"`
	TraceID  string `json:"trace_id,omitempty"`
	CallType string `json:"call_type"`
	// StartTime and EndTime are the call's start and end, UTC.
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
	// Model is the model as the caller wrote it; Provider the provider
	// that served it (custom_llm_provider).
	Model    string `json:"model"`
	Provider string `json:"provider,omitempty"`
	// ModelGroup, ModelID and Deployment come from the router's route
	// ([llmux.Route]), else metadata model_group and model_info.id; empty
	// when the call was not routed.
	ModelGroup string `json:"model_group,omitempty"`
	ModelID    string `json:"model_id,omitempty"`
	Deployment string `json:"deployment,omitempty"`
	// APIBase is the URL of the last attempt, secrets masked.
	APIBase string `json:"api_base,omitempty"`
	// APIKey is the gateway's virtual key as LiteLLM's proxy reports it
	// (metadata user_api_key_hash, or user_api_key when it is a SHA-256
	// hash); anything that is not a hash is masked. UpstreamKey is the
	// provider key used, masked ("sk-...abcd").
	APIKey      string `json:"api_key,omitempty"`
	KeyAlias    string `json:"key_alias,omitempty"`
	UpstreamKey string `json:"upstream_key,omitempty"`
	// UserID, TeamID: metadata user_api_key_user_id, user_api_key_team_id.
	UserID string `json:"user_id,omitempty"`
	TeamID string `json:"team_id,omitempty"`
	// EndUser is metadata user_api_key_end_user_id, else the request's
	// user parameter.
	EndUser          string `json:"end_user,omitempty"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	TotalTokens      int    `json:"total_tokens"`
	// Cost is the cost in USD; nil (NULL) when it is unknown, never a
	// silent 0.
	Cost     *float64 `json:"cost"`
	CacheHit bool     `json:"cache_hit"`
	// Status is "success" or "failure".
	Status string `json:"status"`
	// ErrorCode is the failure's [llmux.Code] name (rate_limited, ...)
	// and HTTPStatus the upstream status; empty and 0 on success.
	ErrorCode  string `json:"error_code,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	// LatencyMS is EndTime - StartTime in milliseconds.
	LatencyMS int64 `json:"latency_ms"`
	// TTFTMS is the time to the first token of a stream, in
	// milliseconds; nil for calls that did not stream.
	TTFTMS *int64 `json:"ttft_ms"`
	// Tags are the request's tags (or metadata tags).
	Tags []string `json:"tags"`
}

// Statuses of a [Row].
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
)

// RowOf returns the spend-log row of a terminal (success or failure)
// event.
func RowOf(e *llmux.Event) Row {
	failed := e.Type == llmux.EventFailure || e.Err != nil
	end := e.EndTime
	if end.IsZero() {
		end = e.StartTime
	}
	r := Row{
		ID:               e.CallID,
		TraceID:          e.TraceID,
		CallType:         string(e.CallType),
		StartTime:        e.StartTime.UTC(),
		EndTime:          end.UTC(),
		Model:            e.Model,
		Provider:         e.Provider,
		ModelGroup:       metaStr(e.Metadata, "model_group"),
		APIBase:          mask.URL(strings.TrimRight(e.Attempt.APIBase, "/")),
		UpstreamKey:      maskedKey(e.Attempt.APIKey),
		KeyAlias:         metaStr(e.Metadata, "user_api_key_alias"),
		UserID:           metaStr(e.Metadata, "user_api_key_user_id"),
		TeamID:           metaStr(e.Metadata, "user_api_key_team_id"),
		EndUser:          e.User,
		PromptTokens:     e.Usage.PromptTokens,
		CompletionTokens: e.Usage.CompletionTokens,
		TotalTokens:      e.Usage.TotalTokens,
		CacheHit:         e.CacheHit,
		Status:           StatusSuccess,
		LatencyMS:        end.Sub(e.StartTime).Milliseconds(),
		Tags:             tags(e),
	}
	if info, ok := e.Metadata["model_info"].(map[string]any); ok {
		r.ModelID, _ = info["id"].(string)
	}
	if rt := e.Route; rt.ModelGroup != "" || rt.ModelID != "" || rt.Deployment != "" {
		r.ModelGroup, r.ModelID, r.Deployment = rt.ModelGroup, rt.ModelID, rt.Deployment
	}
	if id := metaStr(e.Metadata, "user_api_key_end_user_id"); id != "" {
		r.EndUser = id
	}
	r.APIKey = virtualKey(e.Metadata)
	if e.CostErr == nil {
		c := e.ResponseCost
		r.Cost = &c
	}
	if e.Stream && !e.CompletionStartTime.IsZero() {
		ms := e.CompletionStartTime.Sub(e.StartTime).Milliseconds()
		r.TTFTMS = &ms
	}
	if failed {
		r.Status = StatusFailure
		r.ErrorCode = llmux.CodeOf(e.Err).String()
		var le *llmux.Error
		if errors.As(e.Err, &le) && le.StatusCode != 0 {
			r.HTTPStatus = le.StatusCode
		} else {
			r.HTTPStatus = e.StatusCode
		}
	}
	return r
}

// virtualKey returns the virtual key's hash from LiteLLM's metadata keys;
// a value that is not a SHA-256 hash is masked, so no key is ever stored.
func virtualKey(m map[string]any) string {
	if k := metaStr(m, "user_api_key_hash"); k != "" {
		if mask.IsSHA256Hex(k) {
			return k
		}
		return mask.Key(k)
	}
	if k := metaStr(m, "user_api_key"); mask.IsSHA256Hex(k) {
		return k
	} else if k != "" {
		return mask.Key(k)
	}
	return ""
}

// maskedKey returns an upstream key as masked; the event's key already
// is, this only makes sure.
func maskedKey(k string) string {
	if k == "" || k == "****" || strings.Contains(k, "...") && len(k) <= 10 {
		return k
	}
	return mask.Key(k)
}

func metaStr(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(v)
	}
	return ""
}

// tags returns the request's tags, else metadata["tags"]; never nil.
func tags(e *llmux.Event) []string {
	if len(e.Tags) > 0 {
		return append([]string(nil), e.Tags...)
	}
	out := []string{}
	switch v := e.Metadata["tags"].(type) {
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
