package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func collect(t *testing.T, in string, max int) ([]Event, error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(in), max)
	var out []Event
	for {
		ev, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		ev.Data = append([]byte(nil), ev.Data...)
		out = append(out, ev)
	}
}

func TestDecoder_Events(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Event
	}{
		{"lf", "data: a\n\ndata: b\n\n", []Event{{Data: []byte("a")}, {Data: []byte("b")}}},
		{"crlf", "data: {\"x\":1}\r\n\r\ndata: y\r\n\r\n", []Event{{Data: []byte(`{"x":1}`)}, {Data: []byte("y")}}},
		{"cr", "data: a\r\rdata: b\r\r", []Event{{Data: []byte("a")}, {Data: []byte("b")}}},
		{"named", "event: ping\ndata: {}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
			[]Event{{Name: "ping", Data: []byte("{}")}, {Name: "message_stop", Data: []byte(`{"type":"message_stop"}`)}}},
		{"comments and empty events skipped", ": keep-alive\n\nevent: x\n\ndata: a\n\n", []Event{{Data: []byte("a")}}},
		{"multi-line data", "data: a\ndata: b\n\n", []Event{{Data: []byte("a\nb")}}},
		{"no space after colon", "data:a\n\n", []Event{{Data: []byte("a")}}},
		{"unterminated last event", "data: a\n\ndata: b", []Event{{Data: []byte("a")}, {Data: []byte("b")}}},
		{"id", "id: 7\ndata: a\n\n", []Event{{ID: "7", Data: []byte("a")}}},
		{"done", "data: [DONE]\n\n", []Event{{Data: []byte("[DONE]")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.in, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %q, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i].Name != tt.want[i].Name || got[i].ID != tt.want[i].ID || !bytes.Equal(got[i].Data, tt.want[i].Data) {
					t.Errorf("event %d = %+v (%q), want %+v (%q)", i, got[i], got[i].Data, tt.want[i], tt.want[i].Data)
				}
			}
		})
	}
}

func TestDecoder_LineTooLong(t *testing.T) {
	in := "data: " + strings.Repeat("x", 100) + "\n\n"
	_, err := collect(t, in, 50)
	if !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("err = %v, want ErrLineTooLong", err)
	}
	got, err := collect(t, in, 200)
	if err != nil || len(got) != 1 || len(got[0].Data) != 100 {
		t.Fatalf("within the cap: %v %d", err, len(got))
	}
}

func TestDecoder_EventTooLarge(t *testing.T) {
	// Three lines of 4 bytes join to 4+1+4+1+4 = 14 bytes.
	in := "data: aaaa\ndata: bbbb\ndata: cccc\n\n"
	got, err := collect(t, in, 14)
	if err != nil || len(got) != 1 || string(got[0].Data) != "aaaa\nbbbb\ncccc" {
		t.Fatalf("at the cap: %q, %v", got, err)
	}
	_, err = collect(t, in, 13)
	if !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("err = %v, want ErrEventTooLarge", err)
	}
	if want := "sse: event data exceeds the size limit (13 bytes)"; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
	// The cap is per event: many events each under it pass.
	got, err = collect(t, strings.Repeat("data: aaaa\ndata: bbbb\n\n", 100), 10)
	if err != nil || len(got) != 100 {
		t.Fatalf("events under the cap: %d, %v", len(got), err)
	}
}

// endless is a reader that repeats line forever and counts what it gave.
type endless struct {
	line []byte
	off  int
	n    int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.line[e.off]
		e.off = (e.off + 1) % len(e.line)
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestDecoder_EndlessDataLinesStopAtTheCap(t *testing.T) {
	for _, max := range []int{1 << 10, 0} {
		src := &endless{line: []byte("data: x\n")}
		d := NewDecoder(src, max)
		_, err := d.Next()
		if !errors.Is(err, ErrEventTooLarge) {
			t.Fatalf("max %d: err = %v, want ErrEventTooLarge", max, err)
		}
		limit := max
		if limit <= 0 {
			limit = DefaultMaxLine
		}
		// Each 8-byte line adds 2 bytes ("x" and the "\n" joining it): the
		// error must come after about 4 times the cap, plus the buffer.
		if src.n > int64(4*limit+8<<10) {
			t.Errorf("max %d: read %d bytes before failing", max, src.n)
		}
		if c := cap(d.data); c > 2*limit {
			t.Errorf("max %d: event buffer grew to %d bytes", max, c)
		}
	}
}

func TestDecoder_EndlessDataLinesBoundedAllocs(t *testing.T) {
	const max = 64 << 10
	allocs := testing.AllocsPerRun(5, func() {
		d := NewDecoder(&endless{line: []byte("data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")}, max)
		if _, err := d.Next(); !errors.Is(err, ErrEventTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	// A few dozen appends to double the buffer up to the cap, not one per
	// line (there are over 1,000 lines).
	if allocs > 64 {
		t.Errorf("%.0f allocations per run", allocs)
	}
}

// FuzzDecoder: the decoder terminates, never returns more data than its
// input, and never returns an event larger than its cap.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("event: a\ndata: b\n\n"), 16)
	f.Add([]byte("data: x\r\n\r\n: c\rdata:y"), 4)
	f.Add([]byte("data: aaaa\ndata: bbbb\ndata: cccc\n\n"), 13)
	f.Add([]byte("data\ndata\ndata\ndata\n\n"), 2)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max <= 0 || max > 1<<16 {
			max = 64
		}
		d := NewDecoder(bytes.NewReader(in), max)
		for i := 0; i <= len(in)+1; i++ {
			ev, err := d.Next()
			if err != nil {
				return
			}
			if len(ev.Data) > len(in) {
				t.Fatalf("data longer than input")
			}
			if len(ev.Data) > max {
				t.Fatalf("event of %d bytes exceeds the cap %d", len(ev.Data), max)
			}
		}
		t.Fatalf("decoder did not terminate")
	})
}

func BenchmarkDecoder(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 100; i++ {
		buf.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}` + "\n\n")
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(in), 0)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
