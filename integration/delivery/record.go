package delivery

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// The spool's record format, little-endian:
//
//	length  uint32  payload length
//	crc     uint32  CRC-32C (Castagnoli) of the 4 length bytes then the payload
//	payload [length]byte
//
// The checksum covers the length too, so a damaged length is detected
// rather than trusted, and a reader that lost its place can find the next
// record by trying each offset (see resync).
const (
	recordHeader = 8
	// MaxRecordBytes caps one record in the spool; [Queue.Add] drops a
	// longer one as [DropTooLarge] when a spool is configured.
	MaxRecordBytes = 16 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	errShort   = errors.New("delivery: truncated record")
	errCorrupt = errors.New("delivery: corrupt record")
)

// appendRecord appends the encoding of p to b.
func appendRecord(b, p []byte) []byte {
	var h [recordHeader]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(p)))
	c := crc32.Update(0, castagnoli, h[0:4])
	c = crc32.Update(c, castagnoli, p)
	binary.LittleEndian.PutUint32(h[4:8], c)
	b = append(b, h[:]...)
	return append(b, p...)
}

// decodeRecord decodes the record at the start of b and returns its
// payload (aliasing b) and its encoded size. It returns errShort when b
// ends inside a record whose header is plausible, errCorrupt when the
// record cannot be valid. It never panics and never allocates.
func decodeRecord(b []byte) (payload []byte, n int, err error) {
	if len(b) < recordHeader {
		return nil, 0, errShort
	}
	l := binary.LittleEndian.Uint32(b[0:4])
	if l > MaxRecordBytes {
		return nil, 0, errCorrupt
	}
	n = recordHeader + int(l)
	if len(b) < n {
		return nil, 0, errShort
	}
	c := crc32.Update(0, castagnoli, b[0:4])
	c = crc32.Update(c, castagnoli, b[recordHeader:n])
	if c != binary.LittleEndian.Uint32(b[4:8]) {
		return nil, 0, errCorrupt
	}
	return b[recordHeader:n], n, nil
}

// resync returns the offset of the first record in b[from:] that decodes,
// or len(b) when none does. A record cut short by the end of b counts as
// none (the caller knows whether more bytes may follow).
func resync(b []byte, from int) int {
	for i := from; i+recordHeader <= len(b); i++ {
		if _, _, err := decodeRecord(b[i:]); err == nil {
			return i
		}
	}
	return len(b)
}

// scanRecords walks every record in b, a whole segment: it calls ok for
// each valid payload (with the offset after it) and counts corrupt
// regions (a damaged record, or a run of damaged bytes, counts once; a
// truncated record at the end counts once).
func scanRecords(b []byte, ok func(p []byte, end int)) (corrupt int) {
	off := 0
	for off < len(b) {
		p, n, err := decodeRecord(b[off:])
		if err != nil {
			corrupt++
			off = resync(b, off+1)
			continue
		}
		off += n
		if ok != nil {
			ok(p, off)
		}
	}
	return corrupt
}
