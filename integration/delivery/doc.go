// Package delivery carries encoded events from a logger to a network sink
// (a webhook, an OTLP collector, a database, a message bus) without ever
// slowing a call: [Queue.Add] never waits for the sink; a goroutine
// batches what was added, sends it with [Sink.Send], retries what may
// succeed later (429, 5xx, network errors: see [Retryable] and
// [HTTPError]) with exponential backoff and jitter (honouring a sink's
// Retry-After, capped by [Options.MaxRetryAfter]), and gives up after
// [Options.MaxElapsed], counting every record it drops by reason.
//
// At every moment, for every queue:
//
//	Emitted = Delivered + Dropped (all reasons) + Queued + Spooled
//
// and after [Queue.Close] Queued is 0. [Queue.Stats] reports these
// figures; [All] lists every open queue so metrics can export them.
//
// # Memory queue and disk spool
//
// By default records wait in memory (at most [Options.QueueSize]; more
// are dropped as [DropQueueFull]) and what is queued when the process
// dies is lost. With [Options.SpoolDir], Add first appends the record to
// a checksummed, segmented log on disk (length, CRC-32C, payload per
// record); the sender reads from there and deletes a segment only once
// every record in it was acknowledged by the sink or dropped and counted.
// A queue opened on a spool that holds records sends them first, so
// events spooled before a crash or a SIGKILL are sent after the restart
// (at least once: a batch acknowledged by the sink just before the crash
// may be sent again). [Options.Fsync] also makes each record survive a
// power loss. Damaged or cut-short records are skipped and counted as
// [DropCorrupt]; when the spool reaches [Options.SpoolMaxBytes] new
// records are refused and counted as [DropSpoolFull] (what is already on
// disk is kept). When Close's context ends before the sink took
// everything, spooled records stay on disk (Stats.Spooled) for the next
// start instead of being dropped.
//
// # Use
//
// The integrations under integration/ (webhook, otel, sql, nats) use it;
// a logger of your own for another system can too:
//
//	o, err := delivery.FromEnv("mysink", os.Getenv) // LLMUX_SPOOL_DIR etc.
//	...
//	q, err := delivery.New(mySink, o)
//	...
//	q.Add(record)        // from LogSuccessEvent: never waits for the sink
//	...
//	q.Close(ctx)         // from Shutdown: sends what is left, honours ctx
//
// A sink over HTTP classifies responses with [HTTPError]:
//
//	resp, err := client.Do(req)
//	if err != nil {
//		return delivery.Retryable(err, 0)
//	}
//	defer resp.Body.Close()
//	return delivery.HTTPError(resp)
package delivery
