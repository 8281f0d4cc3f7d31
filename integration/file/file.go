package file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/jsonl"
)

// DefaultPath is the file [FromEnv] writes when LLMUX_FILE_PATH is unset.
const DefaultPath = "llmux-events.jsonl"

// Logger appends standard logging payloads to a file, rotating it by
// size. It is safe for concurrent use: each line is written whole.
type Logger struct {
	path       string
	maxBytes   int64
	maxBackups int
	log        *slog.Logger

	mu     sync.Mutex
	f      *os.File
	size   int64
	closed bool
	errs   atomic.Uint64
	warned atomic.Bool
}

var (
	_ llmux.SuccessLogger = (*Logger)(nil)
	_ llmux.FailureLogger = (*Logger)(nil)
	_ llmux.Flusher       = (*Logger)(nil)
	_ llmux.Shutdowner    = (*Logger)(nil)
	_ llmux.Named         = (*Logger)(nil)
)

// Option configures a [Logger].
type Option func(*Logger) error

// WithMaxBytes rotates the file when the next line would take it past n
// bytes (default 100 MiB; 0: never rotate). A single longer line is
// still written whole, to a file of its own.
func WithMaxBytes(n int64) Option {
	return func(l *Logger) error {
		if n < 0 {
			return fmt.Errorf("file: negative MaxBytes %d", n)
		}
		l.maxBytes = n
		return nil
	}
}

// WithMaxBackups keeps n rotated files, path.1 (newest) to path.n
// (default 5; 0: rotation discards the old file).
func WithMaxBackups(n int) Option {
	return func(l *Logger) error {
		if n < 0 {
			return fmt.Errorf("file: negative MaxBackups %d", n)
		}
		l.maxBackups = n
		return nil
	}
}

// WithLog sets where write errors are reported (default slog.Default()),
// once until a write succeeds again.
func WithLog(lg *slog.Logger) Option {
	return func(l *Logger) error {
		if lg == nil {
			return errors.New("file: nil logger")
		}
		l.log = lg
		return nil
	}
}

// New opens (or creates, mode 0600) the file at path for appending.
// Shutdown, called by the client's Close, closes it.
func New(path string, opts ...Option) (*Logger, error) {
	if path == "" {
		return nil, errors.New("file: empty path")
	}
	l := &Logger{path: path, maxBytes: 100 << 20, maxBackups: 5, log: slog.Default()}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Logger) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("file: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// Name names the logger in the client's statistics and warnings.
func (l *Logger) Name() string { return "file:" + l.path }

// Errors counts the lines that could not be written.
func (l *Logger) Errors() uint64 { return l.errs.Load() }

// LogSuccessEvent appends the call's payload.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.write(jsonl.PayloadLine(e)) }

// LogFailureEvent appends the call's payload.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.write(jsonl.PayloadLine(e)) }

func (l *Logger) write(b []byte) {
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.fail(errors.New("file: logger shut down"))
		return
	}
	if l.maxBytes > 0 && l.size > 0 && l.size+int64(len(b)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			l.fail(err)
			if l.f == nil {
				return
			}
		}
	}
	if l.f == nil {
		if err := l.open(); err != nil {
			l.fail(err)
			return
		}
	}
	n, err := l.f.Write(b)
	l.size += int64(n)
	if err != nil {
		l.fail(fmt.Errorf("file: %w", err))
		return
	}
	l.warned.Store(false)
}

func (l *Logger) fail(err error) {
	l.errs.Add(1)
	if !l.warned.Swap(true) {
		l.log.Warn("file: event not written", "path", l.path, "err", err)
	}
}

// rotate shifts path.i to path.i+1, path to path.1, and opens a new
// path; l.mu is held.
func (l *Logger) rotate() error {
	if err := l.f.Close(); err != nil {
		l.f = nil
		return fmt.Errorf("file: %w", err)
	}
	l.f = nil
	backup := func(i int) string { return l.path + "." + strconv.Itoa(i) }
	if l.maxBackups == 0 {
		if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("file: rotate: %w", err)
		}
	} else {
		_ = os.Remove(backup(l.maxBackups))
		for i := l.maxBackups - 1; i >= 1; i-- {
			if err := os.Rename(backup(i), backup(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("file: rotate: %w", err)
			}
		}
		if err := os.Rename(l.path, backup(1)); err != nil {
			return fmt.Errorf("file: rotate: %w", err)
		}
	}
	return l.open()
}

// Flush syncs the file to disk.
func (l *Logger) Flush(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	return l.f.Sync()
}

// Shutdown closes the file; later events are counted as errors.
// Idempotent.
func (l *Logger) Shutdown(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// FromEnv builds a logger from the environment (getenv; see the package
// doc for the variables).
func FromEnv(getenv func(string) string) (*Logger, error) {
	path := getenv("LLMUX_FILE_PATH")
	if path == "" {
		path = DefaultPath
	}
	var opts []Option
	if v := getenv("LLMUX_FILE_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("file: LLMUX_FILE_MAX_BYTES=%q: want a number of bytes", v)
		}
		opts = append(opts, WithMaxBytes(n))
	}
	if v := getenv("LLMUX_FILE_MAX_BACKUPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("file: LLMUX_FILE_MAX_BACKUPS=%q: want a number", v)
		}
		opts = append(opts, WithMaxBackups(n))
	}
	return New(path, opts...)
}
