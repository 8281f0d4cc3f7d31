//go:build linux

package startpages

import (
	"os"
	"testing"
)

const sample = `00400000-0179f000 r-xp 00000000 fd:00 123 /usr/bin/llmux
Size:              19068 kB
Rss:               11196 kB
Anonymous:             0 kB
0179f000-0366e000 r--p 0139f000 fd:00 123 /usr/bin/llmux
Size:              31548 kB
Rss:               15932 kB
Anonymous:             0 kB
0366e000-037c3000 rw-p 0326e000 fd:00 123 /usr/bin/llmux
Rss:                 792 kB
Anonymous:           420 kB
037c3000-037c4000 r--p 0326f000 fd:00 123 /usr/bin/llmux
Rss:                   4 kB
Anonymous:             4 kB
037c4000-037c5000 r--p 0326f000 fd:00 123 /usr/bin/llmux
Rss:                   0 kB
Anonymous:             0 kB
7f00000000-7f00001000 r-xp 00000000 fd:00 456 /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 920 kB
Anonymous:             0 kB
7f00002000-7f00003000 rw-p 00000000 00:00 0
Rss:                2328 kB
Anonymous:          2328 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
Rss:                  20 kB
Anonymous:            20 kB
`

// TestClean_OnlyTheExecutablesCleanReadOnlyMappings: code and read-only
// data of the executable are released; its writable data, a read-only
// mapping holding relocated (anonymous) pages, an empty one, libraries
// and anonymous memory are not.
func TestClean_OnlyTheExecutablesCleanReadOnlyMappings(t *testing.T) {
	ms := parseSmaps([]byte(sample))
	if len(ms) != 8 {
		t.Fatalf("parsed %d mappings, want 8", len(ms))
	}
	if ms[0].start != 0x400000 || ms[0].end != 0x179f000 || ms[0].rss != 11196<<10 || ms[2].anonymous != 420<<10 || ms[7].path != "[stack]" {
		t.Errorf("parsed %+v", ms)
	}
	got := clean(ms, "/usr/bin/llmux")
	if len(got) != 2 || got[0].perms != "r-xp" || got[1].perms != "r--p" || got[1].start != 0x179f000 {
		t.Errorf("clean = %+v, want the r-xp and the first r--p mapping", got)
	}
}

// TestRelease_DropsResidentCodeAndTheProcessRunsOn releases this test
// binary's pages: the call reports what it dropped, the executable's
// resident code shrinks, and code and read-only data still work after.
func TestRelease_DropsResidentCodeAndTheProcessRunsOn(t *testing.T) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skip("no /proc/self/exe:", err)
	}
	rss := func() int64 {
		b, err := os.ReadFile("/proc/self/smaps")
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, m := range clean(parseSmaps(b), exe) {
			n += m.rss
		}
		return n
	}
	before := rss()
	n, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	after := rss()
	if n <= 0 || n < before/2 {
		t.Errorf("released %d bytes of %d resident", n, before)
	}
	if after >= before {
		t.Errorf("resident read-only pages %d before, %d after the release", before, after)
	}
	// Code and data are mapped back on use.
	if ms := parseSmaps([]byte(sample)); len(clean(ms, "/usr/bin/llmux")) != 2 {
		t.Error("the parser broke after the release")
	}
}
