package mask

import (
	"net/http"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"short":                     "****",
		"sk-proj-abcdefghijklmnopq": "sk-...nopq",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeader_MasksSecretsKeepsOthers(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer sk-live-1234567890abcdef")
	h.Set("api-key", "azure-secret-key-0123456789")
	h.Set("x-api-key", "sk-ant-api03-zzzzzzzzzzzzzzzz")
	h.Set("X-Auth-Token", "tok-abcdefghijklmnop")
	h.Set("Content-Type", "application/json")
	got := Header(h)
	if got["Authorization"] != "Bearer sk-...cdef" {
		t.Errorf("Authorization = %q", got["Authorization"])
	}
	for k, v := range got {
		for _, secret := range []string{"1234567890abcdef", "0123456789", "zzzzzzzzzzzzzzzz", "abcdefghijklmnop"} {
			if strings.Contains(v, secret) {
				t.Errorf("%s leaks %q: %q", k, secret, v)
			}
		}
	}
	if got["Content-Type"] != "application/json" {
		t.Errorf("Content-Type changed: %q", got["Content-Type"])
	}
}

func TestURL_MasksKeyQuery(t *testing.T) {
	got := URL("https://example.com/v1beta/models/x:generate?key=AIzaSyA-1234567890abcdefg&alt=sse")
	if strings.Contains(got, "1234567890abcdefg") || !strings.Contains(got, "alt=sse") {
		t.Errorf("URL = %q", got)
	}
	plain := "https://api.openai.com/v1/chat/completions"
	if URL(plain) != plain {
		t.Errorf("plain URL changed")
	}
	if got := URL("https://u:pass@host/x"); strings.Contains(got, "pass") {
		t.Errorf("password leaked: %q", got)
	}
}

func TestString(t *testing.T) {
	got := String("invalid key sk-live-1234567890abcdef given", "sk-live-1234567890abcdef")
	if strings.Contains(got, "1234567890abcdef") {
		t.Errorf("String = %q", got)
	}
}

// TestIsSecretName checks the one-pass matcher against the plain
// definition (the lower-cased name contains one of the words) on names
// that hold a word anywhere, in any case, cut short, or none at all.
func TestIsSecretName(t *testing.T) {
	words := []string{"authorization", "key", "token", "secret", "password", "signature", "cookie", "credential"}
	plain := func(name string) bool {
		l := strings.ToLower(name)
		for _, w := range words {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	names := []string{"", "a", "k", "ke", "Date", "Content-Type", "Content-Length", "X-Request-Id", "Openai-Processing-Ms",
		"Authorization", "Proxy-Authorization", "authorizatio", "x-api-key", "X-API-KEY", "api_key", "apikey", "Keyword",
		"monkey", "Set-Cookie", "cookies", "X-Goog-Api-Key", "x-amz-security-token", "tok", "TOKEN", "client_secret",
		"Secre", "passwd", "PASSWORD", "X-Amz-Signature", "signatur", "aws_credentials", "credentia", "ocp-apim-subscription-key",
		"\xffkey", "K\xe9y", "sss-secret", "ppassword", "ccookie", "aauthorization"}
	for _, n := range names {
		if got, want := IsSecretName(n), plain(n); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", n, got, want)
		}
	}
}
