package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/llmux/llmux/internal/mask"
)

// envPrefix starts a reference to an environment variable, LiteLLM's syntax:
// "os.environ/AZURE_API_KEY".
const envPrefix = "os.environ/"

// Secret is a string that must never be shown: an API key, the master key, a
// password. [Secret.Value] returns it; every other way of printing one shows
// its reference ("os.environ/AZURE_API_KEY") when it came from the
// environment, or a mask ("sk-...abcd", "****" when shorter than 13
// characters) when it was written in the file. That holds for fmt's verbs
// (%v, %+v, %#v, %s, %q, %x...), encoding/json, encoding.TextMarshaler users
// and log/slog, so a Config can be logged or dumped as a whole.
//
// The zero Secret is empty. Secrets compare with [Secret.Equal] (go-cmp uses
// it).
type Secret struct {
	ref   string // "os.environ/NAME" when read from the environment
	value string
}

// NewSecret returns a Secret holding value, written inline: it prints as a
// mask.
func NewSecret(value string) Secret { return Secret{value: value} }

// EnvSecret returns a Secret holding value, read from the environment
// variable name: it prints as "os.environ/<name>".
func EnvSecret(name, value string) Secret { return Secret{ref: envPrefix + name, value: value} }

// Value returns the secret itself. Call it only where the secret is used
// (an Authorization header, a Redis AUTH), never to log it.
func (s Secret) Value() string { return s.value }

// Ref returns "os.environ/NAME" for a secret read from the environment, or ""
// for one written inline.
func (s Secret) Ref() string { return s.ref }

// IsZero reports whether s is neither set inline nor read from the
// environment.
func (s Secret) IsZero() bool { return s.ref == "" && s.value == "" }

// Equal reports whether s and o hold the same value from the same source.
func (s Secret) Equal(o Secret) bool { return s.ref == o.ref && s.value == o.value }

// String returns the reference, or the masked value, or "" for the zero
// Secret.
func (s Secret) String() string {
	if s.ref != "" {
		return s.ref
	}
	return mask.Key(s.value)
}

// GoString returns config.Secret("<reference or mask>"), for %#v.
func (s Secret) GoString() string { return "config.Secret(" + strconv.Quote(s.String()) + ")" }

// Format prints [Secret.String] for every verb (quoted for %q) and
// [Secret.GoString] for %#v, so no verb reaches the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(s.String()))
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalJSON encodes [Secret.String] as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText returns [Secret.String], for encoders that use
// encoding.TextMarshaler (YAML, TOML, map keys).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue returns [Secret.String] as a slog string value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

var (
	_ fmt.Formatter  = Secret{}
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ json.Marshaler = Secret{}
	_ slog.LogValuer = Secret{}
)
