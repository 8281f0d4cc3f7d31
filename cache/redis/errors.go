package redis

import (
	"context"
	"errors"
	"sort"
	"strings"
)

// wrap turns err from operation op into the error a Cache returns:
// "redis: <op>: <cause>", with the password masked. When ctx is done the
// error also wraps ctx.Err(), so errors.Is(err, context.DeadlineExceeded)
// holds even where go-redis reports only a socket "i/o timeout".
func (c *Cache) wrap(ctx context.Context, op string, err error) error {
	text := c.mask(strings.TrimPrefix(err.Error(), "redis: "))
	cause := err
	if text != strings.TrimPrefix(err.Error(), "redis: ") {
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

// opError is an error of a Cache method. Its text is masked; Unwrap gives
// the causes, so errors.Is and errors.As see through it.
type opError struct {
	msg    string
	causes []error
}

func (e *opError) Error() string   { return e.msg }
func (e *opError) Unwrap() []error { return e.causes }

// masker returns a function that replaces every non-empty secret in a
// text by "****", longest first so a secret containing another is hidden
// whole.
func masker(secrets []string) func(string) string {
	var s []string
	for _, v := range secrets {
		if v != "" {
			s = append(s, v)
		}
	}
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	return func(text string) string { return maskAll(text, s) }
}

func maskAll(text string, secrets []string) string {
	for _, v := range secrets {
		if v != "" {
			text = strings.ReplaceAll(text, v, "****")
		}
	}
	return text
}
