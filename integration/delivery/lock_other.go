//go:build !unix

package delivery

// lockDir is a no-op where flock is unavailable: do not point two queues
// at one spool directory there.
func lockDir(string) (func(), error) { return func() {}, nil }

func syncDir(string) {}
