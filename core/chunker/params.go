package chunker

import (
	"errors"
	"fmt"
	"math/bits"
)

// Params are the chunk size bounds in bytes. Every chunk is at most Max
// bytes and at least Min bytes, except the last chunk of a stream. Avg is
// the size the chunker aims for on average.
type Params struct {
	Min int `json:"min"`
	Avg int `json:"avg"`
	Max int `json:"max"`
}

// Default are the parameters for new repositories: 512 KiB / 1 MiB / 8 MiB.
var Default = Params{Min: 512 << 10, Avg: 1 << 20, Max: 8 << 20}

// Bounds accepted by Validate.
const (
	MinMin = 64       // smallest Min: the width of the gear hash window
	MaxMax = 64 << 20 // largest Max
)

// Validate reports whether p describes a usable chunker:
// 64 <= Min <= Avg <= Max <= 64 MiB and Avg a power of two.
func (p Params) Validate() error {
	switch {
	case p.Min < MinMin:
		return fmt.Errorf("chunker: min size %d is below %d bytes", p.Min, MinMin)
	case p.Avg < p.Min:
		return fmt.Errorf("chunker: average size %d is below min size %d", p.Avg, p.Min)
	case p.Max < p.Avg:
		return fmt.Errorf("chunker: max size %d is below average size %d", p.Max, p.Avg)
	case p.Max > MaxMax:
		return fmt.Errorf("chunker: max size %d is above %d bytes", p.Max, MaxMax)
	case bits.OnesCount(uint(p.Avg)) != 1:
		return errors.New("chunker: average size must be a power of two")
	}
	return nil
}

// masks returns the two normalized-chunking masks for p (see the package
// documentation).
func (p Params) masks() (maskS, maskL uint64) {
	d := max(p.Avg-p.Min, MinMin)
	b := bits.Len(uint(d)) - 1
	return ^uint64(0) << (64 - (b + 2)), ^uint64(0) << (64 - (b - 2))
}
