package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llmux/llmux/internal/mask"
)

// decoder turns a node tree into a Config, collecting every problem instead
// of stopping at the first.
type decoder struct {
	file        string
	lookup      func(string) (string, bool) // the process environment
	env         map[string]Secret           // environment_variables, seen before lookup
	errs        []error
	unsupported []KeyRef
	pos         map[string]position
	envRefs     map[string]string // key path -> the variable its value was read from
}

// fail records a problem with the value n at path.
func (d *decoder) fail(n *node, path string, cause error, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.line, Column: n.col, Path: path, Msg: fmt.Sprintf(format, args...), Err: cause})
}

// mark records where the value at path is, for Validate, unless its key's
// position is recorded already: "litellm_params:" is a better place to
// report a missing model than the line of the first key below it.
func (d *decoder) mark(path string, n *node) {
	if _, ok := d.pos[path]; !ok && n.line > 0 {
		d.pos[path] = position{n.line, n.col}
	}
}

// getenv is the one place the environment is read: environment_variables
// from the file first (LiteLLM sets them in the environment before it reads
// the rest), then the lookup (os.LookupEnv unless WithLookupEnv).
func (d *decoder) getenv(name string) (string, bool) {
	if s, ok := d.env[name]; ok {
		return s.Value(), true
	}
	return d.lookup(name)
}

// resolveEnv resolves s when it is an os.environ/NAME reference, returning
// the variable's value and NAME; any other s is returned as it is. A
// variable that is not set is an error naming it, the key path and the
// line. Every string value in the file passes through here.
func (d *decoder) resolveEnv(path string, n *node, s string) (value, name string, ok bool) {
	name, isRef := strings.CutPrefix(s, envPrefix)
	if !isRef {
		return s, "", true
	}
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		d.fail(n, path, ErrInvalid, "%s must be followed by the name of an environment variable", envPrefix)
		return "", "", false
	}
	v, found := d.getenv(name)
	if !found {
		d.fail(n, path, ErrEnvNotSet, "environment variable %s is not set (%s%s)", name, envPrefix, name)
		return "", "", false
	}
	d.envRefs[path] = name
	return v, name, true
}

// scalar returns the text of n, resolved when it is an os.environ/
// reference, and the variable's name. want describes the expected type for
// the error when n is a mapping or a list; ok is false then, and when a
// variable is missing (both reported). A null gives "" and ok.
func (d *decoder) scalar(path string, n *node, want string) (text, env string, ok bool) {
	d.mark(path, n)
	switch n.kind {
	case nullKind:
		return "", "", true
	case mapKind, seqKind:
		d.fail(n, path, ErrType, "expected %s, got %s", want, n.kind)
		return "", "", false
	case stringKind:
		return d.resolveEnv(path, n, n.text)
	}
	return n.text, "", true
}

// str decodes a string. Numbers and booleans are taken as written
// (api_version: 2024-02-01).
func (d *decoder) str(path string, n *node) string {
	s, _, _ := d.scalar(path, n, "a string")
	return s
}

// secret decodes a string that must not be shown.
func (d *decoder) secret(path string, n *node) Secret {
	s, env, ok := d.scalar(path, n, "a string")
	switch {
	case !ok:
		return Secret{}
	case env != "":
		return EnvSecret(env, s)
	}
	return NewSecret(s)
}

// shown describes a value for a message: quoted when written in the file,
// by its reference when read from the environment (it may be a secret).
func shown(s, env string) string {
	if env != "" {
		return "the value of " + envPrefix + env
	}
	return quote(s)
}

// quote quotes s for a message, cut to 40 characters.
func quote(s string) string {
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}

// number decodes a finite number; ok is false when n is not one (reported)
// or is null.
func (d *decoder) number(path string, n *node, want string) (f float64, ok bool) {
	switch n.kind {
	case intKind, floatKind:
		d.mark(path, n)
		f = n.f
	case nullKind:
		d.mark(path, n)
		return 0, false
	default:
		s, env, sok := d.scalar(path, n, want)
		if !sok {
			return 0, false
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || n.kind == boolKind {
			d.fail(n, path, ErrType, "expected %s, got %s", want, shown(s, env))
			return 0, false
		}
		f = v
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.fail(n, path, ErrType, "expected %s, got %s", want, n.text)
		return 0, false
	}
	return f, true
}

// integer decodes a whole number (4, 4.0, "4", os.environ/PORT).
func (d *decoder) integer(path string, n *node) (int, bool) {
	if n.kind == intKind {
		d.mark(path, n)
		return int(n.i), true
	}
	f, ok := d.number(path, n, "an integer")
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || f > math.MaxInt || f < math.MinInt {
		d.fail(n, path, ErrType, "expected an integer, got %v", f)
		return 0, false
	}
	return int(f), true
}

// intPtr decodes an integer where unset differs from 0.
func (d *decoder) intPtr(path string, n *node) *int {
	if v, ok := d.integer(path, n); ok {
		return &v
	}
	return nil
}

// float decodes a number.
func (d *decoder) float(path string, n *node) float64 {
	f, _ := d.number(path, n, "a number")
	return f
}

// floatPtr decodes a number where unset differs from 0.
func (d *decoder) floatPtr(path string, n *node) *float64 {
	if f, ok := d.number(path, n, "a number"); ok {
		return &f
	}
	return nil
}

// boolean decodes true or false. Strings are read as YAML 1.1 does, since
// LiteLLM's parser does: yes/no, on/off, and strconv.ParseBool's forms.
func (d *decoder) boolean(path string, n *node) bool {
	if n.kind == boolKind {
		d.mark(path, n)
		return n.b
	}
	if n.kind == intKind || n.kind == floatKind {
		d.mark(path, n)
		d.fail(n, path, ErrType, "expected true or false, got %s", n.text)
		return false
	}
	s, env, ok := d.scalar(path, n, "true or false")
	if !ok || n.kind == nullKind {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on":
		return true
	case "no", "off":
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		d.fail(n, path, ErrType, "expected true or false, got %s", shown(s, env))
	}
	return b
}

// duration decodes seconds (30, 0.5, "30") or a Go duration ("30s").
func (d *decoder) duration(path string, n *node) Duration {
	const want = "seconds or a duration such as 30s"
	var secs float64
	switch n.kind {
	case intKind, floatKind:
		f, ok := d.number(path, n, want)
		if !ok {
			return 0
		}
		secs = f
	default:
		s, env, ok := d.scalar(path, n, want)
		if !ok || n.kind == nullKind {
			return 0
		}
		s = strings.TrimSpace(s)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			secs = f
			break
		}
		v, err := time.ParseDuration(s)
		if err != nil || n.kind == boolKind {
			d.fail(n, path, ErrType, "expected %s, got %s", want, shown(s, env))
			return 0
		}
		return Duration(v)
	}
	if math.Abs(secs) > float64(math.MaxInt64)/float64(time.Second) {
		d.fail(n, path, ErrInvalid, "%v seconds is too long", secs)
		return 0
	}
	return Duration(secs * float64(time.Second))
}

// size decodes a number of bytes, written as a number or with a unit:
// "32MiB", "10MB", "512KiB", "1GiB", "100B".
func (d *decoder) size(path string, n *node) int64 {
	const want = "a size in bytes, such as 33554432 or 32MiB"
	if n.kind == intKind || n.kind == floatKind {
		f, ok := d.number(path, n, want)
		if !ok {
			return 0
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			d.fail(n, path, ErrType, "expected %s, got %s", want, n.text)
			return 0
		}
		return int64(f)
	}
	s, env, ok := d.scalar(path, n, want)
	if !ok || n.kind == nullKind {
		return 0
	}
	v, err := parseSize(s)
	if err != nil || n.kind == boolKind {
		d.fail(n, path, ErrType, "expected %s, got %s", want, shown(s, env))
		return 0
	}
	return v
}

// sizeUnits are the units parseSize knows, longest first.
var sizeUnits = []struct {
	name string
	mult float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"b", 1},
}

func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(t, u.name); ok {
			t, mult = strings.TrimSpace(num), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, err
	}
	f *= mult
	if math.IsNaN(f) || math.Abs(f) > 1<<62 || f != math.Trunc(f) {
		return 0, strconv.ErrRange
	}
	return int64(f), nil
}

// names decodes a list of names; a single name stands for a list of one.
func (d *decoder) names(path string, n *node) []string {
	switch n.kind {
	case nullKind:
		d.mark(path, n)
		return nil
	case seqKind:
		d.mark(path, n)
		out := make([]string, 0, len(n.items))
		for i, it := range n.items {
			p := fmt.Sprintf("%s[%d]", path, i)
			s, _, ok := d.scalar(p, it, "a name")
			if !ok {
				continue
			}
			if s == "" {
				d.fail(it, p, ErrInvalid, "empty name")
				continue
			}
			out = append(out, s)
		}
		return out
	case mapKind:
		d.fail(n, path, ErrType, "expected a list of names, got a mapping")
		return nil
	}
	d.mark(path, n)
	if s := d.str(path+"[0]", n); s != "" { // the path Validate uses for the first name
		return []string{s}
	}
	return nil
}

// fallbacks decodes LiteLLM's fallbacks list: single-key mappings from a
// model group to the groups to try, [{"gpt-4o": ["gpt-4o-mini", "claude"]}].
// A mapping with several keys is read as several entries; the index in
// their key paths counts entries. The group is a key, taken as written (as
// LiteLLM does, no os.environ/ there); the names it falls back to are
// values.
func (d *decoder) fallbacks(path string, n *node) []Fallback {
	const want = `a list of mappings such as [{"gpt-4o": ["gpt-4o-mini"]}]`
	if n.kind == nullKind {
		d.mark(path, n)
		return nil
	}
	if n.kind != seqKind {
		d.mark(path, n)
		d.fail(n, path, ErrType, "expected %s, got %s", want, n.kind)
		return nil
	}
	d.mark(path, n)
	var out []Fallback
	for i, it := range n.items {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.mark(p, it)
		if it.kind != mapKind {
			d.fail(it, p, ErrType, "expected a mapping from a model group to its fallbacks, got %s", it.kind)
			continue
		}
		for _, e := range it.entries {
			kp := fmt.Sprintf("%s[%d].%s", path, len(out), e.key)
			d.pos[kp] = position{e.line, e.col}
			out = append(out, Fallback{Group: e.key, Models: d.names(kp, e.val)})
		}
	}
	return out
}

// value decodes a value LiteLLM passes on without reading it (Params.Extra,
// ModelInfo.Extra): strings (resolved; a Secret when read from the
// environment or under a secret-looking key), int64, float64, bool, nil,
// []any and map[string]any.
func (d *decoder) value(key, path string, n *node) any {
	d.mark(path, n)
	switch n.kind {
	case nullKind:
		return nil
	case boolKind:
		return n.b
	case intKind:
		return n.i
	case floatKind:
		f, ok := d.number(path, n, "a finite number")
		if !ok {
			return nil
		}
		return f
	case seqKind:
		out := make([]any, len(n.items))
		for i, it := range n.items {
			out[i] = d.value(key, fmt.Sprintf("%s[%d]", path, i), it)
		}
		return out
	case mapKind:
		out := make(map[string]any, len(n.entries))
		for _, e := range n.entries {
			out[e.key] = d.value(e.key, path+"."+e.key, e.val)
		}
		return out
	}
	s, env, ok := d.resolveEnv(path, n, n.text)
	switch {
	case !ok:
		return nil
	case env != "":
		return EnvSecret(env, s)
	case mask.IsSecretName(key):
		return NewSecret(s)
	}
	return s
}
