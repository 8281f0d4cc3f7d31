package config

import (
	"bytes"
	"fmt"
	"os"
)

// Option configures [Load] and [LoadFile].
type Option func(*loadOptions)

type loadOptions struct {
	file   string
	lookup func(string) (string, bool)
}

// WithFileName names the input in messages ("config.yaml:12: ..."). By
// default Load names none and LoadFile uses the path it was given.
func WithFileName(name string) Option { return func(o *loadOptions) { o.file = name } }

// WithLookupEnv sets how os.environ/NAME references read the environment,
// for tests and for secrets kept elsewhere. The default is os.LookupEnv; nil
// restores it. The file's environment_variables are consulted first either
// way.
func WithLookupEnv(lookup func(name string) (string, bool)) Option {
	return func(o *loadOptions) { o.lookup = lookup }
}

// Load decodes a config from data, LiteLLM's config.yaml format. It reports
// every problem in the file at once (errors.Join of [*Error]s): invalid
// YAML, unknown keys, values of the wrong type, os.environ/ references to
// variables that are not set. It resolves those references, fills in the
// defaults ([Config.SetDefaults]) and returns the Config with its
// [Config.Warnings]; it does not check what the values mean: call
// [Config.Validate] next.
//
// Empty data gives a Config with nothing set (no cache, unlike
// [Default]). Top-level keys starting with "x-" are ignored, as Docker
// Compose does, so a file can keep YAML anchors there
// (x-azure: &azure {...}).
func Load(data []byte, opts ...Option) (*Config, error) {
	o := loadOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lookup == nil {
		o.lookup = os.LookupEnv
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as some editors write
	root, err := parseYAML(o.file, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: o.file, lookup: o.lookup, pos: map[string]position{}, envRefs: map[string]string{}}
	c := d.decode(root)
	if len(d.errs) > 0 {
		return nil, joinErrors(d.errs)
	}
	c.Warnings = d.warning()
	c.pos, c.envRefs = d.pos, d.envRefs
	c.SetDefaults()
	return c, nil
}

// LoadFile reads the file at path and decodes it as [Load] does, naming it
// path in messages unless [WithFileName] says otherwise.
func LoadFile(path string, opts ...Option) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Load(data, append([]Option{WithFileName(path)}, opts...)...)
}
