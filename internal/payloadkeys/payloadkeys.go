// Package payloadkeys lists the top-level keys of LiteLLM's
// standard_logging_object, which package litellm builds, so that package
// llmux can check the names given to WithPayloadExcludedFields. A test in
// package litellm checks the list against the payload's JSON.
package payloadkeys

// Names are the 39 keys, sorted.
var Names = []string{
	"api_base", "cache_hit", "cache_key", "call_type", "completionStartTime", "completion_tokens",
	"cost_breakdown", "custom_llm_provider", "endTime", "end_user", "error_information", "error_str",
	"guardrail_information", "hidden_params", "id", "litellm_call_id", "messages", "metadata", "model",
	"model_group", "model_id", "model_map_information", "model_parameters", "prompt_tokens",
	"requester_ip_address", "response", "response_cost", "response_cost_failure_debug_info", "response_time",
	"saved_cache_cost", "standard_built_in_tools_params", "startTime", "status", "status_fields", "stream",
	"total_tokens", "trace_id", "user_agent", "request_tags",
}

// Has reports whether name is one of the keys.
func Has(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}
