package main

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden are packages the llmux binary must not link. Each reflects on
// methods by name (reflect.Value.MethodByName, through text/template),
// which makes the linker keep every exported method of every type in the
// program: golang.org/x/net/trace, linked by google.golang.org/grpc, cost
// the gateway 17 MB of binary and 5.6 MB of RSS before integration/otel
// got its own OTLP transport.
var forbidden = []string{"text/template", "html/template", "golang.org/x/net/trace", "google.golang.org/grpc"}

// TestBinary_NoMethodReflection lists the packages cmd/llmux links and
// fails on a forbidden one, naming who imports it. .ci/run also checks the
// linker's own verdict (no <ReflectMethod> in -dumpdep).
func TestBinary_NoMethodReflection(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	importers := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			importers[imp] = append(importers[imp], f[0])
		}
	}
	for _, p := range forbidden {
		if by, ok := importers[p]; ok {
			t.Errorf("the llmux binary links %s (imported by %s)", p, strings.Join(by, ", "))
		}
	}
}
