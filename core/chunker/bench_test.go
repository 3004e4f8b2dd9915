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
	drain(b, c) // allocate the buffer: a Chunker is meant to be reused
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		r.Reset(data)
		c.Reset(r)
		chunks := drain(b, c)
		b.ReportMetric(float64(benchSize)/float64(chunks), "B/chunk")
	}
}

func drain(b *testing.B, c *Chunker) int {
	chunks := 0
	for {
		_, err := c.Next()
		if errors.Is(err, io.EOF) {
			return chunks
		}
		if err != nil {
			b.Fatal(err)
		}
		chunks++
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
