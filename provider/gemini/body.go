package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// object builds a JSON object with keys in insertion order, so request
// bodies are byte-for-byte deterministic.
type object = jsonobj.Object

// field is one member of a body, set only when its When holds.
type field = jsonobj.Field

// compact validates and compacts raw JSON given by the caller.
func (p *Provider) compact(raw json.RawMessage, param, where string) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, p.invalidParam(param, "%s: %s is not valid JSON", where, param)
	}
	return buf.Bytes(), nil
}

func (p *Provider) invalidRequest(format string, args ...any) *llmux.Error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: p.cfg.name, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is invalidRequest naming the parameter at fault.
func (p *Provider) invalidParam(param, format string, args ...any) *llmux.Error {
	e := p.invalidRequest(format, args...)
	e.Param = param
	return e
}
