package messages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/llmux/llmux"
)

func (d *decoder) str(raw json.RawMessage, path string, dst *string) error {
	if raw == nil {
		return invalid(path, "is required")
	}
	if kind(raw) != '"' || unmarshal(raw, dst) != nil {
		return invalid(path, "want a string")
	}
	return nil
}

func (d *decoder) int(raw json.RawMessage, path string, dst *int) error {
	if kind(raw) != '-' && (kind(raw) < '0' || kind(raw) > '9') || unmarshal(raw, dst) != nil {
		return invalid(path, "want an integer")
	}
	return nil
}

func (d *decoder) float(raw json.RawMessage, path string, dst *float64) error {
	if kind(raw) != '-' && (kind(raw) < '0' || kind(raw) > '9') || unmarshal(raw, dst) != nil {
		return invalid(path, "want a number")
	}
	return nil
}

func (d *decoder) bool(raw json.RawMessage, path string, dst *bool) error {
	if (kind(raw) != 't' && kind(raw) != 'f') || unmarshal(raw, dst) != nil {
		return invalid(path, "want true or false")
	}
	return nil
}

// kind returns the first byte of a JSON value: '{', '[', '"', 't', 'f',
// 'n', or a digit or '-'; 0 for nothing.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isNull(raw json.RawMessage) bool { return kind(raw) == 'n' }

func nullMember(obj map[string]json.RawMessage, name string) bool {
	raw, ok := obj[name]
	return ok && isNull(raw)
}

// rest returns the members of obj but those named, or nil.
func rest(obj map[string]json.RawMessage, skip ...string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range obj {
		if slices.Contains(skip, k) {
			continue
		}
		if out == nil {
			out = make(map[string]json.RawMessage, len(obj))
		}
		out[k] = v
	}
	return out
}

// onlyMembers reports whether obj has no member but those named.
func onlyMembers(obj map[string]json.RawMessage, names ...string) bool {
	for k := range obj {
		if !slices.Contains(names, k) {
			return false
		}
	}
	return true
}

func onlyKeys(m map[string]string, names ...string) bool {
	for k := range m {
		if !slices.Contains(names, k) {
			return false
		}
	}
	return len(m) == len(names)
}

// cleanMediaType reports whether a media type survives a data URL: not
// empty, without the comma that ends a data URL's header.
func cleanMediaType(mt string) bool { return mt != "" && !strings.ContainsAny(mt, ",") }

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// invalid returns the error of a request member: an *llmux.Error with
// CodeInvalidRequest naming it.
func invalid(path, format string, args ...any) *llmux.Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Param: path, Message: "messages: " + msg}
}

// unmarshalOptions make encoding/json/v2 (whose Unmarshal is several
// times faster than encoding/json's on the nested objects of a request)
// as lenient as encoding/json: the last of duplicate names wins, invalid
// UTF-8 becomes U+FFFD.
var unmarshalOptions = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// unmarshal decodes data into v.
func unmarshal(data []byte, v any) error { return jsonv2.Unmarshal(data, v, unmarshalOptions) }
