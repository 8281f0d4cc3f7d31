//go:build linux || darwin || freebsd || netbsd || openbsd

package h1

import (
	"errors"
	"syscall"
)

// open tells whether an idle connection is still open: it peeks at the
// socket without blocking. End of stream or an error means the server
// closed it. Bytes waiting on a plain connection are a protocol error (no
// request is in flight); on a TLS one they may be a post-handshake message
// the TLS layer reads with the next response.
func (c *conn) open() bool {
	if c.br.Buffered() > 0 {
		return false
	}
	sc, ok := c.raw.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK):
			alive = true
		case err == nil && n > 0:
			alive = c.raw != c.nc // TLS: a post-handshake message, read with the next response
		}
		return true
	})
	return err == nil && alive
}
