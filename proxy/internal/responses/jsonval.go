package responses

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/llmux/llmux"
)

// invalid returns a CodeInvalidRequest error about the member at path.
func invalid(path, format string, args ...any) *llmux.Error {
	return pathError(llmux.CodeInvalidRequest, path, format, args...)
}

// unsupported returns a CodeUnsupported error about the member at path.
func unsupported(path, format string, args ...any) *llmux.Error {
	return pathError(llmux.CodeUnsupported, path, format, args...)
}

func pathError(code llmux.Code, path, format string, args ...any) *llmux.Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &llmux.Error{Code: code, Param: path, Message: "responses: " + msg}
}

// jsonErr shortens encoding/json's messages, which name Go types.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at offset %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		e := te
		return "want " + jsonKind(e.Type.Kind().String()) + ", not " + e.Value
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	case "string":
		return "a string"
	}
	return goKind
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

func nonNull(v json.RawMessage) json.RawMessage {
	if isNull(v) {
		return nil
	}
	return v
}

func orEmpty(v json.RawMessage) json.RawMessage {
	if isNull(v) {
		return json.RawMessage(`""`)
	}
	return v
}

func isObject(v json.RawMessage) bool { return len(v) > 0 && v[0] == '{' }

func asObject(v json.RawMessage, path string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if !isObject(v) || json.Unmarshal(v, &m) != nil {
		return nil, invalid(path, "want an object")
	}
	return m, nil
}

func asString(v json.RawMessage, path string) (string, error) {
	var s string
	if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return "", invalid(path, "want a string")
	}
	return s, nil
}

// reqString returns a required, non-empty string.
func reqString(v json.RawMessage, path string) (string, error) {
	if v == nil {
		return "", invalid(path, "required")
	}
	s, err := asString(v, path)
	if err == nil && s == "" {
		return "", invalid(path, "must not be empty")
	}
	return s, err
}

func optString(v json.RawMessage, path string) (*string, error) {
	if v == nil {
		return nil, nil
	}
	s, err := asString(v, path)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func asBool(v json.RawMessage, path string) (bool, error) {
	switch string(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalid(path, "want true or false")
}

func optFloat(v json.RawMessage, path string) (*float64, error) {
	if v == nil {
		return nil, nil
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || !isNumber(v) {
		return nil, invalid(path, "want a number")
	}
	return &f, nil
}

func optInt(v json.RawMessage, path string) (*int, error) {
	if v == nil {
		return nil, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || !isNumber(v) {
		// 100.0 is an integer too.
		f, ferr := strconv.ParseFloat(string(v), 64)
		if ferr != nil || !isNumber(v) || f != float64(int(f)) {
			return nil, invalid(path, "want an integer")
		}
		n = int(f)
	}
	return &n, nil
}

// isNumber reports whether v is a JSON number (strconv also takes "Inf",
// "0x1p3", "+1" and "1_000").
func isNumber(v json.RawMessage) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+') {
			return false
		}
	}
	return v[0] == '-' || v[0] >= '0' && v[0] <= '9'
}
