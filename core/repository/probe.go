package repository

// Incompressible data (compressed archives, media, encrypted files) is
// stored raw. Trying to compress a whole chunk only to throw the result away
// costs as much as compressing text; a few samples tell the two apart for a
// small fraction of that.
const (
	// probeMin is the smallest blob probed: smaller blobs are cheap to try
	// whole, and in version 2 they go into groups with their neighbours.
	probeMin = 64 << 10
	// probeSample bytes are compressed at each of probeSamples places.
	probeSample  = 8 << 10
	probeSamples = 4
	// A blob whose samples shrink by less than 1/probeGain (3%) is stored raw.
	probeGain = 32
)

// incompressible reports whether plain (at least probeMin bytes) looks
// incompressible: its samples, compressed at the fastest level, do not
// shrink by 3%.
func (c *codec) incompressible(plain []byte) bool {
	if len(plain) < probeMin {
		return false
	}
	var scratch [probeSample + 512]byte
	in, out := 0, 0
	step := (len(plain) - probeSample) / (probeSamples - 1)
	for i := 0; i < probeSamples; i++ {
		s := plain[i*step : i*step+probeSample]
		comp := c.enc.EncodeAll(s, scratch[:0])
		in += len(s)
		out += min(len(comp), len(s))
	}
	return out >= in-in/probeGain
}
