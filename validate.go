package llmux

import (
	"encoding/json"
	"fmt"
	"strings"
)

// validate checks a request before any attempt, naming the offending field.
func validate(req *Request, ct CallType) error {
	bad := func(param, format string, args ...any) error {
		return &Error{Code: CodeInvalidRequest, Param: param, Message: param + ": " + fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(req.Model) == "" {
		return bad("model", "is required")
	}
	switch ct {
	case CallCompletion:
		if len(req.Messages) == 0 {
			return bad("messages", "at least one message is required")
		}
	case CallTextCompletion:
		if req.Prompt == "" && len(req.Messages) == 0 {
			return bad("prompt", "is required")
		}
	case CallEmbedding:
		if len(req.Input) == 0 {
			return bad("input", "at least one text is required")
		}
		switch req.EncodingFormat {
		case "", "float", "base64":
		default:
			return bad("encoding_format", "must be \"float\" or \"base64\", got %q", req.EncodingFormat)
		}
	}
	for i, m := range req.Messages {
		switch m.Role {
		case RoleSystem, RoleDeveloper, RoleUser, RoleAssistant, RoleTool, RoleFunction:
		case "":
			return bad(fmt.Sprintf("messages[%d].role", i), "is required")
		default:
			return bad(fmt.Sprintf("messages[%d].role", i), "unknown role %q", m.Role)
		}
		if m.Role == RoleTool && m.ToolCallID == "" {
			return bad(fmt.Sprintf("messages[%d].tool_call_id", i), "is required for tool messages")
		}
	}
	if t := req.Temperature; t != nil && (*t < 0 || *t > 2) {
		return bad("temperature", "must be between 0 and 2, got %v", *t)
	}
	if p := req.TopP; p != nil && (*p < 0 || *p > 1) {
		return bad("top_p", "must be between 0 and 1, got %v", *p)
	}
	if n := req.MaxTokens; n != nil && *n < 1 {
		return bad("max_tokens", "must be at least 1, got %d", *n)
	}
	if n := req.N; n != nil && *n < 1 {
		return bad("n", "must be at least 1, got %d", *n)
	}
	if n := req.MaxRetries; n != nil && *n < 0 {
		return bad("max_retries", "must not be negative, got %d", *n)
	}
	if cc := req.Cache; cc != nil {
		if cc.TTL < 0 {
			return bad("cache.ttl", "must not be negative, got %v", cc.TTL)
		}
		if cc.MaxAge < 0 {
			return bad("cache.s-maxage", "must not be negative, got %v", cc.MaxAge)
		}
	}
	if req.Timeout < 0 {
		return bad("timeout", "must not be negative, got %v", req.Timeout)
	}
	for i, t := range req.Tools {
		if t.Type != "" && t.Type != "function" {
			continue // another kind of tool (custom, a provider's built-in): the provider checks it
		}
		if t.Function.Name == "" {
			return bad(fmt.Sprintf("tools[%d].function.name", i), "is required")
		}
		if len(t.Function.Parameters) > 0 && !json.Valid(t.Function.Parameters) {
			return bad(fmt.Sprintf("tools[%d].function.parameters", i), "is not valid JSON")
		}
	}
	if len(req.ResponseFormat) > 0 && !json.Valid(req.ResponseFormat) {
		return bad("response_format", "is not valid JSON")
	}
	for k, v := range req.Extra {
		if requestMembers(k) {
			return errExtraMember(k)
		}
		if !json.Valid(v) {
			return bad("extra."+k, "is not valid JSON")
		}
	}
	switch req.MockResponse.(type) {
	case nil, string, error:
	default:
		return bad("mock_response", "must be a string or an error, got %T", req.MockResponse)
	}
	return nil
}
