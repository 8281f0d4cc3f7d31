package otel

import "time"

// SetRetryForTest shortens the export retry schedule; it returns a func
// restoring it.
func SetRetryForTest(initial, longest, elapsed time.Duration) func() {
	i, m, e := retryInitial, retryMax, retryElapsed
	retryInitial, retryMax, retryElapsed = initial, longest, elapsed
	return func() { retryInitial, retryMax, retryElapsed = i, m, e }
}
