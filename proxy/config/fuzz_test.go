package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds Load arbitrary bytes. Properties: it never panics; it
// returns either *Errors or a Config; a Config encodes to JSON, loads the
// same way twice, validates the same way twice, and Validate leaves it
// unchanged. Seeds: testdata/*.yaml and testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		load := func() (*Config, error) {
			return Load(data, WithFileName("fuzz.yaml"), WithLookupEnv(lookupTestEnv))
		}
		c, err := load()
		if err != nil {
			for _, e := range unjoin(err) {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Fatalf("error %T %v is not a *config.Error", e, e)
				}
			}
			if c != nil {
				t.Fatal("a Config with an error")
			}
			return
		}
		first, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("JSON of a loaded config: %v", err)
		}
		again, err := load()
		if err != nil {
			t.Fatalf("second Load failed: %v", err)
		}
		if second, _ := json.Marshal(again); string(second) != string(first) {
			t.Fatalf("Load is not deterministic:\n%s\n%s", first, second)
		}
		v1 := fmt.Sprint(c.Validate(WithCallbackNames(testCallbacks...)))
		v2 := fmt.Sprint(c.Validate(WithCallbackNames(testCallbacks...)))
		if v1 != v2 {
			t.Fatalf("Validate is not deterministic:\n%s\n%s", v1, v2)
		}
		if after, _ := json.Marshal(c); string(after) != string(first) {
			t.Fatal("Validate changed the config")
		}
		c.SetDefaults()
		if after, _ := json.Marshal(c); string(after) != string(first) {
			t.Fatal("SetDefaults is not idempotent")
		}
	})
}
