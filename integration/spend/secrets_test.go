package spend

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

// TestRowOf_NeverCarriesAKey is a property test: whatever key-shaped
// string lands in the places a key can reach a row (the upstream key, the
// API base's userinfo and query, the virtual key metadata), the row's
// JSON never contains it.
func TestRowOf_NeverCarriesAKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	randKey := func() string {
		b := make([]byte, 13+r.IntN(60))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for i := range 2000 {
		key := randKey()
		e := &llmux.Event{Type: llmux.EventSuccess, CallID: "c", Model: "m", Metadata: map[string]any{}}
		switch i % 5 {
		case 0:
			e.Attempt.APIKey = key
		case 1:
			e.Attempt.APIBase = "https://user:" + key + "@example.com/v1"
		case 2:
			e.Attempt.APIBase = "https://example.com/v1?api_key=" + key
		case 3:
			e.Metadata["user_api_key_hash"] = key
		case 4:
			e.Metadata["user_api_key"] = key
		}
		b, err := json.Marshal(RowOf(e))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), key) {
			t.Fatalf("case %d: key %q in row %s", i%5, key, b)
		}
	}
}
