package chunker

// Cut returns the length of the first chunk of data. data must hold at
// least p.Max bytes unless it ends the stream (final == true); data shorter
// than p.Max is always treated as the end of the stream. Cut returns 0 only
// for empty data. It panics if p is invalid (see Validate) or t is nil.
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
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if t == nil {
		panic("chunker: nil table")
	}
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
	i, fp := scan(data[c.min:normal], 0, c.maskS, c.t)
	if i >= 0 {
		return c.min + i, true
	}
	if i, _ = scan(data[normal:n], fp, c.maskL, c.t); i >= 0 {
		return normal + i, true
	}
	return n, n == c.max
}

// scan feeds d into the gear fingerprint fp and returns the length of the
// prefix of d after which fp&mask == 0 first holds, or -1 and the final fp.
// It is the byte loop fp = fp<<1 + t[b], unrolled four times so that the
// dependency chain through fp advances four bytes per step; the
// intermediate values are computed from the previous fp and checked in
// order, giving exactly the result of the one-byte loop.
func scan(d []byte, fp, mask uint64, t *Table) (int, uint64) {
	_ = t[0] // one nil check outside the loop
	i := 0
	for ; len(d)-i >= 4; i += 4 {
		w := d[i : i+4 : i+4]
		g0, g1, g2, g3 := t[w[0]], t[w[1]], t[w[2]], t[w[3]]
		h1 := g0<<1 + g1
		h2 := h1<<1 + g2
		h3 := h2<<1 + g3
		if (fp<<1+g0)&mask == 0 {
			return i + 1, 0
		}
		if (fp<<2+h1)&mask == 0 {
			return i + 2, 0
		}
		if (fp<<3+h2)&mask == 0 {
			return i + 3, 0
		}
		fp = fp<<4 + h3
		if fp&mask == 0 {
			return i + 4, 0
		}
	}
	for ; i < len(d); i++ {
		fp = fp<<1 + t[d[i]]
		if fp&mask == 0 {
			return i + 1, 0
		}
	}
	return -1, fp
}
