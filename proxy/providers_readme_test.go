package proxy

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/llmux/llmux/provider"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite README.md's provider table from the code")

const (
	tableBegin = "<!-- providers:begin (generated from the code by proxy's TestREADME_ProviderTable; go test ./proxy -run ProviderTable -update-readme) -->\n"
	tableEnd   = "<!-- providers:end -->\n"
)

// providerTable renders the built-in providers' Info as README's table.
func providerTable(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("| prefix | service | package | variables | chat | stream | embeddings | tools | notes |\n")
	b.WriteString("| --- | --- | --- | --- | :-: | :-: | :-: | :-: | --- |\n")
	yes := func(v bool) string {
		if v {
			return "✓"
		}
		return "—"
	}
	code := func(ss []string) string {
		if len(ss) == 0 {
			return "—"
		}
		return "`" + strings.Join(ss, "`, `") + "`"
	}
	seen := map[string]bool{}
	for _, p := range Providers(func(string) string { return "" }) {
		d, ok := p.(provider.Describer)
		if !ok {
			t.Fatalf("built-in provider %q (%T) does not implement provider.Describer", p.Name(), p)
			continue
		}
		info := d.Describe()
		if info.Prefix != p.Name() || seen[info.Prefix] {
			t.Errorf("provider %q describes itself as %q (or twice)", p.Name(), info.Prefix)
		}
		seen[info.Prefix] = true
		if !info.Chat {
			t.Errorf("%s: a built-in provider without chat", info.Prefix)
		}
		prefixes := "`" + info.Prefix + "/`"
		for _, a := range info.Also {
			prefixes += ", `" + a + "/`"
		}
		pkg := strings.TrimPrefix(reflect.TypeOf(p).Elem().PkgPath(), "github.com/llmux/llmux/")
		b.WriteString("| " + prefixes + " | " + info.Title + " | `" + pkg + "` | " + code(info.Env) + " | " + yes(info.Chat) + " | " +
			yes(info.Stream) + " | " + yes(info.Embeddings) + " | " + yes(info.Tools) + " | " + info.Note + " |\n")
	}
	return b.String()
}

// README's provider table is the built-in providers' own description:
// what they are, the variables they read and what they offer.
func TestREADME_ProviderTable(t *testing.T) {
	want := providerTable(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no provider table between %q and %q", tableBegin, tableEnd)
	}
	got := s[i+len(tableBegin) : j]
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile("../README.md", []byte(s[:i+len(tableBegin)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's provider table is not the code's; run go test ./proxy -run ProviderTable -update-readme. Want:\n%s", want)
}

// README's config example loads as llmux serve would load it, with no
// warning: every key it shows is one llmux applies.
func TestREADME_ConfigExampleChecks(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "```yaml\nmodel_list:")
	if i < 0 {
		t.Fatal("README has no config example")
	}
	body := s[i+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	path := t.TempDir() + "/config.yaml"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	getenv := func(k string) string { return "set-for-the-test-" + k }
	if code := CheckConfig(path, &stdout, &stderr, getenv, nil); code != 0 || strings.Contains(stdout.String(), "warning") {
		t.Errorf("llmux config check on README's example: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
