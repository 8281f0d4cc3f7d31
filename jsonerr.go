package llmux

import (
	"errors"

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

// names returns a membership test for a fixed set of member names.
func names(members ...string) func(string) bool {
	set := make(map[string]struct{}, len(members))
	for _, m := range members {
		set[m] = struct{}{}
	}
	return func(name string) bool {
		_, ok := set[name]
		return ok
	}
}
