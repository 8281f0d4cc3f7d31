package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// object builds a JSON object with keys in insertion order, so request
// bodies are byte-for-byte deterministic.
type object = jsonobj.Object

// field is one member of a body, set only when its When holds.
type field = jsonobj.Field

// merge adds the request's Extra keys but those in skip (mapped by the
// caller), sorted; a key already present is replaced in place.
func mergeExtra(o *object, extra map[string]json.RawMessage, skip ...string) error {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		var buf bytes.Buffer
		if err := json.Compact(&buf, extra[k]); err != nil {
			return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: k,
				Message: fmt.Sprintf("extra parameter %q is not valid JSON", k), Err: err}
		}
		o.SetRaw(k, buf.Bytes())
	}
	return nil
}

func invalidRequest(format string, args ...any) *llmux.Error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is invalidRequest naming the parameter at fault.
func invalidParam(param, format string, args ...any) *llmux.Error {
	e := invalidRequest(format, args...)
	e.Param = param
	return e
}

// compactJSON validates and compacts a raw JSON member of the request,
// such as a cache_control marker.
func compactJSON(raw json.RawMessage, param, where string) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalidParam(param, "%s: %s is not valid JSON", where, param)
	}
	return buf.Bytes(), nil
}
