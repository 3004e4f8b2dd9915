package repository

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Blob flags, stored per blob in pack headers and index entries.
const (
	flagCompressed uint8 = 1 << 0
)

// MaxBlobSize bounds any blob's plaintext: the chunker's largest chunk and
// the largest tree fit well below it. Decoding refuses larger claims, so a
// hostile repository cannot make savepoint allocate without bound.
const MaxBlobSize = 64 << 20

// maxStoredBlob bounds a blob's stored length in pack headers and index
// entries: compression only keeps smaller forms, sealing adds a nonce and a
// tag (28 bytes); the rest is margin.
const maxStoredBlob = MaxBlobSize + 1<<10

// ErrCorrupted marks stored bytes that fail their checks.
var ErrCorrupted = errors.New("corrupted")

// codec compresses blobs; one instance serves all goroutines.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() *codec {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false), // the blob ID already checks the plaintext
		zstd.WithWindowSize(1<<22),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(MaxBlobSize),
		zstd.IgnoreChecksum(true))
	if err != nil {
		panic(err)
	}
	return &codec{enc: enc, dec: dec}
}

// compress returns the compressed form of plain appended to dst, and
// whether compressing paid off; if not, dst is returned unchanged.
func (c *codec) compress(dst, plain []byte) ([]byte, bool) {
	out := c.enc.EncodeAll(plain, dst)
	if len(out)-len(dst) >= len(plain) {
		return dst, false
	}
	return out, true
}

func (c *codec) decompress(dst, comp []byte, rawLen int) ([]byte, error) {
	if rawLen > MaxBlobSize {
		return nil, fmt.Errorf("blob claims %d bytes: %w", rawLen, ErrCorrupted)
	}
	if cap(dst) < rawLen {
		dst = make([]byte, 0, rawLen)
	}
	out, err := c.dec.DecodeAll(comp, dst[:0])
	if err != nil {
		return nil, fmt.Errorf("decompressing: %v: %w", err, ErrCorrupted)
	}
	if len(out) != rawLen {
		return nil, fmt.Errorf("blob decompressed to %d bytes, index says %d: %w", len(out), rawLen, ErrCorrupted)
	}
	return out, nil
}
