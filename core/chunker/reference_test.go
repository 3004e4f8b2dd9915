package chunker

import (
	"math/bits"
	"testing"
)

// referenceCut is the algorithm of the package documentation written as
// plainly as possible, one byte at a time.
func referenceCut(data []byte, p Params, t *Table) int {
	n := min(len(data), p.Max)
	if n <= p.Min {
		return n
	}
	b := bits.Len(uint(max(p.Avg-p.Min, 64))) - 1
	maskS := ^uint64(0) << (64 - (b + 2))
	maskL := ^uint64(0) << (64 - (b - 2))
	var fp uint64
	for i := p.Min; i < n; i++ {
		fp = fp<<1 + t[data[i]]
		mask := maskL
		if i < p.Avg {
			mask = maskS
		}
		if fp&mask == 0 {
			return i + 1
		}
	}
	return n
}

// TestCutMatchesReference checks the unrolled scan against the one-byte
// reference on every cut of random data, for several parameter sets, at
// every alignment of the four-byte steps.
func TestCutMatchesReference(t *testing.T) {
	data := randBytes("reference", 4<<20)
	for _, p := range []Params{small, tiny, {Min: 64, Avg: 64, Max: 4096}, {Min: 1000, Avg: 1024, Max: 5003}} {
		cuts := 0
		for off := 0; off < len(data); {
			d := data[off:]
			got, want := Cut(d, true, p, testTable), referenceCut(d, p, testTable)
			if got != want {
				t.Fatalf("%+v at offset %d: Cut = %d, reference = %d", p, off, got, want)
			}
			cuts++
			off += want
		}
		for shift := 1; shift < 8; shift++ {
			d := data[shift:]
			if got, want := Cut(d, true, p, testTable), referenceCut(d, p, testTable); got != want {
				t.Fatalf("%+v shifted by %d: Cut = %d, reference = %d", p, shift, got, want)
			}
		}
		if cuts < 50 {
			t.Fatalf("%+v: only %d chunks", p, cuts)
		}
	}
}
