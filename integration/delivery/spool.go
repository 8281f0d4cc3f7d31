package delivery

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The spool is a segmented log in one directory:
//
//	0000000000000001.seg  records (see record.go), appended in order
//	0000000000000002.seg  a new segment when the last one passed its size
//	ack                   the position before which everything was
//	                      delivered or dropped (see ackfile.go)
//	lock                  flock'd while a queue owns the directory
//
// The sender reads from the oldest segment at the ack position, and a
// segment is deleted once the ack has passed its end. A restarted queue
// replays everything from the ack on; a new process never appends to an
// old segment (its tail may be torn), it starts a new one.

var (
	errSpoolFull   = errors.New("delivery: spool full")
	errSpoolClosed = errors.New("delivery: spool closed")
)

type segment struct {
	id      uint64
	size    int64 // bytes written and visible to the reader
	disk    int64 // bytes in the file (more than size after a failed write)
	records int   // valid records from the replay offset (replayed) or written
	sealed  bool  // no more writes: the reader may move past its end
}

type spoolPos struct {
	seg uint64
	off int64
}

type spool struct {
	dir      string
	max      int64
	segBytes int64
	fsync    bool
	unlock   func()
	ackF     *ackFile

	mu     sync.Mutex // guards segs, w, lastID, and segment fields
	segs   []*segment // oldest first
	lastID uint64     // the highest segment id used or acknowledged
	closed bool       // close ran: the directory is no longer ours
	w      *os.File   // the last segment's writer, nil until the first append
	bytes  atomic.Int64

	// Reader state: only the sender goroutine touches it.
	rpos      spoolPos
	rf        *os.File
	rfID      uint64
	rbuf      []byte // segment bytes [rbufOff, rbufOff+len(rbuf))
	rbufOff   int64
	readInSeg int
	ackPos    spoolPos
}

func segName(id uint64) string { return fmt.Sprintf("%016d.seg", id) }

// openSpool locks dir, replays what is in it, and reports the records
// found (valid) and the corrupt regions skipped.
func openSpool(dir string, maxBytes, segBytes int64, fsync bool) (s *spool, valid, corrupt int, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, 0, fmt.Errorf("delivery: spool: %w", err)
	}
	unlock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("delivery: spool %s: %w", dir, err)
	}
	s = &spool{dir: dir, max: maxBytes, segBytes: segBytes, fsync: fsync, unlock: unlock}
	af, ack, err := openAckFile(filepath.Join(dir, "ack"))
	if err != nil {
		unlock()
		return nil, 0, 0, fmt.Errorf("delivery: spool: %w", err)
	}
	s.ackF = af
	ents, err := os.ReadDir(dir)
	if err != nil {
		af.close()
		unlock()
		return nil, 0, 0, fmt.Errorf("delivery: spool: %w", err)
	}
	var ids []uint64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".seg") {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(name, ".seg"), 10, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		path := filepath.Join(dir, segName(id))
		if id < ack.seg {
			_ = os.Remove(path)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			af.close()
			unlock()
			return nil, 0, 0, fmt.Errorf("delivery: spool: %w", err)
		}
		from := int64(0)
		if id == ack.seg {
			from = min(ack.off, int64(len(b)))
		}
		seg := &segment{id: id, size: int64(len(b)), disk: int64(len(b)), sealed: true}
		s.lastID = max(s.lastID, id)
		corrupt += scanRecords(b[from:], func([]byte, int) { seg.records++ })
		valid += seg.records
		s.segs = append(s.segs, seg)
		s.bytes.Add(int64(len(b)))
	}
	s.ackPos = ack
	s.lastID = max(s.lastID, ack.seg)
	if len(s.segs) > 0 && s.segs[0].id != ack.seg {
		s.ackPos = spoolPos{seg: s.segs[0].id}
	}
	s.rpos = s.ackPos
	return s, valid, corrupt, nil
}

// append writes r as one record. commit runs with the record written (and
// synced when fsync is on) but before the reader can see it, so the
// queue's counters never lag what the sender may take.
func (s *spool) append(r Record, commit func()) error {
	n := int64(recordHeader + len(r))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errSpoolClosed
	}
	if s.bytes.Load()+n > s.max {
		return errSpoolFull
	}
	var last *segment
	if len(s.segs) > 0 {
		last = s.segs[len(s.segs)-1]
	}
	if s.w == nil || last == nil || last.sealed || (last.size > 0 && last.size+n > s.segBytes) {
		if err := s.rotate(last); err != nil {
			return err
		}
		last = s.segs[len(s.segs)-1]
	}
	buf := appendRecord(make([]byte, 0, n), r)
	_, err := s.w.Write(buf)
	if err == nil && s.fsync {
		err = s.w.Sync()
	}
	if err != nil {
		// The record may be torn on disk: seal the segment before it so
		// the reader never sees it, and start a new one next time.
		if fi, serr := s.w.Stat(); serr == nil {
			s.bytes.Add(fi.Size() - last.disk)
			last.disk = fi.Size()
		}
		last.sealed = true
		_ = s.w.Close()
		s.w = nil
		return err
	}
	commit()
	last.size += n
	last.disk += n
	last.records++
	s.bytes.Add(n)
	return nil
}

// rotate seals last and opens a new segment; s.mu is held.
func (s *spool) rotate(last *segment) error {
	if s.w != nil {
		_ = s.w.Close()
		s.w = nil
	}
	if last != nil {
		last.sealed = true
	}
	s.lastID++
	id := s.lastID
	f, err := os.OpenFile(filepath.Join(s.dir, segName(id)), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if s.fsync {
		syncDir(s.dir)
	}
	s.w = f
	s.segs = append(s.segs, &segment{id: id})
	return nil
}

// read takes up to max records from the read position. missing counts
// records the replay scan found but the reader did not (a segment changed
// on disk since): they are dropped as corrupt.
func (s *spool) read(limitRecs int) (recs []Record, end spoolPos, missing int, err error) {
	for len(recs) < limitRecs {
		s.mu.Lock()
		seg, next := s.find(s.rpos.seg)
		var limit int64
		var sealed bool
		var expected int
		if seg != nil {
			limit, sealed, expected = seg.size, seg.sealed, seg.records
		}
		s.mu.Unlock()
		if seg == nil {
			if next == nil {
				break
			}
			s.moveTo(next.id)
			continue
		}
		if s.rpos.off >= limit {
			if !sealed || next == nil {
				break
			}
			missing += max0(expected - s.readInSeg)
			s.moveTo(next.id)
			continue
		}
		r, err := s.readOne(limit)
		if err != nil {
			return recs, s.rpos, missing, err
		}
		if r != nil {
			recs = append(recs, r)
		}
	}
	return recs, s.rpos, missing, nil
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// find returns the segment id (nil if deleted) and the first segment after
// it; s.mu is held.
func (s *spool) find(id uint64) (seg, next *segment) {
	for _, g := range s.segs {
		switch {
		case g.id == id:
			seg = g
		case g.id > id:
			return seg, g
		}
	}
	return seg, nil
}

func (s *spool) moveTo(id uint64) {
	s.rpos = spoolPos{seg: id}
	s.readInSeg = 0
	s.rbuf = s.rbuf[:0]
	s.rbufOff = 0
	if s.rf != nil {
		_ = s.rf.Close()
		s.rf = nil
	}
}

// readOne decodes the record at s.rpos (limit: the segment's visible end)
// and advances past it, or past a damaged region (returning nil).
func (s *spool) readOne(limit int64) (Record, error) {
	if s.rf == nil || s.rfID != s.rpos.seg {
		f, err := os.Open(filepath.Join(s.dir, segName(s.rpos.seg)))
		if err != nil {
			return nil, err
		}
		s.rf, s.rfID = f, s.rpos.seg
		s.rbuf, s.rbufOff = s.rbuf[:0], s.rpos.off
	}
	// Drop consumed bytes now and then.
	if p := s.rpos.off - s.rbufOff; p > 1<<20 && p > int64(len(s.rbuf))/2 {
		s.rbuf = append(s.rbuf[:0], s.rbuf[p:]...)
		s.rbufOff = s.rpos.off
	}
	for {
		p := int(s.rpos.off - s.rbufOff)
		pl, n, err := decodeRecord(s.rbuf[p:])
		if err == nil {
			s.rpos.off += int64(n)
			s.readInSeg++
			return slices.Clone(pl), nil
		}
		have := s.rbufOff + int64(len(s.rbuf))
		if have < limit {
			want := int64(256 << 10)
			if errors.Is(err, errCorrupt) {
				want = limit - have // resync over the whole rest, as the replay scan did
			} else if len(s.rbuf)-p >= recordHeader {
				want = max(want, int64(recordHeader)+int64(uint32le(s.rbuf[p:]))-int64(len(s.rbuf)-p))
			}
			if err := s.fill(min(want, limit-have)); err != nil {
				return nil, err
			}
			continue
		}
		// Everything visible is loaded and the record does not decode:
		// skip to the next one that does.
		q := resync(s.rbuf, p+1)
		s.rpos.off = s.rbufOff + int64(q)
		return nil, nil
	}
}

func uint32le(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func (s *spool) fill(n int64) error {
	at := s.rbufOff + int64(len(s.rbuf))
	old := len(s.rbuf)
	s.rbuf = slices.Grow(s.rbuf, int(n))[:old+int(n)]
	m, err := s.rf.ReadAt(s.rbuf[old:], at)
	s.rbuf = s.rbuf[:old+m]
	if err != nil && !(errors.Is(err, io.EOF) && m > 0) {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("delivery: spool segment %d shorter than written", s.rpos.seg)
		}
		return err
	}
	return nil
}

// rewind moves the reader back to the ack position (a batch that was read
// stays on disk, for the next start).
func (s *spool) rewind() {
	s.moveTo(s.ackPos.seg)
	s.rpos = s.ackPos
	s.rbufOff = s.ackPos.off
}

// ack records that everything before end was delivered or dropped,
// deleting the segments wholly before it.
func (s *spool) ack(end spoolPos) error {
	s.ackPos = end
	err := s.writeAck(end)
	s.mu.Lock()
	var del []*segment
	keep := s.segs[:0]
	for _, g := range s.segs {
		if g.id < end.seg || (g.id == end.seg && g.sealed && end.off >= g.size) {
			del = append(del, g)
			continue
		}
		keep = append(keep, g)
	}
	s.segs = keep
	s.mu.Unlock()
	for _, g := range del {
		if g.id == s.rfID && s.rf != nil {
			_ = s.rf.Close()
			s.rf = nil
		}
		if e := os.Remove(filepath.Join(s.dir, segName(g.id))); e == nil || errors.Is(e, os.ErrNotExist) {
			s.bytes.Add(-g.disk)
		}
	}
	return err
}

func (s *spool) writeAck(p spoolPos) error { return s.ackF.write(p) }

// close seals the spool, deletes what was wholly acknowledged, and
// unlocks the directory. Only called once the sender has stopped.
func (s *spool) close() {
	s.mu.Lock()
	s.closed = true
	if s.w != nil {
		_ = s.w.Close()
		s.w = nil
	}
	if len(s.segs) > 0 {
		s.segs[len(s.segs)-1].sealed = true
	}
	s.mu.Unlock()
	_ = s.ack(s.ackPos)
	s.ackF.close()
	if s.rf != nil {
		_ = s.rf.Close()
		s.rf = nil
	}
	s.unlock()
}
