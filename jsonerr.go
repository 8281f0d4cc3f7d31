package llmux

import (
	"errors"
	"sync"

	"github.com/llmux/llmux/internal/jsonx"
)

// wrapJSON names the type a JSON error was met in.
func wrapJSON(what string, err error) error {
	if err == nil {
		return nil
	}
	var je *jsonx.Error
	if errors.As(err, &je) {
		return errors.New("llmux: decode " + what + ": " + je.Error())
	}
	return errors.New("llmux: decode " + what + ": " + err.Error())
}

// names returns a membership test for a fixed set of member names. The
// set is built on first use (only values with Extra members need it), so
// a process that never writes one pays nothing at start.
func names(members ...string) func(string) bool {
	set := sync.OnceValue(func() map[string]struct{} {
		m := make(map[string]struct{}, len(members))
		for _, n := range members {
			m[n] = struct{}{}
		}
		return m
	})
	return func(name string) bool {
		_, ok := set()[name]
		return ok
	}
}
