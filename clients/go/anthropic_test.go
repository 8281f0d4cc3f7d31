package clients

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
)

// anthropic-sdk-go against the gateway's Messages API (POST /v1/messages).

func messageParams(model, prompt string, tools bool) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	}
	if tools {
		p.Tools = []anthropic.ToolUnionParam{anthropic.ToolUnionParamOfTool(anthropic.ToolInputSchemaParam{
			Properties: map[string]any{"location": map[string]any{"type": "string", "description": "The city and state"}},
			Required:   []string{"location"},
		}, "get_weather")}
	}
	return p
}

// streamMessage reads a message stream into the SDK's accumulator and
// returns it with the text of its text deltas.
func streamMessage(t *testing.T, c anthropic.Client, p anthropic.MessageNewParams, id string) (anthropic.Message, string) {
	t.Helper()
	s := c.Messages.NewStreaming(ctx(t), p, anthropicoption.WithHeader("X-Request-Id", id))
	defer s.Close()
	var msg anthropic.Message
	var text strings.Builder
	for s.Next() {
		ev := s.Current()
		if err := msg.Accumulate(ev); err != nil {
			t.Fatalf("accumulate %s: %v", ev.RawJSON(), err)
		}
		if d, ok := ev.AsAny().(anthropic.ContentBlockDeltaEvent); ok {
			text.WriteString(d.Delta.Text)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return msg, text.String()
}

// weatherInput checks a tool_use block asking for Boston's weather.
func weatherInput(t *testing.T, b anthropic.ContentBlockUnion) {
	t.Helper()
	var in struct{ Location string }
	if err := json.Unmarshal(b.Input, &in); err != nil || b.Type != "tool_use" || b.Name != "get_weather" ||
		b.ID != "toolu_01T1x1fJ34qAmk2tNTrN7Up6" || in.Location != "Boston, MA" {
		t.Errorf("tool_use block: %s (%v)", b.RawJSON(), err)
	}
}

func TestMessages_Create(t *testing.T) {
	var want anthropic.Message
	fixtureJSON(t, "anthropic-message.json", &want)
	id := gw.requestID(t, "success")
	c := anthropicClient(gw)
	m, err := c.Messages.New(ctx(t), messageParams("claude-sonnet-4-6", "Hi "+id, false), anthropicoption.WithHeader("X-Request-Id", id))
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != want.ID || m.Model != want.Model || m.Role != "assistant" || m.StopReason != anthropic.StopReasonEndTurn {
		t.Errorf("id %q model %q role %q stop_reason %q", m.ID, m.Model, m.Role, m.StopReason)
	}
	if len(m.Content) != 1 || m.Content[0].Type != "text" || m.Content[0].Text != want.Content[0].Text {
		t.Errorf("content: %s", m.RawJSON())
	}
	if m.Usage.InputTokens != 12 || m.Usage.OutputTokens != 12 {
		t.Errorf("usage: %+v", m.Usage)
	}
}

func TestMessages_Stream(t *testing.T) {
	id := gw.requestID(t, "success")
	m, text := streamMessage(t, anthropicClient(gw), messageParams("claude-sonnet-4-6", "Hi, stream "+id, false), id)
	const want = "Hello! How can I help you today?"
	if text != want || len(m.Content) != 1 || m.Content[0].Text != want {
		t.Errorf("text deltas %q, accumulated %s; want %q", text, m.RawJSON(), want)
	}
	if m.StopReason != anthropic.StopReasonEndTurn || m.Usage.InputTokens != 12 || m.Usage.OutputTokens != 12 {
		t.Errorf("stop_reason %q, usage %+v", m.StopReason, m.Usage)
	}
}

func TestMessages_Tools(t *testing.T) {
	c := anthropicClient(gw)
	t.Run("non-stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		m, err := c.Messages.New(ctx(t), messageParams("claude-sonnet-4-6", "Weather in Boston? "+id, true),
			anthropicoption.WithHeader("X-Request-Id", id))
		if err != nil {
			t.Fatal(err)
		}
		if m.StopReason != anthropic.StopReasonToolUse || len(m.Content) != 2 {
			t.Fatalf("stop_reason %q, content %s", m.StopReason, m.RawJSON())
		}
		weatherInput(t, m.Content[1])
	})
	t.Run("stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		m, _ := streamMessage(t, c, messageParams("claude-sonnet-4-6", "Weather in Boston? "+id, true), id)
		if m.StopReason != anthropic.StopReasonToolUse || len(m.Content) != 2 {
			t.Fatalf("stop_reason %q, content %s", m.StopReason, m.RawJSON())
		}
		weatherInput(t, m.Content[1])
	})
}

func TestMessages_RateLimited(t *testing.T) {
	var want struct {
		Error struct{ Type, Message string }
	}
	fixtureJSON(t, "anthropic-error-429-rate-limit.json", &want)
	id := gw.requestID(t, "failure")
	c := anthropicClient(gw)
	_, err := c.Messages.New(ctx(t), messageParams("claude-"+modelRateLimited, "Hi "+id, false),
		anthropicoption.WithHeader("X-Request-Id", id))
	var e *anthropic.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *anthropic.Error, got %T %v", err, err)
	}
	if e.StatusCode != http.StatusTooManyRequests || string(e.Type()) != want.Error.Type || e.Message != want.Error.Message {
		t.Errorf("got %d %q %q, want 429 %q %q", e.StatusCode, e.Type(), e.Message, want.Error.Type, want.Error.Message)
	}
}

// TestMessages_MasterKey: the Anthropic SDK sends its key as a bearer
// token (anthropic-version 2026-10-21); older clients send x-api-key. The
// gateway takes the master key either way.
func TestMessages_MasterKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []anthropicoption.RequestOption
	}{
		{"bearer", nil},
		{"x-api-key", []anthropicoption.RequestOption{anthropicoption.WithoutEnvironmentDefaults(), anthropicoption.WithBaseURL(keyed.url),
			anthropicoption.WithMaxRetries(0), anthropicoption.WithHeader("X-Api-Key", keyed.key)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := keyed.requestID(t, "success")
			c := anthropicClient(keyed)
			if tc.opts != nil {
				c = anthropic.NewClient(tc.opts...)
			}
			m, err := c.Messages.New(ctx(t), messageParams("claude-sonnet-4-6", "Hi "+id, false), anthropicoption.WithHeader("X-Request-Id", id))
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Content) != 1 || m.Content[0].Text != "Hello! How can I help you today?" {
				t.Errorf("content: %s", m.RawJSON())
			}
		})
	}
}
