package chunker

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/zeebo/blake3"
)

// small are the parameters of BenchmarkChunkerSmallParams, used by most tests.
var small = Params{Min: 16 << 10, Avg: 64 << 10, Max: 256 << 10}

// tiny parameters give many chunks from little data.
var tiny = Params{Min: 64, Avg: 256, Max: 1024}

var testTable = NewTable([]byte("test secret"))

// randBytes returns n pseudo-random bytes determined by seed (a BLAKE3 XOF
// stream, stable across Go versions).
func randBytes(seed string, n int) []byte {
	h := blake3.New()
	h.WriteString(seed)
	out := make([]byte, n)
	if _, err := io.ReadFull(h.Digest(), out); err != nil {
		panic(err)
	}
	return out
}

// cutAll splits data with repeated calls to Cut and returns the chunk lengths.
func cutAll(data []byte, p Params, t *Table) []int {
	var sizes []int
	for len(data) > 0 {
		n := Cut(data, len(data) <= p.Max, p, t)
		if n <= 0 || n > len(data) {
			panic("Cut returned an impossible length")
		}
		sizes = append(sizes, n)
		data = data[n:]
	}
	return sizes
}

// chunkAll drains c, checks that the chunks put together give want, and
// returns the chunk lengths.
func chunkAll(t *testing.T, c *Chunker, want []byte) []int {
	t.Helper()
	var sizes []int
	var got bytes.Buffer
	for {
		b, err := c.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(b) == 0 {
			t.Fatal("Next returned an empty chunk")
		}
		got.Write(b)
		sizes = append(sizes, len(b))
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("chunks do not reassemble the input (%d bytes, want %d)", got.Len(), len(want))
	}
	return sizes
}

// offsets turns chunk lengths into end offsets.
func offsets(sizes []int) []int {
	out := make([]int, len(sizes))
	off := 0
	for i, n := range sizes {
		off += n
		out[i] = off
	}
	return out
}

// checkBounds fails unless every chunk is within [Min, Max], except the last,
// which may be shorter.
func checkBounds(t *testing.T, sizes []int, p Params) {
	t.Helper()
	for i, n := range sizes {
		if n > p.Max {
			t.Fatalf("chunk %d is %d bytes, above max %d", i, n, p.Max)
		}
		if n < p.Min && i != len(sizes)-1 {
			t.Fatalf("chunk %d of %d is %d bytes, below min %d", i, len(sizes), n, p.Min)
		}
	}
}

// shortReader returns at most a varying few bytes per Read.
type shortReader struct {
	data []byte
	i    int
}

func (r *shortReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	r.i++
	n := min(len(p), len(r.data), 1+(r.i*7919)%5000)
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}
