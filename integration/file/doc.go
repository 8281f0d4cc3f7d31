// Package file is a logger that appends one JSON line per finished call
// to a local file: LiteLLM's standard logging payload (litellm.Payload,
// the standard_logging_object), success and failure events only, written
// as [jsonl.PayloadLine] prints it. The file rotates by size: when the
// next line would pass MaxBytes, events.jsonl becomes events.jsonl.1, the
// old .1 becomes .2, and so on up to MaxBackups; the oldest is deleted.
// Files are created with mode 0600 (payloads hold prompts and answers).
//
//	l, err := file.New("/var/log/llmux/events.jsonl", file.WithMaxBytes(50<<20), file.WithMaxBackups(3))
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // writes what is queued, then closes the file
//
// It does not go through package delivery: a local append has no
// acknowledgement to wait for, nothing to retry and no network to
// outlast, and the file is itself the durable record. It never blocks a
// call all the same: the client runs it, like every logger, from its own
// bounded queue off the request path (a full disk shows as counted
// write errors, [Logger.Errors], and a warning).
//
// From the gateway's config the name "file" builds one from the
// environment ([FromEnv]):
//
//	LLMUX_FILE_PATH         the file (default llmux-events.jsonl)
//	LLMUX_FILE_MAX_BYTES    rotate past this size (default 104857600; 0: never)
//	LLMUX_FILE_MAX_BACKUPS  rotated files kept (default 5)
package file
