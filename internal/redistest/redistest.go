// Package redistest gives tests a Redis server: [Need] for the shared
// server at 127.0.0.1:6379, and [Start] for a private redis-server child
// process that a test can freeze, kill and restart to exercise outages.
//
// Without a server a test is skipped with a message saying how to start
// one, except when the environment variable CI is "true": there a missing
// server fails the test, so CI cannot go green by skipping everything.
package redistest

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// Addr is the address of the shared Redis server that [Need] expects.
const Addr = "127.0.0.1:6379"

// Need returns [Addr] after checking, with a 1 s budget, that a Redis
// server answers PING there. If none does, it skips t with instructions,
// or fails t when CI is "true".
//
// Tests that use the shared server run concurrently with other packages'
// tests, so each should keep to its own key prefix and delete its keys.
func Need(t testing.TB) string {
	t.Helper()
	return need(t, Addr)
}

func need(t testing.TB, addr string) string {
	t.Helper()
	if err := Ping(addr, time.Second); err != nil {
		unavailable(t, "redistest: no Redis server at "+addr+" ("+err.Error()+"); "+
			"start one with: redis-server --daemonize yes --save '' --appendonly no")
	}
	return addr
}

// Ping sends PING to the Redis server at addr over a fresh connection and
// reports whether it answered PONG within timeout. It needs no client
// library and leaves no goroutine behind.
func Ping(addr string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "+PONG" {
		return &replyError{line}
	}
	return nil
}

type replyError struct{ reply string }

func (e *replyError) Error() string { return "unexpected reply to PING: " + e.reply }

// unavailable skips t with msg, or fails it when CI is "true".
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a missing Redis fails instead of skipping)")
	}
	t.Skip(msg)
}
