// Package chunker: TEMPORARY stub until the chunker branch lands (fixed-size cuts).
package chunker

import (
	"errors"
	"io"
)

type Params struct {
	Min int `json:"min"`
	Avg int `json:"avg"`
	Max int `json:"max"`
}

var Default = Params{Min: 512 << 10, Avg: 1 << 20, Max: 8 << 20}

func (p Params) Validate() error {
	if p.Min <= 0 || p.Min > p.Avg || p.Avg > p.Max {
		return errors.New("bad chunker params")
	}
	return nil
}

type Table [256]uint64

func NewTable(secret []byte) *Table { return &Table{} }

type Chunker struct {
	r   io.Reader
	p   Params
	buf []byte
}

func New(r io.Reader, p Params, t *Table) *Chunker {
	return &Chunker{r: r, p: p, buf: make([]byte, p.Avg)}
}
func (c *Chunker) Reset(r io.Reader) { c.r = r }
func (c *Chunker) Next() ([]byte, error) {
	n, err := io.ReadFull(c.r, c.buf)
	if n == 0 {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return nil, err
	}
	return c.buf[:n], nil
}
func Cut(data []byte, final bool, p Params, t *Table) int {
	if len(data) < p.Avg {
		return len(data)
	}
	return p.Avg
}
