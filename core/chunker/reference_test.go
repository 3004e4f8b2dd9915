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

// FuzzCut compares Cut with the reference on arbitrary data and small
// parameters derived from the input.
func FuzzCut(f *testing.F) {
	f.Add([]byte("hello"), uint8(0), uint8(2))
	f.Add(randBytes("fuzz", 5000), uint8(3), uint8(1))
	f.Add(make([]byte, 3000), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, minK, extra uint8) {
		p := Params{Min: 64 + int(minK%8)*32}
		p.Avg = 1 << bits.Len(uint(p.Min-1)) // smallest power of two >= Min
		p.Max = p.Avg + int(extra%4)*p.Avg
		got, want := Cut(data, true, p, testTable), referenceCut(data, p, testTable)
		if got != want {
			t.Fatalf("%+v: Cut = %d, reference = %d", p, got, want)
		}
		if len(data) > 0 && (got < min(p.Min, len(data)) || got > p.Max) {
			t.Fatalf("%+v: chunk of %d bytes from %d", p, got, len(data))
		}
	})
}
