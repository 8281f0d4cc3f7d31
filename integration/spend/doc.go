// Package spend is the "sql" integration: a spend log with one row per
// finished call (success or failure) in SQLite (modernc.org/sqlite,
// embedded, no cgo) or PostgreSQL (pgx v5), LiteLLM's
// LiteLLM_SpendLogs in spirit.
//
// A row ([Row]) holds the call id (never the provider's response id),
// start and end time, model, provider, model group, deployment and API
// base, the virtual key (hash), key alias, user, team and end user from
// LiteLLM's metadata keys (user_api_key_hash, user_api_key_alias,
// user_api_key_user_id, user_api_key_team_id, user_api_key_end_user_id,
// else the request's user), tokens, cost (NULL when unknown), cache hit,
// status, error code, latency, time to first token, call type and tags.
// No key is ever stored in clear: upstream keys are masked, a virtual key
// is kept only as its SHA-256 hash.
//
// Rows are queued without blocking the call and inserted in batches, one
// transaction per batch, by an [delivery.Queue]; an insert is idempotent
// (ON CONFLICT (id) DO NOTHING), so a retried batch never duplicates.
// Lost connections and busy databases are retried; schema and constraint
// errors drop the batch (counted). The schema is created and migrated on
// open ([SchemaTable] records the version).
//
//	l, err := spend.Open(ctx, "llmux.db", spend.Options{}) // or "postgres://..."
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // inserts what is queued, then closes the database
//
// The gateway's config turns it on with callbacks: ["sql"], reading the
// database from $LLMUX_SPEND_DB, else $DATABASE_URL, else llmux.db.
// `llmux spend` prints totals by model, key or day ([Store.Totals]).
//
// The package is named spend, not sql, so that it does not shadow
// database/sql, which it and its users import beside it; the
// integration's name in configs is "sql", as the issue names it.
package spend
