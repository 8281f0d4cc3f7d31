package config

import (
	"encoding/json"
	"time"
)

// Duration is a length of time in a config file. It is written as a number
// of seconds, as LiteLLM writes timeouts (30, 0.5), or as a Go duration
// string ("30s", "1m30s", "250ms"). It prints, and encodes to JSON, as a Go
// duration string. Zero means unset; convert with time.Duration(d).
type Duration time.Duration

// String returns the duration in Go's notation, "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON encodes the duration as a JSON string in Go's notation.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }
