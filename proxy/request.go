package proxy

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/later"
	"github.com/llmux/llmux/internal/stage"
	"github.com/llmux/llmux/proxy/config"
)

// readBody reads the request body up to the size limit: a larger body is
// a 413, an empty one a 400.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > s.set.maxBodySize {
		return nil, tooLarge(s.set.maxBodySize)
	} else if n >= 0 {
		// The length is known and allowed: one buffer of that size, read
		// to its end (net/http's body reader stops at the length).
		b := make([]byte, n)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, badRequest("", "read request body: %v", err)
		}
		return checkBody(b)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.set.maxBodySize))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, tooLarge(mb.Limit)
		}
		return nil, badRequest("", "read request body: %v", err)
	}
	return checkBody(b)
}

// checkBody refuses an empty body (or one of white space only).
func checkBody(b []byte) ([]byte, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, badRequest("", "empty request body: send a JSON object")
	}
	return b, nil
}

// tooLarge is the 413 of a body over the limit.
func tooLarge(limit int64) error {
	return &apiError{status: http.StatusRequestEntityTooLarge, typ: "invalid_request_error", code: "request_too_large",
		message: fmt.Sprintf("request body larger than %d bytes", limit)}
}

// decodeRequest decodes an OpenAI-shaped body (chat completions,
// completions, embeddings) into a Request.
func decodeRequest(body []byte) (*llmux.Request, error) {
	req := new(llmux.Request)
	// The Request's own decoder checks the whole body (syntax, trailing
	// data) in one pass; encoding/json's would scan it once more first.
	// Only a body it refuses goes through encoding/json, for that
	// package's wording of the error.
	if req.UnmarshalJSON(body) != nil {
		req = new(llmux.Request)
		if err := json.Unmarshal(body, req); err != nil {
			return nil, badRequest(paramOf(err.Error()), "invalid request body: %v", err)
		}
	}
	return req, nil
}

// paramOf returns the top-level member a decode error points at ("at
// /messages/0/content: ..." names messages), or "".
func paramOf(msg string) string {
	_, after, ok := strings.Cut(msg, " at /")
	if !ok {
		return ""
	}
	end := strings.IndexAny(after, "/: ")
	if end < 0 {
		end = len(after)
	}
	return after[:end]
}

// clientProviderParams are the provider settings a client may send when
// client-side credentials are allowed: credentials and where to use them,
// nothing that makes the gateway read its own files or profiles
// (aws_profile_name, a vertex_credentials path) or assume a role.
var clientProviderParams = []string{"vertex_project", "vertex_location", "vertex_credentials",
	"aws_region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"}

// credentialKeys are the body members that set a client's own
// credentials (allowed only with WithClientCredentials).
var credentialKeys = []string{"api_key", "api_base", "base_url", "api_version"}

// prepare turns a decoded body into the call's request: it takes out the
// members the gateway consumes (LiteLLM's metadata, tags, mock_response,
// cache controls, client-side credentials), checks the model, and adds
// what loggers should know of the client.
func (s *Server) prepare(r *http.Request, rc *reqCtx, req *llmux.Request, ct llmux.CallType) error {
	rc.model = req.Model
	if req.Model == "" {
		return badRequest("model", "model: required")
	}
	if !s.models.Serves(req.Model) {
		return notServed(req.Model, s.models.List())
	}
	// LiteLLM's metadata is for logging; "metadata" is also OpenAI's
	// stored-completion metadata, so it is sent upstream too when the
	// request stores the completion (store: true).
	meta := make(map[string]any, len(req.Metadata)+4)
	for k, v := range req.Metadata { // set by an endpoint's decoder
		meta[k] = v
	}
	for _, k := range []string{"metadata", "litellm_metadata"} {
		raw, ok := req.Extra[k]
		if !ok || string(raw) == "null" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return badRequest(k, "%s: want an object", k)
		}
		for mk, mv := range m {
			meta[mk] = mv
		}
	}
	var names [16]string // on the stack unless a request sends many provider parameters
	consumed := append(names[:0], "litellm_metadata", "tags", "mock_response", "cache", "api_key", "api_base", "base_url", "api_version")
	if string(req.Extra["store"]) != "true" {
		consumed = append(consumed, "metadata")
	}
	if raw, ok := req.Extra["tags"]; ok {
		if err := json.Unmarshal(raw, &req.Tags); err != nil {
			return badRequest("tags", "tags: want an array of strings")
		}
	}
	if raw, ok := req.Extra["mock_response"]; ok {
		var m string
		if err := json.Unmarshal(raw, &m); err != nil {
			return badRequest("mock_response", "mock_response: want a string")
		}
		req.MockResponse = m
	}
	if raw, ok := req.Extra["cache"]; ok {
		cc, err := decodeCacheControl(raw)
		if err != nil {
			return err
		}
		req.Cache = cc
	}
	var creds map[string]string
	for _, k := range credentialKeys {
		raw, ok := req.Extra[k]
		if !ok {
			continue
		}
		if !s.set.clientCredentials {
			return badRequest(k, "%s: client-side credentials are not allowed on this gateway (general_settings.allow_client_side_credentials)", k)
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return badRequest(k, "%s: want a string", k)
		}
		if creds == nil {
			creds = map[string]string{}
		}
		creds[k] = v
	}
	var params map[string]string
	for k, raw := range req.Extra {
		if !config.IsProviderParam(k) {
			continue
		}
		if !s.set.clientCredentials {
			return badRequest(k, "%s: client-side provider settings are not allowed on this gateway (general_settings.allow_client_side_credentials)", k)
		}
		if !slices.Contains(clientProviderParams, k) {
			return badRequest(k, "%s: not accepted from a client (client-side provider settings: %s)", k, strings.Join(clientProviderParams, ", "))
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			if len(raw) == 0 || raw[0] != '{' {
				return badRequest(k, "%s: want a string (or, for credentials, a JSON object)", k)
			}
			v = string(raw) // vertex_credentials given as an object
		}
		if k == "vertex_credentials" && !strings.HasPrefix(strings.TrimSpace(v), "{") {
			// A path would make the gateway open a file the client chose.
			return badRequest(k, "%s: a client must send the service-account key itself (a JSON object), not a file path", k)
		}
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
		consumed = append(consumed, k)
	}
	if params != nil {
		req.ProviderParams = params
	}
	req.Extra = without(req.Extra, consumed...)
	if creds != nil && (creds["api_base"] != "" || creds["base_url"] != "") && creds["api_key"] == "" {
		// Without a key of its own, a client's base would receive the
		// gateway's key for that provider.
		k := "api_base"
		if creds["api_base"] == "" {
			k = "base_url"
		}
		return badRequest(k, "%s: a client-side base URL needs the client's own api_key", k)
	}
	if creds != nil {
		req.APIKey = creds["api_key"]
		req.APIBase = creds["api_base"]
		if req.APIBase == "" {
			req.APIBase = creds["base_url"]
		}
		req.APIVersion = creds["api_version"]
	}
	if cm, ok := s.models.(*configModels); ok { // a wildcard entry's litellm_params
		cm.apply(req)
	}
	if tags, ok := meta["tags"].([]any); ok && len(req.Tags) == 0 {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				req.Tags = append(req.Tags, s)
			}
		}
	}
	meta["requester_ip_address"] = clientIP(r)
	meta["user_agent"] = r.UserAgent()
	meta["user_api_key_request_route"] = rc.endpoint
	if rc.keyHash != "" {
		meta["user_api_key_hash"] = rc.keyHash
	}
	req.Metadata = meta
	req.TraceID = rc.id
	rc.hc = &HookCall{Endpoint: rc.endpoint, CallType: ct, Stream: req.Stream, Request: req, RequestID: rc.id, KeyHash: rc.keyHash}
	// A completion leaves its last events in the slot; wrap runs it once
	// the answer is out (internal/later). Other calls never fill it.
	rc.ctx, rc.events = later.With(context.WithValue(r.Context(), hookCallKey{}, rc.hc))
	stage.Mark(stage.Prepared)
	return nil
}

// notServed is the 404 of a model the gateway does not serve, listing
// (some of) those it does.
func notServed(model string, served []string) error {
	msg := fmt.Sprintf("model %q is not served by this gateway", model)
	if len(served) > 0 {
		list := served
		more := ""
		if len(list) > 50 {
			list, more = list[:50], fmt.Sprintf(" and %d more", len(served)-50)
		}
		msg += "; served: " + strings.Join(list, ", ") + more
	}
	return &apiError{status: http.StatusNotFound, typ: "invalid_request_error", code: "model_not_found", param: "model", message: msg}
}

// decodeCacheControl reads LiteLLM's per-request cache controls:
// {"no-cache": true, "no-store": true, "ttl": 600, "s-maxage": 60,
// "namespace": "team-a"}.
func decodeCacheControl(raw json.RawMessage) (*llmux.CacheControl, error) {
	var v struct {
		NoCache   bool     `json:"no-cache"`
		NoStore   bool     `json:"no-store"`
		TTL       *float64 `json:"ttl"`
		SMaxAge   *float64 `json:"s-maxage"`
		Namespace string   `json:"namespace"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest("cache", "cache: %v (want no-cache, no-store, ttl, s-maxage, namespace)", err)
	}
	cc := &llmux.CacheControl{NoCache: v.NoCache, NoStore: v.NoStore, Namespace: v.Namespace}
	if v.TTL != nil {
		cc.TTL = time.Duration(*v.TTL * float64(time.Second))
	}
	if v.SMaxAge != nil {
		cc.MaxAge = time.Duration(*v.SMaxAge * float64(time.Second))
	}
	return cc, nil
}

// without returns m without the keys, nil when nothing is left; m itself
// is not changed.
func without(m map[string]json.RawMessage, keys ...string) map[string]json.RawMessage {
	hit := false
	for _, k := range keys {
		if _, ok := m[k]; ok {
			hit = true
			break
		}
	}
	if !hit {
		return m
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// clientIP is the peer's address (headers a client can forge are not
// trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newID returns 32 random hex digits.
func newID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}
