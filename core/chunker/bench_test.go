package chunker

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

const benchSize = 64 << 20

func benchChunker(b *testing.B, p Params) {
	data := randBytes("bench", benchSize)
	r := bytes.NewReader(data)
	c := New(r, p, testTable)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		r.Reset(data)
		c.Reset(r)
		chunks := 0
		for {
			_, err := c.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			chunks++
		}
		b.ReportMetric(float64(benchSize)/float64(chunks), "B/chunk")
	}
}

// BenchmarkChunker measures the Chunker on random data with the default
// parameters, read through an in-memory reader.
func BenchmarkChunker(b *testing.B) { benchChunker(b, Default) }

// BenchmarkChunkerSmallParams uses min 16 KiB, avg 64 KiB, max 256 KiB.
func BenchmarkChunkerSmallParams(b *testing.B) { benchChunker(b, small) }

// BenchmarkCut measures Cut alone over data already in memory.
func BenchmarkCut(b *testing.B) {
	data := randBytes("bench", benchSize)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		for d := data; len(d) > 0; {
			d = d[Cut(d, true, Default, testTable):]
		}
	}
}
