package delivery

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAckFile_KeepsTheLastWholePosition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ack")
	a, p, err := openAckFile(path)
	if err != nil || p != (spoolPos{}) {
		t.Fatalf("new file: %v %v", p, err)
	}
	for i := range 5 {
		if err := a.write(spoolPos{seg: 3, off: int64(100 * (i + 1))}); err != nil {
			t.Fatal(err)
		}
	}
	a.close()
	reopen := func() spoolPos {
		a, p, err := openAckFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a.close()
		return p
	}
	if p := reopen(); p != (spoolPos{seg: 3, off: 500}) {
		t.Fatalf("reopened at %v", p)
	}
	// A torn write of the newest slot (seq 5, slot 1) leaves the one before.
	b, _ := os.ReadFile(path)
	b[ackSlot+17] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if p := reopen(); p != (spoolPos{seg: 3, off: 400}) {
		t.Fatalf("after a torn slot: %v, want the previous position", p)
	}
	// Nothing readable: replay from the start (duplicates, not losses).
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p := reopen(); p != (spoolPos{}) {
		t.Fatalf("garbage file: %v", p)
	}
}
