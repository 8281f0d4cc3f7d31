package prometheus

import (
	"fmt"
	"strconv"
	"strings"
)

// FromEnv builds the gateway's "prometheus" callback from the
// environment:
//
//	LLMUX_METRICS_REQUIRE_AUTH   "true": /metrics needs the master key (LiteLLM's
//	                             litellm_settings.require_auth_for_metrics_endpoint); default false
//	LLMUX_PROMETHEUS_BUCKETS     latency buckets in seconds, comma-separated; default DefaultBuckets
func FromEnv(getenv func(string) string) (any, error) {
	var opts []Option
	if v := getenv("LLMUX_METRICS_REQUIRE_AUTH"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("LLMUX_METRICS_REQUIRE_AUTH=%q: %w", v, err)
		}
		opts = append(opts, WithRequireAuth(b))
	}
	if v := getenv("LLMUX_PROMETHEUS_BUCKETS"); v != "" {
		var bs []float64
		for _, f := range strings.Split(v, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, fmt.Errorf("LLMUX_PROMETHEUS_BUCKETS=%q: %w", v, err)
			}
			if len(bs) > 0 && x <= bs[len(bs)-1] {
				return nil, fmt.Errorf("LLMUX_PROMETHEUS_BUCKETS=%q: buckets must increase", v)
			}
			bs = append(bs, x)
		}
		opts = append(opts, WithBuckets(bs))
	}
	return New(opts...), nil
}
