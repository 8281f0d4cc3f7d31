// Package sse decodes Server-Sent Events streams as LLM providers send
// them: "event:" and "data:" fields, comments and blank-line separators,
// LF, CRLF or CR line endings. One cap bounds both the length of a line
// and the joined data of one event, so a hostile or broken upstream cannot
// grow the heap without limit, whether with one endless line or with an
// endless run of short "data:" lines.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLine is the default cap on one line and on the joined data
// of one event, 1 MiB.
const DefaultMaxLine = 1 << 20

// ErrLineTooLong is returned when a line exceeds the decoder's cap. The
// error returned wraps it and names the limit.
var ErrLineTooLong = errors.New("sse: line exceeds the length limit")

// ErrEventTooLarge is returned when the data lines of one event, joined,
// exceed the decoder's cap. The error returned wraps it and names the
// limit.
var ErrEventTooLarge = errors.New("sse: event data exceeds the size limit")

// Event is one dispatched event. Data is valid until the next call to
// [Decoder.Next].
type Event struct {
	Name string // the "event:" field; "" for unnamed events
	ID   string
	Data []byte // the "data:" lines joined by "\n"
}

// Decoder reads events from a stream. It is not safe for concurrent use.
type Decoder struct {
	r       *bufio.Reader
	max     int
	line    []byte
	data    []byte
	pending bool // a CR ended the last line; skip a following LF
}

// NewDecoder returns a decoder over r. maxLine caps both the length of one
// line ([ErrLineTooLong]) and the size of one event's data, its "data:"
// lines joined by "\n" ([ErrEventTooLarge]); maxLine <= 0 means
// [DefaultMaxLine]. The decoder's memory is bounded by about twice the cap
// plus its 4 KiB read buffer.
func NewDecoder(r io.Reader, maxLine int) *Decoder {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Decoder{r: bufio.NewReaderSize(r, 4<<10), max: maxLine}
}

// Next returns the next event with data. Comments (lines starting with
// ':') and events without data lines are skipped. At the end of input it
// returns io.EOF; an event cut off by the end of input is still returned
// when it has data. A line longer than the cap gives an error wrapping
// [ErrLineTooLong], an event whose data outgrows it one wrapping
// [ErrEventTooLarge]; the stream cannot be resumed after either.
func (d *Decoder) Next() (Event, error) {
	var ev Event
	d.data = d.data[:0]
	hasData := false
	for {
		line, err := d.readLine()
		if err != nil {
			if err == io.EOF && hasData {
				ev.Data = d.data
				return ev, nil
			}
			return Event{}, err
		}
		if len(line) == 0 {
			if hasData {
				ev.Data = d.data
				return ev, nil
			}
			ev = Event{}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			n := len(d.data) + len(value)
			if hasData {
				n++
			}
			if n > d.max {
				return Event{}, fmt.Errorf("%w (%d bytes)", ErrEventTooLarge, d.max)
			}
			if hasData {
				d.data = append(d.data, '\n')
			}
			d.data = append(d.data, value...)
			hasData = true
		case "event":
			ev.Name = string(value)
		case "id":
			ev.ID = string(value)
		}
	}
}

// readLine returns the next line without its terminator.
func (d *Decoder) readLine() ([]byte, error) {
	d.line = d.line[:0]
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			if err == io.EOF && len(d.line) > 0 {
				return d.line, nil
			}
			return nil, err
		}
		if d.pending {
			d.pending = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\n':
			return d.line, nil
		case '\r':
			d.pending = true
			return d.line, nil
		}
		if len(d.line) >= d.max {
			return nil, fmt.Errorf("%w (%d bytes)", ErrLineTooLong, d.max)
		}
		d.line = append(d.line, b)
		// Fast path: copy the rest of the line in one go when buffered.
		if buf, _ := d.r.Peek(d.r.Buffered()); len(buf) > 0 {
			n := bytes.IndexAny(buf, "\r\n")
			if n < 0 {
				n = len(buf)
			}
			if len(d.line)+n > d.max {
				n = d.max - len(d.line) + 1
				if n > len(buf) {
					n = len(buf)
				}
			}
			d.line = append(d.line, buf[:n]...)
			_, _ = d.r.Discard(n)
			if len(d.line) > d.max {
				return nil, fmt.Errorf("%w (%d bytes)", ErrLineTooLong, d.max)
			}
		}
	}
}
