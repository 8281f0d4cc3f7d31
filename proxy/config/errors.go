package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel causes of an [Error], for errors.Is.
var (
	// ErrSyntax: the file is not valid YAML.
	ErrSyntax = errors.New("invalid yaml")
	// ErrUnknownKey: a key that is neither llmux's nor a known LiteLLM one.
	ErrUnknownKey = errors.New("unknown key")
	// ErrEnvNotSet: an os.environ/NAME reference to a variable that is not set.
	ErrEnvNotSet = errors.New("environment variable not set")
	// ErrType: a value of the wrong type, such as a list where a number goes.
	ErrType = errors.New("wrong type")
	// ErrInvalid: a value of the right type that is not allowed, such as a
	// negative timeout or an unknown routing strategy ([Config.Validate]).
	ErrInvalid = errors.New("invalid value")
)

// Error is one problem with a config: where it is and what is wrong. Load
// and [Config.Validate] return every problem they find at once, joined with
// errors.Join; errors.As finds each *Error among them.
//
// Error messages never contain a secret: they name keys and environment
// variables and quote only values that cannot be secrets.
type Error struct {
	File   string // as given to [Load] with [WithFileName], or the path given to [LoadFile]; may be empty
	Line   int    // 1-based; 0 when unknown (a Config built in Go)
	Column int    // 1-based; 0 when unknown
	Path   string // the key path: "model_list[0].litellm_params.rpm"; empty for the whole file
	Msg    string // what is wrong, lowercase: "unknown key (did you mean master_key?)"
	Err    error  // the cause: one of the Err* sentinels, or what a lookup returned
}

// Error formats the problem as "config: file:line: path: msg", leaving out
// the parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Warning is something in a config that llmux accepts but does not act on:
// the keys LiteLLM has that llmux does not support yet. Load returns them in
// [Config.Warnings] for the caller to log once; the package prints nothing.
type Warning struct {
	Msg  string   `json:"msg"`  // one line, ready to log; it names every key
	Keys []KeyRef `json:"keys"` // the keys, in file order
}

// String returns w.Msg.
func (w Warning) String() string { return w.Msg }

// KeyRef is where a key is in the file.
type KeyRef struct {
	Path string `json:"path"` // "general_settings.database_url"
	Line int    `json:"line"`
}

// suggest returns the candidate closest to s if it is close enough to be a
// likely typo, or "".
func suggest(s string, candidates ...[]string) string {
	best, bestD := "", 0
	limit := 2
	if len(s) > 10 {
		limit = 3
	}
	for _, list := range candidates {
		for _, c := range list {
			d := editDistance(s, c)
			if d <= limit && (best == "" || d < bestD) {
				best, bestD = c, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not a typo of a key name; keeps the cost bounded
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// joinErrors joins errs in file order (by line, then column; problems with
// no line keep their order, after the others).
func joinErrors(errs []error) error {
	key := func(e error) (int, int) {
		var ce *Error
		if errors.As(e, &ce) && ce.Line > 0 {
			return ce.Line, ce.Column
		}
		return 1 << 30, 0
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		al, ac := key(a)
		bl, bc := key(b)
		return cmp.Or(cmp.Compare(al, bl), cmp.Compare(ac, bc))
	})
	return errors.Join(errs...)
}
