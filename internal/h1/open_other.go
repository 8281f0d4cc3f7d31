//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package h1

// open cannot peek at a socket on this system: an idle connection the
// server closed fails the request that reuses it, and the call's retry
// takes another.
func (c *conn) open() bool { return c.br.Buffered() == 0 }
