package keyhash

import (
	"hash/fnv"
	"testing"
)

// The generated index depends on Sum: changing it means regenerating
// cost/prices_gen.go. It is FNV-1a as hash/fnv computes it.
func TestSum_IsFNV1a(t *testing.T) {
	for _, k := range []struct{ prefix, name string }{
		{"", ""}, {"", "gpt-4o"}, {"azure", "gpt-4o"}, {"bedrock", "us-east-1/anthropic.claude-v2:1"},
	} {
		h := fnv.New64a()
		h.Write([]byte(k.prefix + "/" + k.name))
		s := h.Sum64()
		if got, want := Sum(k.prefix, k.name), uint32(s^s>>32); got != want {
			t.Errorf("Sum(%q, %q) = %#x, want %#x", k.prefix, k.name, got, want)
		}
	}
}

func TestSum_PrefixAndNameDiffer(t *testing.T) {
	if Sum("a", "b") == Sum("", "a/b") {
		t.Error(`Sum("a", "b") == Sum("", "a/b")`)
	}
}

func TestSum_NoAllocs(t *testing.T) {
	var h uint32
	if n := testing.AllocsPerRun(100, func() { h ^= Sum("bedrock", "us-east-1/anthropic.claude-v2:1") }); n != 0 {
		t.Errorf("Sum allocates %v times, want 0", n)
	}
}
