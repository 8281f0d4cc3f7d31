// Package litellm gives llmux events the shapes LiteLLM users know, for
// loggers ported from LiteLLM and for backends that store LiteLLM's
// records:
//
//   - [Kwargs] is LiteLLM's kwargs (its Logging object's
//     model_call_details), with the same key names, keys appearing as the
//     call progresses;
//   - [Payload] is LiteLLM's standard_logging_object
//     ([StandardLoggingPayload]): one flat record of a call with exactly
//     LiteLLM's 39 keys, always encodable as JSON whatever the caller put
//     in its metadata. [AppendPythonPayload] writes its JSON as LiteLLM's
//     Python loggers do (numbers in Python's form) for a logger that only
//     writes lines.
//
// Both are views of an [llmux.Event], the typed record every logger
// receives; they add nothing the event does not carry.
//
//	func (l *SpendLog) LogSuccessEvent(ctx context.Context, e *llmux.Event) {
//		p := litellm.Payload(e)
//		l.store(p.ID, p.Model, p.ResponseCost, p.TotalTokens)
//	}
package litellm
