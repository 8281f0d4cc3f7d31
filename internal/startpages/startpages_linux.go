//go:build linux

package startpages

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// release drops the resident pages of the executable's read-only
// mappings whose pages are all clean file pages.
func release() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	var total int64
	for _, m := range clean(parseSmaps(smaps), exe) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); errno != 0 {
			return total, errno
		}
		total += m.rss
	}
	return total, nil
}

// clean returns the mappings of the file exe that are read-only and
// private and hold no anonymous page. Dropping their pages is safe: the
// kernel maps the file's pages back when they are touched. A read-only
// mapping with anonymous pages (relocations applied before it was made
// read-only, as in a position-independent executable's RELRO) is kept,
// since dropping those pages would bring back the unrelocated bytes.
func clean(ms []mapping, exe string) []mapping {
	var out []mapping
	for _, m := range ms {
		if m.path == exe && (m.perms == "r-xp" || m.perms == "r--p") && m.anonymous == 0 && m.rss > 0 {
			out = append(out, m)
		}
	}
	return out
}

// mapping is one entry of /proc/self/smaps.
type mapping struct {
	start, end     uintptr
	perms, path    string
	rss, anonymous int64 // bytes
}

// parseSmaps reads the entries of a /proc/PID/smaps file.
func parseSmaps(b []byte) []mapping {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil && len(f) >= 5 {
				m := mapping{start: uintptr(s), end: uintptr(e), perms: f[1]}
				if len(f) >= 6 {
					m.path = strings.Join(f[5:], " ")
				}
				out = append(out, m)
				continue
			}
		}
		if len(out) == 0 || len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "Rss:":
			out[len(out)-1].rss = kb << 10
		case "Anonymous:":
			out[len(out)-1].anonymous = kb << 10
		}
	}
	return out
}
