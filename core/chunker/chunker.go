package chunker

import (
	"errors"
	"io"
)

// Chunker splits a stream into content-defined chunks. It reads through one
// internal buffer of Max + 256 KiB bytes, allocated on the first call to
// Next and kept across Reset. A Chunker is not safe for concurrent use.
type Chunker struct {
	r      io.Reader
	cutter cutter
	buf    []byte
	start  int   // first unconsumed byte in buf
	end    int   // end of valid data in buf
	eof    bool  // r is exhausted
	err    error // sticky read error
}

// New returns a Chunker reading r with parameters p and gear table t. It
// panics if p is invalid (see Validate) or t is nil: check parameters read
// from a repository with Validate first.
func New(r io.Reader, p Params, t *Table) *Chunker {
	return &Chunker{r: r, cutter: newCutter(p, t)}
}

// Reset makes c read the next stream from r, keeping its buffer.
func (c *Chunker) Reset(r io.Reader) {
	c.r, c.start, c.end, c.eof, c.err = r, 0, 0, false, nil
}

// Next returns the next chunk. The slice is owned by c and valid only until
// the next call to Next or Reset: copy or consume it first. At the end of
// the stream Next returns io.EOF; an empty stream has no chunks. A read
// error from the underlying reader is returned as is, once the chunks that
// were complete before it have been returned.
func (c *Chunker) Next() ([]byte, error) {
	for {
		avail := c.buf[c.start:c.end]
		n, ok := c.cutter.cut(avail)
		if ok || (c.eof && n > 0) {
			c.start += n
			return avail[:n:n], nil
		}
		if c.err != nil {
			return nil, c.err
		}
		if c.eof {
			return nil, io.EOF
		}
		c.fill()
	}
}

// bufSlack is the buffer's room beyond Max. The bytes a fill moves are the
// tail after the last cut, usually less than one average chunk, so a small
// slack costs little copying; what it saves is memory (two readers' buffers
// are a large part of a save's peak RSS).
const bufSlack = 256 << 10

// fill moves the unconsumed bytes (less than Max) to the front of the buffer
// and reads until the buffer is full or the stream ends.
func (c *Chunker) fill() {
	if c.buf == nil {
		c.buf = make([]byte, c.cutter.max+bufSlack)
	}
	c.end = copy(c.buf, c.buf[c.start:c.end])
	c.start = 0
	n, err := io.ReadFull(c.r, c.buf[c.end:])
	c.end += n
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		c.eof = true
	default:
		c.err = err
	}
}
