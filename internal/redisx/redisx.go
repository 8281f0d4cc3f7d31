// Package redisx holds what llmux's two Redis packages (cache/redis and
// router/redis) share: errors that never show the password.
package redisx

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Masker returns a function that replaces every non-empty secret in a
// text by "****", longest first so a secret containing another is hidden
// whole. Redis passwords may be short, so no minimum length applies.
func Masker(secrets []string) func(string) string {
	var s []string
	for _, v := range secrets {
		if v != "" {
			s = append(s, v)
		}
	}
	slices.SortFunc(s, func(a, b string) int { return len(b) - len(a) })
	return func(text string) string {
		for _, v := range s {
			text = strings.ReplaceAll(text, v, "****")
		}
		return text
	}
}

// Wrap turns err from operation op into "redis: <op>: <cause>", with mask
// applied to the cause's text. When ctx is done the error also wraps
// ctx.Err(), so errors.Is(err, context.DeadlineExceeded) holds even where
// go-redis reports only a socket "i/o timeout".
func Wrap(ctx context.Context, op string, err error, mask func(string) string) error {
	plain := strings.TrimPrefix(err.Error(), "redis: ")
	text := mask(plain)
	cause := err
	if text != plain {
		// The cause's own text shows the password (Redis echoes it in
		// "ERR AUTH <password> called without any password configured"),
		// and anything unwrapping to it could print it: cut the chain.
		cause = errors.New(text)
	}
	causes := []error{cause}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		causes = append(causes, ctxErr)
		text += " (" + ctxErr.Error() + ")"
	}
	return &opError{msg: "redis: " + op + ": " + text, causes: causes}
}

// opError's text is masked; Unwrap gives the causes, so errors.Is and
// errors.As see through it.
type opError struct {
	msg    string
	causes []error
}

func (e *opError) Error() string   { return e.msg }
func (e *opError) Unwrap() []error { return e.causes }
