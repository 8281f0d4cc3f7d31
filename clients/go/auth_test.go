package clients

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The official clients against a gateway with a master key.

func TestAuth_OpenAIMasterKey(t *testing.T) {
	t.Run("right key", func(t *testing.T) {
		id := keyed.requestID(t, "success")
		c := openaiClient(keyed)
		got, err := c.Chat.Completions.New(ctx(t), chatParams("gpt-4o-mini", "Hi "+id), option.WithHeader("X-Request-Id", id))
		if err != nil {
			t.Fatal(err)
		}
		if got.Choices[0].Message.Content != "Hello! How can I assist you today?" {
			t.Errorf("content: %q", got.Choices[0].Message.Content)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		id := keyed.requestID(t, "none")
		const wrong = "sk-wrong-key-0123456789"
		c := openaiClient(keyed, option.WithAPIKey(wrong))
		_, err := c.Chat.Completions.New(ctx(t), chatParams("gpt-4o-mini", "Hi "+id),
			option.WithHeader("X-Request-Id", id))
		var e *openai.Error
		if !errors.As(err, &e) {
			t.Fatalf("want *openai.Error, got %T %v", err, err)
		}
		if e.StatusCode != http.StatusUnauthorized || e.Code != "invalid_api_key" || e.Type != "authentication_error" {
			t.Errorf("got %d code %q type %q, want 401 invalid_api_key authentication_error", e.StatusCode, e.Code, e.Type)
		}
		if strings.Contains(e.RawJSON(), wrong) {
			t.Errorf("the 401 echoes the key: %s", e.RawJSON())
		}
	})
}

// TestAuth_AnthropicWrongKey needs no /v1/messages: the key is checked
// before the route runs, and the 401 comes in Anthropic's shape.
func TestAuth_AnthropicWrongKey(t *testing.T) {
	id := keyed.requestID(t, "none")
	c := anthropicClient(keyed, anthropicoption.WithAPIKey("sk-ant-wrong-0123456789"))
	_, err := c.Messages.New(ctx(t),
		messageParams("claude-sonnet-4-6", "Hi "+id, false), anthropicoption.WithHeader("X-Request-Id", id))
	var e *anthropic.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *anthropic.Error, got %T %v", err, err)
	}
	if e.StatusCode != http.StatusUnauthorized || e.Type() != "authentication_error" {
		t.Errorf("got %d %q (%s), want 401 authentication_error", e.StatusCode, e.Type(), e.RawJSON())
	}
}
