package delivery

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Environment variables read by [FromEnv]; the gateway's loggers use them
// to configure their queues.
const (
	EnvSpoolDir      = "LLMUX_SPOOL_DIR"       // spool root; each queue uses <root>/<name>
	EnvSpoolMaxBytes = "LLMUX_SPOOL_MAX_BYTES" // per queue, bytes (default 268435456)
	EnvSpoolFsync    = "LLMUX_SPOOL_FSYNC"     // "1"/"true": sync each record
)

// FromEnv returns Options named name with the spool configured from the
// environment (getenv; nil means none): with LLMUX_SPOOL_DIR set, the
// queue spools to LLMUX_SPOOL_DIR/<name> (name with path separators
// replaced), capped by LLMUX_SPOOL_MAX_BYTES and synced per record when
// LLMUX_SPOOL_FSYNC is true. Other fields are left for the caller.
func FromEnv(name string, getenv func(string) string) (Options, error) {
	o := Options{Name: name}
	if getenv == nil {
		return o, nil
	}
	if dir := getenv(EnvSpoolDir); dir != "" {
		sub := strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(name)
		o.SpoolDir = filepath.Join(dir, sub)
	}
	if v := getenv(EnvSpoolMaxBytes); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("delivery: %s=%q: want a positive number of bytes", EnvSpoolMaxBytes, v)
		}
		o.SpoolMaxBytes = n
	}
	if v := getenv(EnvSpoolFsync); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("delivery: %s=%q: want true or false", EnvSpoolFsync, v)
		}
		o.Fsync = b
	}
	return o, nil
}
