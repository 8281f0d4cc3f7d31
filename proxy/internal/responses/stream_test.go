package responses

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// writeStream writes chunks and then final (or fails with failErr) and
// returns the events and how many times flush was called.
func writeStream(t testing.TB, echo *Echo, chunks []*llmux.Chunk, final *llmux.Response, failErr error) ([]byte, int) {
	t.Helper()
	var buf bytes.Buffer
	flushes := 0
	sw := NewStreamWriter(&buf, func() { flushes++ }, echo)
	for _, c := range chunks {
		if err := sw.Chunk(c); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if failErr != nil {
		err = sw.Fail(failErr)
	} else {
		err = sw.Finish(final)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), flushes
}

// The event streams of recorded and representative chat streams: text,
// two sequential tool calls, text and two interleaved tool calls,
// reasoning then text, and text cut off at the length limit.
func TestStreamWriter_Golden(t *testing.T) {
	for _, name := range []string{"openai-chat-stream", "openai-chat-tools-stream", "chat-text-tools-stream",
		"chat-reasoning-stream", "chat-length-stream"} {
		t.Run(name, func(t *testing.T) {
			chunks, final := streamFixture(t, name+".sse")
			fixedClockAndIDs(t)
			out, flushes := writeStream(t, simpleEcho(t), chunks, final, nil)
			providertest.Golden(t, "testdata/golden/stream-"+name+".sse", out)
			events := checkStream(t, out)
			if flushes != len(events) {
				t.Errorf("%d flushes for %d events", flushes, len(events))
			}
		})
	}
}

// response.completed carries the object EncodeResponse makes of the
// accumulated response (but for ids).
func TestStreamWriter_CompletedIsTheEncodedResponse(t *testing.T) {
	for _, name := range []string{"openai-chat-stream", "openai-chat-tools-stream", "chat-text-tools-stream",
		"chat-reasoning-stream", "chat-length-stream"} {
		t.Run(name, func(t *testing.T) {
			chunks, final := streamFixture(t, name+".sse")
			fixedClockAndIDs(t)
			echo := simpleEcho(t)
			out, _ := writeStream(t, echo, chunks, final, nil)
			events := parseSSE(t, out)
			last := events[len(events)-1].data["response"]
			enc, err := EncodeResponse(final, echo)
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(enc, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stripIDs(want), stripIDs(last)); diff != "" {
				t.Errorf("completed response differs from EncodeResponse(final) (-want +got):\n%s", diff)
			}
		})
	}
}

// stripIDs removes the response and item ids, which differ between two
// encodings.
func stripIDs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "id" {
				out[k] = stripIDs(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripIDs(e)
		}
		return out
	}
	return v
}

// A stream that fails midway: the items so far, an error event in
// OpenAI's shape, and response.failed.
func TestStreamWriter_FailGolden(t *testing.T) {
	chunks, _ := streamFixture(t, "chat-text-tools-stream.sse")
	fixedClockAndIDs(t)
	err := fmt.Errorf("upstream: %w", &llmux.Error{Code: llmux.CodeRateLimited, Provider: "openai", StatusCode: 429,
		Message: "Rate limit reached for gpt-4o-mini"})
	out, _ := writeStream(t, simpleEcho(t), chunks[:3], nil, err)
	providertest.Golden(t, "testdata/golden/stream-fail.sse", out)
	events := checkStream(t, out)
	var errEv event
	for _, e := range events {
		if e.name == "error" {
			errEv = e
		}
	}
	want := map[string]any{"type": "rate_limit_error", "code": "rate_limit_exceeded",
		"message": "Rate limit reached for gpt-4o-mini", "param": nil}
	if diff := cmp.Diff(want, errEv.data["error"]); diff != "" {
		t.Errorf("error event (-want +got):\n%s", diff)
	}
	failed := events[len(events)-1].data["response"].(map[string]any)
	if failed["status"] != "failed" || failed["error"].(map[string]any)["code"] != "rate_limit_exceeded" {
		t.Errorf("failed response: %v", failed)
	}
}

func TestStreamWriter_FailBeforeAnyChunk(t *testing.T) {
	out, _ := writeStream(t, &Echo{Model: "m"}, nil, nil, errors.New("boom"))
	events := checkStream(t, out)
	var names []string
	for _, e := range events {
		names = append(names, e.name)
	}
	if want := []string{"response.created", "response.in_progress", "error", "response.failed"}; !cmp.Equal(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}
	if got := events[2].data["error"].(map[string]any); got["code"] != "server_error" || got["message"] != "boom" {
		t.Errorf("error %v", got)
	}
}

// A stream whose chunks brought nothing (a replayed answer) streams the
// final response's items whole.
func TestStreamWriter_FinishWithoutChunksReplaysTheResponse(t *testing.T) {
	fixedClockAndIDs(t)
	final := decodeFixture(t, "openai-chat-tools.json")
	out, _ := writeStream(t, simpleEcho(t), nil, final, nil)
	events := checkStream(t, out)
	var names []string
	for _, e := range events {
		names = append(names, e.name)
	}
	want := []string{"response.created", "response.in_progress", "response.output_item.added",
		"response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
		"response.completed"}
	if !cmp.Equal(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}
	if got := events[1].data["response"].(map[string]any)["created_at"]; got != float64(final.Created) {
		t.Errorf("created_at %v, want the response's %d", got, final.Created)
	}
}

// Start reports the echo's model right away; later calls do nothing.
func TestStreamWriter_Start(t *testing.T) {
	fixedClockAndIDs(t)
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, &Echo{Model: "alias"})
	if err := sw.Start(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Start(); err != nil {
		t.Fatal(err)
	}
	events := parseSSE(t, buf.Bytes())
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	r := events[0].data["response"].(map[string]any)
	if r["model"] != "alias" || r["status"] != "in_progress" || r["usage"] != nil || r["created_at"] != float64(now().Unix()) {
		t.Errorf("created: %v", r)
	}
}

func TestStreamWriter_CallsAfterTheEnd(t *testing.T) {
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, nil)
	if err := sw.Finish(nil); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	for _, err := range []error{sw.Chunk(&llmux.Chunk{}), sw.Finish(nil), sw.Fail(errors.New("x"))} {
		if !errors.Is(err, errFinished) {
			t.Errorf("err %v, want errFinished", err)
		}
	}
	if buf.Len() != n {
		t.Error("wrote after the end")
	}
	checkStream(t, buf.Bytes())
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("broken pipe")
	}
	w.n--
	return len(p), nil
}

// A write error is returned, and returned again by every later call.
func TestStreamWriter_WriteErrorSticks(t *testing.T) {
	chunks, final := streamFixture(t, "openai-chat-stream.sse")
	sw := NewStreamWriter(&failWriter{n: 3}, nil, nil)
	var first error
	for _, c := range chunks {
		if err := sw.Chunk(c); err != nil {
			first = err
			break
		}
	}
	if first == nil || !strings.Contains(first.Error(), "broken pipe") || !strings.HasPrefix(first.Error(), "responses: ") {
		t.Fatalf("err %v", first)
	}
	if err := sw.Finish(final); !errors.Is(err, first) && err.Error() != first.Error() {
		t.Errorf("Finish after a write error: %v", err)
	}
}

// A delta for a tool call whose item was closed (text came in between) is
// refused rather than lost.
func TestStreamWriter_ToolDeltaAfterItsItemClosed(t *testing.T) {
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, nil)
	i := 0
	chunk := func(d llmux.Delta) *llmux.Chunk {
		return &llmux.Chunk{Choices: []llmux.ChunkChoice{{Delta: d}}}
	}
	if err := sw.Chunk(chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{Index: &i, ID: "c", Function: llmux.FunctionCall{Name: "f"}}}})); err != nil {
		t.Fatal(err)
	}
	if err := sw.Chunk(chunk(llmux.Delta{ReasoningContent: "hmm"})); err != nil {
		t.Fatal(err)
	}
	if err := sw.Chunk(chunk(llmux.Delta{ToolCalls: []llmux.ToolCall{{Index: &i, Function: llmux.FunctionCall{Arguments: "{}"}}}})); err == nil {
		t.Error("no error")
	}
}

// A refusal streams as a refusal part.
func TestStreamWriter_Refusal(t *testing.T) {
	fixedClockAndIDs(t)
	final := decodeFixture(t, "chat-refusal.json")
	out, _ := writeStream(t, nil, []*llmux.Chunk{
		{Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Refusal: "I'm sorry, "}}}},
		{Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Refusal: "I can't help with that."}, FinishReason: "stop"}}},
	}, final, nil)
	events := checkStream(t, out)
	var names []string
	for _, e := range events {
		names = append(names, e.name)
	}
	want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.refusal.delta", "response.refusal.delta", "response.refusal.done", "response.content_part.done",
		"response.output_item.done", "response.completed"}
	if !cmp.Equal(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}
}

// checkStream checks a stream the way the npm openai client reads it
// (lib/responses/ResponseAccumulator.ts): the first event is
// response.created; each event's sequence_number is its position; items
// are added in output order; every delta and done event names an existing
// item and content part of the right type, by index and by item_id; the
// done events hold what the deltas added up to; and the last event's
// response holds the items the events built.
func checkStream(t testing.TB, b []byte) []event {
	t.Helper()
	events := parseSSE(t, b)
	if len(events) < 2 || events[0].name != "response.created" || events[1].name != "response.in_progress" {
		t.Fatalf("stream does not start with response.created, response.in_progress")
	}
	output := []map[string]any{}
	getItem := func(i int, e event) map[string]any {
		idx := int(e.data["output_index"].(float64))
		if idx < 0 || idx >= len(output) {
			t.Fatalf("event %d %s: missing output at index %d", i, e.name, idx)
		}
		it := output[idx]
		if id, ok := e.data["item_id"]; ok && id != it["id"] {
			t.Fatalf("event %d %s: item_id %v, item at output_index %d is %v", i, e.name, id, idx, it["id"])
		}
		return it
	}
	getContent := func(i int, e event, it map[string]any, list string, idxName, typ string) map[string]any {
		parts, _ := it[list].([]any)
		ci := int(e.data[idxName].(float64))
		if ci < 0 || ci >= len(parts) {
			t.Fatalf("event %d %s: missing content at index %d", i, e.name, ci)
		}
		p := parts[ci].(map[string]any)
		if p["type"] != typ {
			t.Fatalf("event %d %s: content is %v, want %s", i, e.name, p["type"], typ)
		}
		return p
	}
	terminal := map[string]bool{"response.completed": true, "response.incomplete": true, "response.failed": true}
	for i, e := range events {
		if e.data["type"] != e.name {
			t.Fatalf("event %d: name %q, type %v", i, e.name, e.data["type"])
		}
		if e.data["sequence_number"] != float64(i) {
			t.Fatalf("event %d: sequence_number %v", i, e.data["sequence_number"])
		}
		if terminal[e.name] != (i == len(events)-1) {
			t.Fatalf("event %d: %s is not last, or the last event is not terminal", i, e.name)
		}
		switch e.name {
		case "response.output_item.added":
			if int(e.data["output_index"].(float64)) != len(output) {
				t.Fatalf("event %d: item added at %v with %d items", i, e.data["output_index"], len(output))
			}
			output = append(output, e.data["item"].(map[string]any))
		case "response.output_item.done":
			it := getItem(i, e)
			if e.data["item"].(map[string]any)["id"] != it["id"] {
				t.Fatalf("event %d: done item has another id", i)
			}
			output[int(e.data["output_index"].(float64))] = e.data["item"].(map[string]any)
		case "response.content_part.added":
			it := getItem(i, e)
			parts := it["content"].([]any)
			if int(e.data["content_index"].(float64)) != len(parts) {
				t.Fatalf("event %d: part added at %v with %d parts", i, e.data["content_index"], len(parts))
			}
			it["content"] = append(parts, e.data["part"])
		case "response.content_part.done":
			it := getItem(i, e)
			part := e.data["part"].(map[string]any)
			p := getContent(i, e, it, "content", "content_index", part["type"].(string))
			if !cmp.Equal(p, part) {
				t.Fatalf("event %d: part done %v, deltas gave %v", i, part, p)
			}
		case "response.output_text.delta", "response.output_text.done":
			p := getContent(i, e, getItem(i, e), "content", "content_index", "output_text")
			if e.name == "response.output_text.delta" {
				p["text"] = p["text"].(string) + e.data["delta"].(string)
				p["logprobs"] = append(p["logprobs"].([]any), e.data["logprobs"].([]any)...)
			} else if p["text"] != e.data["text"] {
				t.Fatalf("event %d: text done %q, deltas gave %q", i, e.data["text"], p["text"])
			}
		case "response.refusal.delta", "response.refusal.done":
			p := getContent(i, e, getItem(i, e), "content", "content_index", "refusal")
			if e.name == "response.refusal.delta" {
				p["refusal"] = p["refusal"].(string) + e.data["delta"].(string)
			} else if p["refusal"] != e.data["refusal"] {
				t.Fatalf("event %d: refusal done %q, deltas gave %q", i, e.data["refusal"], p["refusal"])
			}
		case "response.function_call_arguments.delta", "response.function_call_arguments.done":
			it := getItem(i, e)
			if it["type"] != "function_call" {
				t.Fatalf("event %d: item is %v", i, it["type"])
			}
			if e.name == "response.function_call_arguments.delta" {
				it["arguments"] = it["arguments"].(string) + e.data["delta"].(string)
			} else if it["arguments"] != e.data["arguments"] || it["name"] != e.data["name"] {
				t.Fatalf("event %d: arguments done %v, deltas gave %v", i, e.data, it)
			}
		case "response.reasoning_summary_part.added":
			it := getItem(i, e)
			it["summary"] = append(it["summary"].([]any), e.data["part"])
		case "response.reasoning_summary_part.done", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done":
			p := getContent(i, e, getItem(i, e), "summary", "summary_index", "summary_text")
			switch e.name {
			case "response.reasoning_summary_text.delta":
				p["text"] = p["text"].(string) + e.data["delta"].(string)
			case "response.reasoning_summary_text.done":
				if p["text"] != e.data["text"] {
					t.Fatalf("event %d: summary done %q, deltas gave %q", i, e.data["text"], p["text"])
				}
			default:
				if !cmp.Equal(p, e.data["part"]) {
					t.Fatalf("event %d: summary part done %v, deltas gave %v", i, e.data["part"], p)
				}
			}
		case "response.created", "response.in_progress", "error":
		case "response.completed", "response.incomplete", "response.failed":
			r := e.data["response"].(map[string]any)
			first := events[0].data["response"].(map[string]any)
			if r["id"] != first["id"] || r["created_at"] != first["created_at"] {
				t.Fatalf("final response id/created_at differ from response.created's")
			}
			want := map[string]string{"response.completed": "completed", "response.incomplete": "incomplete",
				"response.failed": "failed"}[e.name]
			if r["status"] != want {
				t.Fatalf("%s with status %v", e.name, r["status"])
			}
			got, _ := json.Marshal(r["output"])
			built, _ := json.Marshal(output)
			if e.name != "response.failed" && !bytes.Equal(got, built) {
				t.Fatalf("final output\n%s\nevents built\n%s", got, built)
			}
		default:
			t.Fatalf("event %d: unexpected type %s", i, e.name)
		}
	}
	return events
}

// The writer's own cost: a text stream of 200 chunks.
func BenchmarkStreamWriter_Text(b *testing.B) {
	chunks := make([]*llmux.Chunk, 200)
	for i := range chunks {
		chunks[i] = &llmux.Chunk{Model: "m", Choices: []llmux.ChunkChoice{{Delta: llmux.Delta{Content: "token "}}}}
	}
	final := &llmux.Response{Model: "m", Created: time.Now().Unix(), Choices: []llmux.Choice{{FinishReason: "stop"}}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		sw := NewStreamWriter(&buf, nil, nil)
		for _, c := range chunks {
			_ = sw.Chunk(c)
		}
		_ = sw.Finish(final)
	}
}
