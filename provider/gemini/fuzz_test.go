package gemini

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/llmux/llmux"
)

func seeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode feeds arbitrary bodies to the error mapper and the response
// decoder: each answers a result or an *llmux.Error, never panics.
func FuzzDecode(f *testing.F) {
	seeds(f, "*.json")
	seeds(f, "errors/*.json")
	p := New(WithAPIKey(testKey))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, status := range []int{0, 400, 429, 503} {
			if e := p.mapError(status, nil, b); e == nil || e.Code == llmux.CodeUnknown && status != 0 {
				t.Fatalf("mapError(%d) = %v", status, e)
			}
		}
		resp, err := p.decodeGenerate("gemini-2.5-flash", b)
		if (resp == nil) == (err == nil) {
			t.Fatalf("decode: resp %v err %v", resp, err)
		}
	})
}

// FuzzStream feeds arbitrary SSE bodies to the stream reader: it ends
// with io.EOF or an *llmux.Error, in bounded steps.
func FuzzStream(f *testing.F) {
	seeds(f, "*.sse")
	p := New(WithAPIKey(testKey))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := p.newStream(io.NopCloser(bytes.NewReader(b)), "m")
		defer s.Close()
		for i := 0; i < 100000; i++ {
			_, err := s.Recv()
			if err == io.EOF {
				return
			}
			if err != nil {
				if llmux.CodeOf(err) == llmux.CodeUnknown {
					t.Fatalf("unclassified error %v", err)
				}
				return
			}
		}
		t.Fatal("stream did not end")
	})
}
