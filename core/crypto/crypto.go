// Package crypto holds savepoint's key material and the sealing of stored
// bytes: AES-256-GCM per blob with a random nonce, a master key wrapped by a
// password-derived key (scrypt), and the keyed BLAKE3 hash that names chunks.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/zeebo/blake3"
)

// ErrAuth means sealed bytes failed authentication: the wrong key, or the
// bytes were modified.
var ErrAuth = errors.New("authentication failed (wrong key or corrupted data)")

// MasterKey is the secret material of a repository. It never leaves the
// repository except wrapped in a key slot.
type MasterKey struct {
	Encrypt [32]byte `json:"encrypt"` // AES-256-GCM key; unused when encryption is off
	ID      [32]byte `json:"id"`      // key of the keyed BLAKE3 that names blobs
	Chunker [32]byte `json:"chunker"` // secret that keys the chunker's gear table
}

// NewMasterKey draws fresh random key material.
func NewMasterKey() (*MasterKey, error) {
	var k MasterKey
	for _, b := range [][]byte{k.Encrypt[:], k.ID[:], k.Chunker[:]} {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("reading random key material: %w", err)
		}
	}
	return &k, nil
}

// Sealer encrypts and authenticates blobs. A Sealer with encryption off
// passes bytes through; integrity is then checked by the blob IDs.
type Sealer struct {
	aead cipher.AEAD // nil: no encryption
}

// Overhead is the number of bytes Seal adds.
func (s *Sealer) Overhead() int {
	if s.aead == nil {
		return 0
	}
	return s.aead.NonceSize() + s.aead.Overhead()
}

// NewSealer returns a sealer for key; encrypt=false gives a pass-through sealer.
func NewSealer(key [32]byte, encrypt bool) (*Sealer, error) {
	if !encrypt {
		return &Sealer{}, nil
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Encrypted reports whether the sealer encrypts.
func (s *Sealer) Encrypted() bool { return s.aead != nil }

// NonceSize is the room Seal needs in front of a plaintext to seal it in
// place: Seal(buf[:0], buf[NonceSize():]) writes the sealed form over buf.
func (s *Sealer) NonceSize() int {
	if s.aead == nil {
		return 0
	}
	return s.aead.NonceSize()
}

// Seal appends the sealed form of plain to dst and returns it:
// nonce || ciphertext || tag.
func (s *Sealer) Seal(dst, plain []byte) []byte {
	if s.aead == nil {
		return append(dst, plain...)
	}
	n := s.aead.NonceSize()
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	if _, err := rand.Read(dst[start : start+n]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(dst, dst[start:start+n], plain, nil)
}

// Open appends the plaintext of sealed to dst.
func (s *Sealer) Open(dst, sealed []byte) ([]byte, error) {
	if s.aead == nil {
		return append(dst, sealed...), nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrAuth
	}
	out, err := s.aead.Open(dst, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrAuth
	}
	return out, nil
}

// Hasher computes blob IDs: BLAKE3 keyed with the repository's ID key.
type Hasher struct {
	base *blake3.Hasher
}

// NewHasher returns a hasher for key.
func NewHasher(key [32]byte) *Hasher {
	h, err := blake3.NewKeyed(key[:])
	if err != nil {
		panic(err) // only fails for a key that is not 32 bytes
	}
	return &Hasher{base: h}
}

// Sum returns the keyed BLAKE3-256 of data. Safe for concurrent use.
func (h *Hasher) Sum(data []byte) [32]byte {
	d := h.base.Clone()
	d.Write(data)
	var out [32]byte
	d.Sum(out[:0])
	return out
}
