// Package mask hides secrets: API keys, secret headers and key= query
// values, so nothing llmux logs or reports ever carries one in clear.
package mask

import (
	"net/http"
	"net/url"
	"strings"
)

// Key masks an API key as LiteLLM does: the first 3 and last 4 characters
// around "...", or "****" when the key is too short to show any of it.
// An empty key stays empty.
func Key(k string) string {
	switch {
	case k == "":
		return ""
	case len(k) <= 12:
		return "****"
	}
	return k[:3] + "..." + k[len(k)-4:]
}

// IsSecretName reports whether a header or parameter name looks like it
// carries a secret: authorization, key, token, secret, password,
// signature, cookie.
func IsSecretName(name string) bool {
	// One pass over the name: only a letter that starts one of the words
	// is compared further. Most names (Content-Type, Date, X-Request-Id)
	// are decided a character at a time.
	for i := 0; i < len(name); i++ {
		var words []string
		switch name[i] | 0x20 { // ASCII lower case; other bytes match no case
		case 'a':
			words = wordsA
		case 'k':
			words = wordsK
		case 't':
			words = wordsT
		case 's':
			words = wordsS
		case 'p':
			words = wordsP
		case 'c':
			words = wordsC
		default:
			continue
		}
		for _, w := range words {
			if hasPrefixFold(name[i:], w) {
				return true
			}
		}
	}
	return false
}

// The words of IsSecretName, by first letter.
var (
	wordsA = []string{"authorization"}
	wordsK = []string{"key"}
	wordsT = []string{"token"}
	wordsS = []string{"secret", "signature"}
	wordsP = []string{"password"}
	wordsC = []string{"cookie", "credential"}
)

// hasPrefixFold reports whether s starts with the lowercase ASCII word w,
// ignoring ASCII case, without allocating.
func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[j] {
			return false
		}
	}
	return true
}

// Header returns a copy of h with the values of secret headers masked.
// "Bearer <key>" keeps its scheme.
func Header(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		var v string
		if len(vs) == 1 {
			v = vs[0]
		} else {
			v = strings.Join(vs, ", ")
		}
		if IsSecretName(k) {
			if scheme, rest, ok := strings.Cut(v, " "); ok && !strings.Contains(rest, " ") {
				v = scheme + " " + Key(rest)
			} else {
				v = Key(v)
			}
		}
		out[k] = v
	}
	return out
}

// URL masks secret query values (key=, api_key=, token=...) and any
// userinfo password in a URL string. An unparsable URL is returned with
// its query cut off.
func URL(raw string) string {
	if !strings.ContainsAny(raw, "?@") {
		return raw // no query, no userinfo: nothing to mask
	}
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	changed := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "****")
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			if IsSecretName(k) {
				for i := range vs {
					vs[i] = Key(vs[i])
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

// String replaces every occurrence of each secret in s by its mask. It is
// the last line of defence for free text such as error messages.
func String(s string, secrets ...string) string {
	for _, k := range secrets {
		if len(k) >= 8 && strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, Key(k))
		}
	}
	return s
}

// IsSHA256Hex reports whether s is 64 hex digits: a key's hash (LiteLLM's
// user_api_key), which may be stored, unlike a key.
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
