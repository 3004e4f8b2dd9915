package crypto

import (
	"testing"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/cputime"
)

// benchBytes is what one benchmark operation processes, in 1 MiB pieces
// (the chunker's average chunk).
const benchBytes = 64 << 20

func pieces() [][]byte {
	data := benchdata.Random(1, benchBytes)
	var out [][]byte
	for i := 0; i < len(data); i += 1 << 20 {
		out = append(out, data[i:i+1<<20])
	}
	return out
}

// BenchmarkHasher measures the keyed BLAKE3 that names chunks, on one core.
func BenchmarkHasher(b *testing.B) {
	h := NewHasher([32]byte{1})
	ps := pieces()
	cputime.Loop(b, benchBytes, func() {
		for _, p := range ps {
			h.Sum(p)
		}
	})
}

// BenchmarkSeal measures AES-256-GCM sealing of 1 MiB blobs, on one core.
func BenchmarkSeal(b *testing.B) {
	s, _ := NewSealer([32]byte{2}, true)
	ps := pieces()
	dst := make([]byte, 0, 2<<20)
	cputime.Loop(b, benchBytes, func() {
		for _, p := range ps {
			dst = s.Seal(dst[:0], p)
		}
	})
}

// BenchmarkOpen measures AES-256-GCM opening of 1 MiB blobs, on one core.
func BenchmarkOpen(b *testing.B) {
	s, _ := NewSealer([32]byte{2}, true)
	var sealed [][]byte
	for _, p := range pieces() {
		sealed = append(sealed, s.Seal(nil, p))
	}
	dst := make([]byte, 0, 2<<20)
	cputime.Loop(b, benchBytes, func() {
		for _, p := range sealed {
			var err error
			if dst, err = s.Open(dst[:0], p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
