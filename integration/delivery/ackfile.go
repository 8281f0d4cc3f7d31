package delivery

import (
	"encoding/binary"
	"hash/crc32"
	"os"
)

// The ack file holds two 32-byte slots, written alternately in place:
//
//	seq uint64, segment uint64, offset uint64, crc uint32 (CRC-32C of the
//	24 bytes before it), 4 bytes zero
//
// A reader takes the valid slot with the higher seq. A write that is cut
// short damages only the slot being written, so the other still holds the
// previous position: the file always reads as a whole position, old or
// new, as a rename would give, without a rename's cost (on ext4 a rename
// over a file flushes its data, about a millisecond per batch). Nothing
// is synced, even with fsync on: an ack lost to a power cut only makes
// records be sent again (at least once), never lost.
const ackSlot = 32

type ackFile struct {
	f   *os.File
	seq uint64
	buf [ackSlot]byte
}

// openAckFile opens (or creates) the ack file and returns the position it
// holds, zero when none is readable (everything is replayed: duplicates,
// not losses).
func openAckFile(path string) (*ackFile, spoolPos, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, spoolPos{}, err
	}
	a := &ackFile{f: f}
	var b [2 * ackSlot]byte
	n, _ := f.ReadAt(b[:], 0)
	var pos spoolPos
	found := false
	for i := 0; i+ackSlot <= n; i += ackSlot {
		seq, p, ok := decodeAck(b[i : i+ackSlot])
		if ok && (!found || seq > a.seq) {
			a.seq, pos, found = seq, p, true
		}
	}
	return a, pos, nil
}

func decodeAck(b []byte) (seq uint64, p spoolPos, ok bool) {
	if crc32.Checksum(b[:24], castagnoli) != binary.LittleEndian.Uint32(b[24:28]) {
		return 0, spoolPos{}, false
	}
	off := binary.LittleEndian.Uint64(b[16:24])
	if off > 1<<62 {
		return 0, spoolPos{}, false
	}
	return binary.LittleEndian.Uint64(b[0:8]), spoolPos{seg: binary.LittleEndian.Uint64(b[8:16]), off: int64(off)}, true
}

func (a *ackFile) write(p spoolPos) error {
	a.seq++
	b := a.buf[:]
	binary.LittleEndian.PutUint64(b[0:8], a.seq)
	binary.LittleEndian.PutUint64(b[8:16], p.seg)
	binary.LittleEndian.PutUint64(b[16:24], uint64(p.off))
	binary.LittleEndian.PutUint32(b[24:28], crc32.Checksum(b[:24], castagnoli))
	_, err := a.f.WriteAt(b, int64(a.seq%2)*ackSlot)
	return err
}

func (a *ackFile) close() { _ = a.f.Close() }
