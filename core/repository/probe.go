package repository

import "math"

// Incompressible data (compressed archives, media, encrypted files) is
// stored raw. Trying to compress a whole chunk only to throw the result away
// costs as much as compressing text; the byte entropy of a few samples tells
// the two apart for about 1% of that. (A trial compression of small samples
// does not: zstd's fastest level gives up on 8 KiB of plain text.)
const (
	// probeMin is the smallest blob probed in probeSamples places.
	probeMin = 64 << 10
	// probeSample bytes are looked at in each of probeSamples places; a
	// blob of probeSample bytes up to probeMin is probed at both ends:
	// small incompressible blobs (the last chunk of an archive, a small
	// image) must stay out of compression groups, where zstd, meeting
	// random bytes first, stores the whole group raw and its text with it.
	probeSample  = 4 << 10
	probeSamples = 16
	// probeBits is the order-0 entropy (bits per byte) above which a sample
	// counts as random: 4 KiB of random bytes measure 7.95; text 4-6.
	probeBits = 7.8
)

// clog[c] is c*log2(c), for entropy sums over probeSample bytes.
var clog = func() []float64 {
	t := make([]float64, probeSample+1)
	for c := 1; c <= probeSample; c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

// incompressible reports whether plain looks incompressible: it is at least
// probeSample bytes and every sample has the byte entropy of random data.
func incompressible(plain []byte) bool {
	samples := probeSamples
	switch {
	case len(plain) < probeSample:
		return false
	case len(plain) < probeMin:
		samples = 2
	}
	step := (len(plain) - probeSample) / (samples - 1)
	for i := 0; i < samples; i++ {
		if entropy(plain[i*step:i*step+probeSample]) < probeBits {
			return false
		}
	}
	return true
}

// entropy is the order-0 entropy of s (at most probeSample bytes) in bits
// per byte.
func entropy(s []byte) float64 {
	var hist [256]uint32
	for _, b := range s {
		hist[b]++
	}
	sum := 0.0
	for _, n := range hist {
		sum += clog[n]
	}
	n := float64(len(s))
	return math.Log2(n) - sum/n
}
