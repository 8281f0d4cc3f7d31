package config

import "strings"

// litellmKeys lists, per section, the keys LiteLLM's proxy reads that llmux
// does not support yet. Load puts each one found in a file into the one
// warning of [Config.Warnings] instead of failing on it, so a LiteLLM
// user's config loads; any other key llmux does not know is an error. A key
// llmux learns to support moves from here into its section's decoder.
//
// Source: LiteLLM's documentation, "All settings"
// (docs.litellm.ai/docs/proxy/config_settings: the litellm_settings,
// general_settings and router_settings reference tables and the
// cache_params example), "Config.yaml" (docs.litellm.ai/docs/proxy/configs:
// litellm_params examples, credential_list), and the top-level sections
// read by ProxyConfig.load_config in litellm/proxy/proxy_server.py.
var litellmKeys = map[string][]string{
	// Top-level sections.
	sectionTop: {
		"include", "guardrails", "credential_list",
		"assistant_settings", "search_tools", "finetune_settings",
		"files_settings", "default_vertex_config", "prompts", "mcp_servers",
	},

	sectionLiteLLM: {
		"service_callback", "service_callbacks", "redact_user_api_key_info",
		"langfuse_default_tags", "modify_params", "enable_preview_features",
		"force_ipv4", "default_fallbacks", "content_policy_fallbacks",
		"mcp_aliases", "disable_end_user_cost_tracking",
		"disable_end_user_cost_tracking_prometheus_only",
		"key_generation_settings", "disable_add_transform_inline_image_block",
		"use_chat_completions_url_for_anthropic_messages",
		"disable_hf_tokenizer_download", "enable_json_schema_validation",
		"enable_key_alias_format_validation",
		"disable_copilot_system_to_assistant", "allowed_fails", "guardrails",
		"global_prompt_directory", "global_bitbucket_config",
		"global_gitlab_config", "priority_reservation_settings",
		"model_group_settings", "post_call_rules", "max_internal_user_budget",
		"default_max_internal_user_budget", "custom_provider_map", "responses",
		"default_team_settings", "upperbound_key_generate_params",
	},

	sectionCacheParams: {
		"max_connections", "redis_startup_nodes", "service_name",
		"sentinel_nodes", "gcp_service_account", "gcp_ssl_ca_certs", "ssl",
		"ssl_cert_reqs", "ssl_check_hostname",
		"qdrant_semantic_cache_embedding_model", "qdrant_collection_name",
		"qdrant_quantization_config", "qdrant_semantic_cache_vector_size",
		"similarity_threshold", "s3_bucket_name", "s3_region_name",
		"s3_aws_access_key_id", "s3_aws_secret_access_key", "s3_endpoint_url",
		"gcs_bucket_name", "gcs_path_service_account", "gcs_path", "mode",
		"disable_copilot_system_to_assistant",
	},

	sectionRouter: {
		"enable_pre_call_checks", "enable_pre_call_check", "disable_cooldowns",
		"enable_tag_filtering", "tag_filtering_match_any", "retry_policy",
		"allowed_fails_policy", "content_policy_fallbacks", "redis_db",
		"redis_url", "default_max_parallel_requests", "default_priority",
		"polling_interval", "max_fallbacks", "default_litellm_params",
		"stream_timeout", "debug_level", "client_ttl", "cache_kwargs",
		"routing_strategy_args", "model_group_alias", "default_fallbacks",
		"caching_groups", "alerting_config", "assistants_config", "set_verbose",
		"retry_after", "provider_budget_config", "model_group_retry_policy",
		"cache_responses", "router_general_settings", "optional_pre_call_checks",
		"deployment_affinity_ttl_seconds", "ignore_invalid_deployments",
		"search_tools", "guardrail_list",
	},

	sectionGeneral: {
		"completion_model", "store_prompts_in_spend_logs",
		"forward_client_headers_to_llm_api", "disable_spend_logs",
		"disable_spend_updates", "disable_master_key_return",
		"disable_retry_on_max_parallel_request_limit_error",
		"disable_reset_budget", "disable_adding_master_key_hash_to_db",
		"disable_responses_id_security", "enable_jwt_auth", "enforce_user_param",
		"reject_clientside_metadata_tags", "allowed_routes",
		"key_management_system", "maximum_spend_logs_retention_period",
		"maximum_spend_logs_retention_interval", "user_mcp_management_mode",
		"database_url", "database_connection_pool_limit",
		"database_connection_timeout", "allow_requests_on_db_unavailable",
		"custom_auth", "max_parallel_requests", "global_max_parallel_requests",
		"infer_model_from_keys", "background_health_checks",
		"health_check_interval", "health_check_details", "alerting",
		"alerting_threshold", "alerting_args", "alert_types",
		"alert_to_webhook_url", "use_client_credentials_pass_through_routes",
		"public_routes", "admin_only_routes", "enforced_params",
		"enable_oauth2_auth", "enable_oauth2_proxy_auth", "use_x_forwarded_for",
		"service_account_settings", "image_generation_model", "embedding_model",
		"moderation_model", "store_model_in_db", "supported_db_objects",
		"max_response_size_mb", "proxy_budget_rescheduler_min_time",
		"proxy_budget_rescheduler_max_time", "proxy_batch_write_at",
		"proxy_batch_polling_interval", "custom_key_generate", "allowed_ips",
		"default_team_disabled", "key_management_settings", "allow_user_auth",
		"user_api_key_cache_ttl", "disable_prisma_schema_update",
		"litellm_key_header_name", "custom_sso", "custom_ui_sso_sign_in_handler",
		"use_azure_key_vault", "use_google_kms", "spend_report_frequency",
		"ui_access_mode", "litellm_jwtauth", "litellm_license",
		"oauth2_config_mappings", "pass_through_endpoints",
		"forward_openai_org_id", "use_shared_health_check", "role_permissions",
		"search_tools",
	},

	// litellm_params keys that configure providers or features llmux does
	// not have (AWS, Vertex AI, Entra ID credentials, the credential list).
	// Unlike the others they are kept, in Params.Extra, because LiteLLM
	// passes litellm_params to the provider call.
	sectionParams: {
		"litellm_credential_name", "azure_ad_token", "tenant_id", "client_id",
		"client_secret", "region_name",
	},
}

// IsProviderParam reports whether a litellm_params key is a provider
// setting: the vertex_* and aws_* families (vertex_project,
// vertex_location, vertex_credentials, aws_region_name,
// aws_access_key_id, aws_secret_access_key, aws_session_token,
// aws_profile_name, aws_role_name, aws_bedrock_runtime_endpoint...). They
// stay in [Params.Extra]; the gateway passes them to the provider as
// llmux.Request.ProviderParams, and the Vertex AI and Bedrock providers
// read them.
func IsProviderParam(key string) bool {
	return strings.HasPrefix(key, "vertex_") || strings.HasPrefix(key, "aws_")
}

// litellmCacheTypes are cache_params.type values LiteLLM has and llmux does
// not support yet (same source).
var litellmCacheTypes = []string{"redis-semantic", "qdrant-semantic", "s3", "gcs", "disk"}

// litellmStrategies are routing strategies LiteLLM has and llmux does not
// support yet (LiteLLM's Router routing_strategy literal).
var litellmStrategies = []string{"cost-based-routing"}

// Section names: the keys of litellmKeys.
const (
	sectionTop         = ""
	sectionLiteLLM     = "litellm_settings"
	sectionCacheParams = "litellm_settings.cache_params"
	sectionRouter      = "router_settings"
	sectionGeneral     = "general_settings"
	sectionParams      = "litellm_params"
	sectionDeployment  = "model_list[]"
	sectionModelInfo   = "model_info"
	sectionCallback    = "callback_settings.*"
)
