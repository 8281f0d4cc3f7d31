package router

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/llmux/llmux/internal/mask"
)

// Deployment is one upstream that serves a model group: one entry of
// LiteLLM's model_list. Several deployments with the same ModelGroup are
// load-balanced; each has its own key, endpoint, limits and health.
type Deployment struct {
	// ID identifies the deployment (LiteLLM's model_info.id). It must be
	// unique within a router; it is reported as [llmux.Route.ModelID] and
	// keys the deployment's shared state, so routers in several processes
	// must give the same deployment the same ID (the config package
	// derives stable ids from the deployment's settings). Required.
	ID string
	// ModelGroup is the model name clients send (LiteLLM's model_name),
	// such as "gpt-4o". Required.
	ModelGroup string
	// Model is the llmux model the deployment calls: "azure/prod-gpt4o",
	// "openai/gpt-4o" (LiteLLM's litellm_params.model). Required.
	Model string
	// APIBase, APIKey and APIVersion override the provider's settings for
	// calls routed here; empty keeps the request's (and so the
	// provider's). A deployment with an APIKey (or a credential among its
	// ProviderParams) is called at its own APIBase, or the provider's
	// default when it has none, never at the request's: its key must not
	// go to a base the caller chose.
	APIBase    string
	APIKey     string
	APIVersion string
	// ProviderParams are provider settings for calls routed here
	// (vertex_project, aws_region_name, aws_secret_access_key...; see
	// [llmux.Request.ProviderParams]). They are laid over the request's:
	// a name set here wins.
	ProviderParams map[string]string
	// RPM and TPM are the deployment's requests and tokens per minute.
	// SimpleShuffle uses them as weights when no deployment of the group
	// has a Weight; UsageBased skips a deployment that reached either
	// limit this minute. 0 means no limit.
	RPM int
	TPM int
	// Weight makes SimpleShuffle pick the deployment in proportion to it
	// (LiteLLM's weight). As in LiteLLM, once any deployment of a group has
	// a weight, one without is picked only when no weighted one is
	// available. 0 means unset.
	Weight float64
	// Timeout bounds each attempt on this deployment up to the response
	// headers ([llmux.Request.Timeout]); 0 keeps the request's or the
	// client's.
	Timeout time.Duration
	// MaxRetries, when set, is the number of retries the client makes on
	// this deployment before the router moves on. nil means 0: the router
	// owns retries (it sets MaxRetries to 0 on each routed request, as
	// LiteLLM's router does), so a failing deployment is left at once for
	// another one instead of being retried with backoff first.
	MaxRetries *int
}

// String describes the deployment with its API key masked, so printing a
// deployment with %v or %+v reveals no secret.
func (d Deployment) String() string {
	key := ""
	if d.APIKey != "" {
		key = "****"
	}
	retries := "<nil>"
	if d.MaxRetries != nil {
		retries = fmt.Sprint(*d.MaxRetries)
	}
	var params strings.Builder
	for i, k := range slices.Sorted(maps.Keys(d.ProviderParams)) {
		if i > 0 {
			params.WriteByte(' ')
		}
		v := d.ProviderParams[k]
		if mask.IsSecretName(k) && v != "" {
			v = "****"
		}
		fmt.Fprintf(&params, "%s:%q", k, v)
	}
	return fmt.Sprintf("router.Deployment{ID:%q ModelGroup:%q Model:%q APIBase:%q APIKey:%q APIVersion:%q ProviderParams:map[%s] RPM:%d TPM:%d Weight:%g Timeout:%v MaxRetries:%s}",
		d.ID, d.ModelGroup, d.Model, d.APIBase, key, d.APIVersion, params.String(), d.RPM, d.TPM, d.Weight, d.Timeout, retries)
}

// GoString is String, so %#v reveals no secret either.
func (d Deployment) GoString() string { return d.String() }

// clone returns a copy of d that shares no memory with it.
func (d Deployment) clone() Deployment {
	if d.MaxRetries != nil {
		n := *d.MaxRetries
		d.MaxRetries = &n
	}
	d.ProviderParams = maps.Clone(d.ProviderParams)
	return d
}

// validate reports every problem of the deployment at index i.
func (d *Deployment) validate(i int) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("router: deployment %d (id %q): %s: "+format, append([]any{i, d.ID, field}, args...)...))
	}
	if d.ID == "" {
		bad("ID", "is required")
	}
	if d.ModelGroup == "" {
		bad("ModelGroup", "is required")
	}
	if d.Model == "" {
		bad("Model", "is required")
	}
	if d.RPM < 0 {
		bad("RPM", "must not be negative, got %d", d.RPM)
	}
	if d.TPM < 0 {
		bad("TPM", "must not be negative, got %d", d.TPM)
	}
	if d.Weight < 0 || d.Weight != d.Weight || d.Weight > 1e300 {
		bad("Weight", "must be a finite number >= 0, got %g", d.Weight)
	}
	if d.Timeout < 0 {
		bad("Timeout", "must not be negative, got %v", d.Timeout)
	}
	if d.MaxRetries != nil && *d.MaxRetries < 0 {
		bad("MaxRetries", "must not be negative, got %d", *d.MaxRetries)
	}
	return errs
}

// errNoDeployments is returned by New without deployments.
var errNoDeployments = errors.New("router: no deployments")
