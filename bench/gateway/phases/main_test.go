package main

import (
	"strings"
	"testing"
)

// script is perf script output for two requests through a gateway (fd 8
// and 9 clients, fd 14 upstream), with the noise the parser must skip: a
// background read that found nothing (EAGAIN), a runtime eventfd write and
// a one-byte read.
const script = `
 llmux-gateway  9382 [001]  1188.003235:   syscalls:sys_enter_read: fd: 0x00000008, buf: 0x32c2254fa000, count: 0x00001000
 llmux-gateway  9382 [001]  1188.003247:    syscalls:sys_exit_read: 0x1b6
 llmux-gateway  9507 [000]  1188.003262:   syscalls:sys_enter_read: fd: 0x00000008, buf: 0x32c2255f3ca1, count: 0x00000001
 llmux-gateway  9507 [000]  1188.003268:    syscalls:sys_exit_read: 0xfffffffffffffff5
 llmux-gateway  9507 [000]  1188.003300:  syscalls:sys_enter_write: fd: 0x00000007, buf: 0x32c225268288, count: 0x00000008
 llmux-gateway  9382 [001]  1188.003553:  syscalls:sys_enter_write: fd: 0x0000000e, buf: 0x32c22564b000, count: 0x00000217
 llmux-gateway  9381 [001]  1188.003872:   syscalls:sys_enter_read: fd: 0x0000000e, buf: 0x32c22564a000, count: 0x00001000
 llmux-gateway  9381 [001]  1188.003878:    syscalls:sys_exit_read: 0x522
 llmux-gateway  9381 [001]  1188.004089:  syscalls:sys_enter_write: fd: 0x00000008, buf: 0x32c2255cf000, count: 0x00000521
 llmux-gateway  9507 [001]  1188.023958:   syscalls:sys_enter_read: fd: 0x00000009, buf: 0x32c2254fa000, count: 0x00001000
 llmux-gateway  9507 [001]  1188.023970:    syscalls:sys_exit_read: 0x1b6
 llmux-gateway  9381 [000]  1188.024205:   syscalls:sys_enter_read: fd: 0x00000009, buf: 0x32c2255f3ca1, count: 0x00000001
 llmux-gateway  9381 [000]  1188.024207:    syscalls:sys_exit_read: 0x1
 llmux-gateway  9507 [001]  1188.024270:  syscalls:sys_enter_write: fd: 0x0000000e, buf: 0x32c22564b000, count: 0x00000217
 llmux-gateway  9382 [000]  1188.024570:   syscalls:sys_enter_read: fd: 0x0000000e, buf: 0x7f3d354fcba8, count: 0x00001000
 llmux-gateway  9382 [000]  1188.024580:    syscalls:sys_exit_read: 0x522
 llmux-gateway  9382 [000]  1188.024780:  syscalls:sys_enter_write: fd: 0x00000009, buf: 0x32c2255cf000, count: 0x00000521
`

func TestSplit_PairsRequestsAndSkipsNoise(t *testing.T) {
	calls, err := parse(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	// 2 request reads, 2 upstream writes, 2 upstream reads, 2 answers,
	// the eventfd write and the one-byte read (EAGAIN left out).
	if len(calls) != 10 {
		t.Fatalf("parsed %d calls, want 10: %+v", len(calls), calls)
	}
	p := split(calls)
	want := phases{pre: []float64{306, 300}, upstream: []float64{325, 310}, post: []float64{211, 200}}
	for name, got := range map[string][2][]float64{"pre": {p.pre, want.pre}, "upstream": {p.upstream, want.upstream}, "post": {p.post, want.post}} {
		if len(got[0]) != len(got[1]) {
			t.Fatalf("%s: %v, want %v", name, got[0], got[1])
		}
		for i := range got[0] {
			if d := got[0][i] - got[1][i]; d > 0.5 || d < -0.5 {
				t.Errorf("%s[%d] = %.1f µs, want %.0f", name, i, got[0][i], got[1][i])
			}
		}
	}
	if q := quart(p.pre); q != "306 [300..306]" {
		t.Errorf("quart(pre) = %q", q)
	}
}
