//go:build unix

package redistest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long Start and Restart wait for a new server to
// answer PING.
const startTimeout = 10 * time.Second

// Server is a private redis-server child process, started by [Start] and
// killed when the test ends. It keeps nothing on disk (no RDB snapshots,
// no AOF). Its methods may be called from the test goroutine only.
type Server struct {
	// Addr is "127.0.0.1:<port>"; it stays the same across [Server.Restart].
	Addr string

	t    testing.TB
	port int
	dir  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd has exited and been reaped
}

// Start runs a private redis-server on a free port of 127.0.0.1 and waits
// until it answers PING. The server is killed in t.Cleanup. Start skips t
// if redis-server is not in PATH (fails it when CI is "true").
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, "redistest: redis-server is not in PATH; install it (Debian: apt-get install redis-server)")
		return nil
	}
	s := &Server{t: t, dir: t.TempDir()}
	t.Cleanup(s.cleanup)
	var err error
	// A free port can be taken by someone else between our probe and the
	// server's bind; try a few.
	for range 3 {
		if s.port, err = freePort(); err != nil {
			continue
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
		if err = s.run(); err == nil {
			return s
		}
	}
	t.Fatalf("redistest: start redis-server: %v", err)
	return nil
}

// Stop freezes the server with SIGSTOP: it keeps its port and accepts TCP
// connections (the kernel does) but answers nothing, like a hung server.
func (s *Server) Stop() { s.signal(syscall.SIGSTOP) }

// Cont resumes a server frozen by [Server.Stop].
func (s *Server) Cont() { s.signal(syscall.SIGCONT) }

// Kill ends the server with SIGKILL and waits until it is gone, so its
// port refuses connections. Its data is lost.
func (s *Server) Kill() {
	s.t.Helper()
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Restart kills the server if it still runs and starts a new, empty one
// on the same port, waiting until it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.run(); err != nil {
		s.t.Fatalf("redistest: restart redis-server on %s: %v", s.Addr, err)
	}
}

func (s *Server) signal(sig os.Signal) {
	s.t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		s.t.Fatalf("redistest: %v: server on %s is not running", sig, s.Addr)
		return
	}
	if err := cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redistest: %v to redis-server on %s: %v", sig, s.Addr, err)
	}
}

// run starts redis-server on s.port and waits until it answers PING or
// exits.
func (s *Server) run() error {
	logfile := filepath.Join(s.dir, "redis-"+strconv.Itoa(s.port)+".log")
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", s.dir,
		"--logfile", logfile,
	)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-done:
			return fmt.Errorf("redis-server on port %d exited: %s", s.port, tail(logfile))
		default:
		}
		err := Ping(s.Addr, 200*time.Millisecond)
		if err == nil {
			s.mu.Lock()
			s.cmd, s.done = cmd, done
			s.mu.Unlock()
			return nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %v; log: %s", s.port, startTimeout, err, tail(logfile))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cleanup kills the server; SIGKILL also ends a stopped process.
func (s *Server) cleanup() { s.Kill() }

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("listener address is not TCP")
	}
	return addr.Port, nil
}

// tail returns the end of the server's log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
