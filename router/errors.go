package router

import (
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
)

// Classification of a failed try. llmux.CodeOf classifies; these are the
// router's policies, each defined once.

// deploymentFault reports whether err is a failure of the deployment that
// another deployment could avoid: it counts towards the deployment's
// cooldown and the call moves on to another deployment. That is what
// llmux.IsRetryable retries (rate limits, timeouts, overload, server and
// connection errors), plus what is wrong with this deployment's account
// or configuration (authentication, permission, not found, quota) and an
// answer that could not be decoded. Invalid requests, context-length and
// content-policy errors would fail on any deployment of the group; a
// cancellation is the caller's.
func deploymentFault(err error) bool {
	if llmux.IsRetryable(err) {
		return true
	}
	switch llmux.CodeOf(err) {
	case llmux.CodeAuthentication, llmux.CodePermission, llmux.CodeNotFound, llmux.CodeQuota, llmux.CodeBadResponse:
		return true
	}
	return false
}

// fallbackList returns the groups a call that failed in its group with
// err moves to: context-length and content-policy errors have their own
// lists; invalid requests, unsupported calls and cancellations have none;
// every other error uses the general fallbacks.
func fallbackList(g *group, err error) []*group {
	switch llmux.CodeOf(err) {
	case llmux.CodeContextLength:
		return g.cwFallbacks
	case llmux.CodeContentFiltered:
		return g.cpFallbacks
	case llmux.CodeInvalidRequest, llmux.CodeUnsupported, llmux.CodeCanceled:
		return nil
	}
	return g.fallbacks
}

// unavailable is the error of a call whose group has no deployment to
// pick: all are cooling down or (UsageBased) at their limits. It is a rate
// limit, as LiteLLM's "No deployments available for selected model", with
// RetryAfter the time until the first of them is available again.
func unavailable(g *group, cooling, limited int, retryAfter time.Duration) *llmux.Error {
	var why []string
	if cooling > 0 {
		why = append(why, fmt.Sprintf("%d cooling down", cooling))
	}
	if limited > 0 {
		why = append(why, fmt.Sprintf("%d at their rpm/tpm limit", limited))
	}
	secs := int((retryAfter + time.Second - 1) / time.Second)
	return &llmux.Error{
		Code: llmux.CodeRateLimited,
		Type: "no_deployments_available",
		Message: fmt.Sprintf("router: no deployment of model group %q is available (%s); try again in %ds",
			g.name, strings.Join(why, ", "), secs),
		RetryAfter: retryAfter,
	}
}
