// Package router is LiteLLM's Router as llmux middleware: it serves model
// groups — several deployments answering to one model name, LiteLLM's
// model_list — with load balancing, retries on another deployment,
// fallbacks to other groups and cooldowns of failing deployments.
//
// # Quick start
//
//	r, err := router.New([]router.Deployment{
//		{ID: "east", ModelGroup: "gpt-4o", Model: "azure/gpt-4o-east", APIBase: east, APIKey: k1, RPM: 600},
//		{ID: "west", ModelGroup: "gpt-4o", Model: "azure/gpt-4o-west", APIBase: west, APIKey: k2, RPM: 300},
//		{ID: "oai", ModelGroup: "gpt-4o-mini", Model: "openai/gpt-4o-mini"},
//	}, router.WithFallbacks(map[string][]string{"gpt-4o": {"gpt-4o-mini"}}))
//	if err != nil {
//		return err
//	}
//	c, err := llmux.New(llmux.WithProvider(azure.New()), llmux.WithProvider(openai.New()),
//		llmux.WithMiddleware(r.Middleware()))
//	resp, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs}) // a model group
//
// A client request is one llmux call whatever the router does: one
// pre/post-API-call event pair per try (attempt numbers count across
// deployments) and exactly one success or failure event, whose
// [llmux.Event.Route] says which group and deployment answered and after
// how many tries (after a fallback, Route.ModelGroup is the fallback
// group, as LiteLLM's model_group). The router never changes the caller's request: each try
// runs a copy with the deployment's Model, APIBase, APIKey, APIVersion,
// Timeout, MaxRetries and Route. A model that is not a group passes
// through untouched; [Router.Groups] lists the groups.
//
// # Strategies
//
// [SimpleShuffle] (the default) picks at random by weight, else RPM, else
// TPM; [LeastBusy] the deployment with the fewest calls in flight;
// [LatencyBased] the lowest recent latency, within [WithLatencyBuffer] of
// the best; [UsageBased] the fewest tokens this minute, skipping
// deployments at their RPM or TPM limit. Cooling deployments are skipped
// by all. In-flight counts and latencies are this process's; cooldowns and
// usage counters are in the [State].
//
// # Retries, fallbacks and cooldowns
//
// A try that fails with an error another deployment could avoid — rate
// limit, quota, timeout, overload, server, connection, authentication,
// permission, not found, undecodable answer — counts towards the
// deployment's cooldown and is retried on another deployment of the group,
// up to [WithNumRetries] (2) more tries, preferring deployments that have
// not failed in this call. Only when no other deployment is available is
// the same one retried, for a transient error only, after its Retry-After
// or an exponential backoff (0.5s doubling to 8s). The router sets the
// client's own retries to 0 (unless [Deployment.MaxRetries] says
// otherwise) so that a failing deployment is left at once: the router is
// the one retry loop, as in LiteLLM.
//
// When the group's tries are spent, the call moves to the fallback groups
// in order, each with its own tries: [WithContextWindowFallbacks] for a
// context-length error, [WithContentPolicyFallbacks] for a content-policy
// error, [WithFallbacks] for the others. Invalid requests and the
// caller's cancellation end the call at once. Streams are retried only
// before their first byte (an error [llmux.Client.Stream] would return);
// once a stream has started the router only counts it.
//
// A deployment that fails more than [WithAllowedFails] (3) times within a
// minute (a fixed, per-minute window) is cooled down for [WithCooldown]
// (5s): no router sharing the state picks it until then. Invalid
// requests, context-length and content-policy errors do not count. When
// every deployment of a group is cooling down (or, for UsageBased, at its
// limits), the group fails with llmux.CodeRateLimited, a message naming
// it and RetryAfter the time until the first one is back; the fallbacks,
// if any, are tried before the call reports it.
//
// Counters: a request counts towards its deployment's RPM when sent; its
// tokens count when the answer arrives, or when a stream ends (its usage
// chunk, else an estimate). An answer from the client's cache counts as a
// request but adds no tokens or latency.
//
// # Shared state
//
// Cooldowns, failure counts and usage counters live in a [State]: by
// default this router's [Memory]. Routers in several gateway processes
// share them through router/redis (WithState): one process's cooldown
// is the others', and usage-based routing sees the total usage. Each
// operation on a shared state is bounded by [WithStateTimeout] (100ms);
// when it fails, the router uses its own memory for a second, logs at most
// every 10s, and tries again — a Redis outage never fails or stalls a
// call.
//
// # LiteLLM's router_settings
//
//	routing_strategy          WithStrategy (ParseStrategy reads the names)
//	num_retries               WithNumRetries (default 2)
//	fallbacks                 WithFallbacks ("*" for default_fallbacks)
//	context_window_fallbacks  WithContextWindowFallbacks
//	content_policy_fallbacks  WithContentPolicyFallbacks
//	allowed_fails             WithAllowedFails (default 3)
//	cooldown_time             WithCooldown (default 5s; 0 is disable_cooldowns)
//	routing_strategy_args     WithLatencyBuffer (lowest_latency_buffer)
//	redis_host, redis_port... WithState(redis state)
//	model_list[].rpm/tpm/weight, model_info.id, litellm_params.timeout/max_retries
//	                          Deployment fields
//
// Not modelled: LiteLLM's failure-rate cooldown (over 50% of a minute's
// calls), retry_policy and allowed_fails_policy per error type,
// max_parallel_requests, pre-call context-window checks, tag and
// cost-based routing, and fallbacks of fallbacks.
package router
