package chunker

// Cut returns the length of the first chunk of data. data must hold at
// least p.Max bytes unless it ends the stream (final == true); data shorter
// than p.Max is always treated as the end of the stream. p must be valid
// (see Validate). Cut returns 0 only for empty data.
func Cut(data []byte, final bool, p Params, t *Table) int {
	_ = final // documents the caller's promise; short data is final anyway
	c := newCutter(p, t)
	n, _ := c.cut(data)
	return n
}

// cutter holds the precomputed state of one parameter set.
type cutter struct {
	min, avg, max int
	maskS, maskL  uint64
	t             *Table
}

func newCutter(p Params, t *Table) cutter {
	maskS, maskL := p.masks()
	return cutter{min: p.Min, avg: p.Avg, max: p.Max, maskS: maskS, maskL: maskL, t: t}
}

// cut returns the length of the first chunk of data and whether that
// boundary is certain: true when a cut point was found or Max was reached,
// false when data ran out first (the length is then len(data), which is the
// chunk only if data ends the stream).
func (c *cutter) cut(data []byte) (int, bool) {
	n := len(data)
	if n <= c.min {
		return n, false
	}
	if n > c.max {
		n = c.max
	}
	normal := min(c.avg, n)
	t := c.t
	var fp uint64

	maskS := c.maskS
	for i, b := range data[c.min:normal] {
		fp = fp<<1 + t[b]
		if fp&maskS == 0 {
			return c.min + i + 1, true
		}
	}
	maskL := c.maskL
	for i, b := range data[normal:n] {
		fp = fp<<1 + t[b]
		if fp&maskL == 0 {
			return normal + i + 1, true
		}
	}
	return n, n == c.max
}
