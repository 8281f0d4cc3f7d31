package redis_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/router"
	"github.com/llmux/llmux/router/redis"
)

// newState returns a State on addr in namespace ns; its keys are deleted
// and it is closed when t ends.
func newState(t testing.TB, addr, ns string) *redis.State {
	t.Helper()
	s, err := redis.New(redis.Options{Addr: addr, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// namespace returns a namespace of its own for t, dropped when t ends.
func namespace(t testing.TB, addr string) string {
	t.Helper()
	ns := "llmuxtest-router-" + uuid.NewString()
	rc := goredis.NewClient(&goredis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() {
		defer rc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, _ := rc.Keys(ctx, ns+":*").Result()
		if len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
	})
	return ns
}

// upstream is a fake OpenAI-compatible deployment.
type upstream struct {
	*httptest.Server
	status atomic.Int32
	n      atomic.Int32
}

func newUpstream(t testing.TB, status int) *upstream {
	t.Helper()
	body, err := os.ReadFile("testdata/openai-chat.json")
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{}
	u.status.Store(int32(status))
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		u.n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		st := int(u.status.Load())
		w.WriteHeader(st)
		if st != 200 {
			_, _ = io.WriteString(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() int { return int(u.n.Load()) }

func newRouter(t testing.TB, deps []router.Deployment, opts ...router.Option) *router.Router {
	t.Helper()
	r, err := router.New(deps, append([]router.Option{router.WithLog(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newClient(t testing.TB, r *router.Router) *llmux.Client {
	t.Helper()
	tr := &http.Transport{}
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey("sk-test-redis-0000"))),
		llmux.WithMiddleware(r.Middleware()), llmux.WithHTTPClient(&http.Client{Transport: tr}),
		llmux.WithLog(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Close(context.Background())
		tr.CloseIdleConnections()
	})
	return c
}

func call(t testing.TB, c *llmux.Client, model string) error {
	t.Helper()
	_, err := c.Completion(context.Background(), &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hi")}})
	return err
}

// closedAddr returns an address that refuses connections.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func load(t testing.TB, s router.State, id string, now time.Time) router.Status {
	t.Helper()
	out := make([]router.Status, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Load(ctx, []string{id}, now, out); err != nil {
		t.Fatal(err)
	}
	return out[0]
}
