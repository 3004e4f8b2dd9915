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
	enc *zstd.Encoder // fastest: version 1 blobs
	// encV2 compresses version 2 groups and blobs at zstd's default level
	// (the level of `zstd -3` and restic): on whole groups it costs about the
	// same CPU per byte as the fastest level on single small files.
	encV2 *zstd.Encoder
	dec   *zstd.Decoder
}

func newEncoder(level zstd.EncoderLevel) *zstd.Encoder {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(level),
		zstd.WithEncoderCRC(false), // the blob ID already checks the plaintext
		zstd.WithWindowSize(groupTarget),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err)
	}
	return enc
}

func newCodec() *codec {
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(MaxBlobSize),
		zstd.IgnoreChecksum(true))
	if err != nil {
		panic(err)
	}
	return &codec{enc: newEncoder(zstd.SpeedFastest), encV2: newEncoder(zstd.SpeedDefault), dec: dec}
}

// compress returns the compressed form of plain appended to dst, and
// whether compressing paid off; if not, dst is returned unchanged.
func (c *codec) compress(dst, plain []byte, version int) ([]byte, bool) {
	enc := c.enc
	if version >= 2 {
		enc = c.encV2
	}
	out := enc.EncodeAll(plain, dst)
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
