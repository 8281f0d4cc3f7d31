package mask

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// MinSecret is the shortest value treated as a secret to scrub by value:
// shorter ones would match ordinary text.
const MinSecret = 8

// Secrets is the set of secret values one call knows: the API keys it
// sends, from the request, the provider's configuration or the
// environment, the values of secret headers, secret query values and URL
// passwords. Everything the call reports is scrubbed of them by value
// ([Secrets.String]), whatever name or place they appear under. The zero
// value is empty and ready; a Secrets is for one goroutine.
type Secrets struct {
	list []string
}

// Add adds v when it is long enough to scrub and new; it reports whether
// the set grew.
func (s *Secrets) Add(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < MinSecret {
		return false
	}
	for _, k := range s.list {
		if k == v {
			return false
		}
	}
	s.list = append(s.list, v)
	return true
}

// Snapshot returns the set as it is now, for reading on another
// goroutine while s grows: what is added to s later does not show in it.
func (s *Secrets) Snapshot() Secrets {
	return Secrets{list: s.list[:len(s.list):len(s.list)]}
}

// Len returns the number of secrets.
func (s *Secrets) Len() int { return len(s.list) }

// AddHeader adds the values of h's secret headers (by name: authorization,
// api-key, x-api-key, tokens, cookies...): the whole value and, for
// "<scheme> <credentials>", the credentials alone. It reports whether the
// set grew.
func (s *Secrets) AddHeader(h http.Header) bool {
	grew := false
	for k, vs := range h {
		if !IsSecretName(k) {
			continue
		}
		for _, v := range vs {
			grew = s.Add(v) || grew
			if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				grew = s.Add(cred) || grew
			}
		}
	}
	return grew
}

// AddJSON adds the string members under secret-looking names
// (private_key, client_secret, refresh_token...) of v when v is a JSON
// object, such as a Google service-account key; nested objects are
// searched too. Anything else adds nothing.
func (s *Secrets) AddJSON(v string) bool {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") {
		return false
	}
	var obj map[string]any
	if json.Unmarshal([]byte(v), &obj) != nil {
		return false
	}
	return s.addJSONObject(obj)
}

func (s *Secrets) addJSONObject(obj map[string]any) bool {
	grew := false
	for k, x := range obj {
		switch x := x.(type) {
		case string:
			if IsSecretName(k) {
				grew = s.Add(x) || grew
			}
		case map[string]any:
			grew = s.addJSONObject(x) || grew
		}
	}
	return grew
}

// AddURL adds the secret query values (key=, api_key=, token=...) and the
// password of a URL. It reports whether the set grew.
func (s *Secrets) AddURL(raw string) bool {
	if !strings.ContainsAny(raw, "?@") {
		return false // no query, no userinfo
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	grew := false
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			grew = s.Add(p) || grew
		}
	}
	for k, vs := range u.Query() {
		if IsSecretName(k) {
			for _, v := range vs {
				grew = s.Add(v) || grew
			}
		}
	}
	return grew
}

// String replaces every secret in x by its mask ([Key]).
func (s *Secrets) String(x string) string {
	for _, k := range s.list {
		if strings.Contains(x, k) {
			x = strings.ReplaceAll(x, k, Key(k))
		}
	}
	return x
}

// Bytes returns b, or a scrubbed copy of it when it holds a secret; b is
// never changed.
func (s *Secrets) Bytes(b []byte) []byte {
	copied := false
	for _, k := range s.list {
		if bytes.Contains(b, []byte(k)) {
			if !copied {
				b = append([]byte(nil), b...)
				copied = true
			}
			b = bytes.ReplaceAll(b, []byte(k), []byte(Key(k)))
		}
	}
	return b
}

// Contains reports whether x holds a secret.
func (s *Secrets) Contains(x string) bool {
	for _, k := range s.list {
		if strings.Contains(x, k) {
			return true
		}
	}
	return false
}

// Map returns m, or a copy whose values are scrubbed when one holds a
// secret; m is never changed.
func (s *Secrets) Map(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if s.Contains(v) {
			if out == nil {
				out = make(map[string]string, len(m))
				for k2, v2 := range m {
					out[k2] = v2
				}
			}
			out[k] = s.String(v)
		}
	}
	if out == nil {
		return m
	}
	return out
}
