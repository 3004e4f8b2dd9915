package repository

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Pack layout (docs/FORMAT.md):
//
//	blob_0 .. blob_n-1 | sealed header | header length (uint32 LE) | "SPK1"
//
// The header lists, in order, each blob's type, flags, stored length,
// plaintext length and ID; offsets follow from the order. The trailer lets
// the index be rebuilt from packs alone.
const (
	packMagic       = "SPK1"
	packHeaderMagic = "SPH1"
	packEntrySize   = 1 + 1 + 4 + 4 + 32
	packTrailerSize = 4 + len(packMagic)
	// maxPackHeader bounds the sealed header a trailer may announce: 64 MiB
	// lists 1.5 million blobs, far more than a pack of the largest
	// configurable size holds in practice.
	maxPackHeader = 64 << 20
)

// PackEntry describes one blob inside a pack.
type PackEntry struct {
	ID        ID
	Type      BlobType
	Flags     uint8
	Offset    uint32
	Length    uint32 // stored (sealed) length; a grouped blob's: its group's
	RawLength uint32 // plaintext length
	// For a blob in a compression group (Flags&FlagGrouped): its place in
	// the group's plaintext, and that plaintext's length. Offset and Length
	// then locate the whole group.
	GroupOffset uint32
	GroupRaw    uint32
}

// packBuilder accumulates sealed blobs of one type into one pack.
type packBuilder struct {
	kind    storage.Kind
	version int // repository format version: 2 writes "SPK2" packs
	buf     []byte
	entries []PackEntry
}

func (p *packBuilder) add(e PackEntry, stored []byte) {
	e.Offset = uint32(len(p.buf))
	e.Length = uint32(len(stored))
	p.buf = append(p.buf, stored...)
	p.entries = append(p.entries, e)
}

// addSealed seals plain straight into the pack: no scratch copy of the
// sealed blob.
func (p *packBuilder) addSealed(e PackEntry, s *crypto.Sealer, plain []byte) {
	e.Offset = uint32(len(p.buf))
	p.buf = s.Seal(p.buf, plain)
	e.Length = uint32(len(p.buf)) - e.Offset
	p.entries = append(p.entries, e)
}

// size is the pack's size once finished with one more blob of n stored
// bytes (n = 0: as it is): blobs, sealed header and trailer.
func (p *packBuilder) size(n int) int {
	entries := len(p.entries)
	if n > 0 {
		entries++
	}
	return len(p.buf) + n + len(packHeaderMagic) + 4 + entries*packEntrySize + 64 + packTrailerSize
}

// finish appends the header and trailer and returns the pack's bytes and
// its name, the SHA-256 of those bytes.
func (p *packBuilder) finish(s *crypto.Sealer) ([]byte, ID) {
	var hdr []byte
	magic := packMagic
	if p.version >= 2 {
		hdr, magic = encodePackHeaderV2(p.entries), packMagicV2
	} else {
		hdr = make([]byte, 0, len(packHeaderMagic)+4+len(p.entries)*packEntrySize)
		hdr = append(hdr, packHeaderMagic...)
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(p.entries)))
		for _, e := range p.entries {
			hdr = append(hdr, byte(e.Type), e.Flags)
			hdr = binary.LittleEndian.AppendUint32(hdr, e.Length)
			hdr = binary.LittleEndian.AppendUint32(hdr, e.RawLength)
			hdr = append(hdr, e.ID[:]...)
		}
	}
	sealed := s.Seal(nil, hdr)
	p.buf = append(p.buf, sealed...)
	var tr [packTrailerSize]byte
	binary.LittleEndian.PutUint32(tr[:4], uint32(len(sealed)))
	copy(tr[4:], magic)
	p.buf = append(p.buf, tr[:]...)
	data := p.buf
	return data, sha256.Sum256(data)
}

// parsePackHeader decodes a pack's header given the pack's tail bytes
// (at least the header and trailer) and the pack's total size.
func parsePackHeader(s *crypto.Sealer, tail []byte, packSize int64) ([]PackEntry, error) {
	if len(tail) < packTrailerSize || (string(tail[len(tail)-4:]) != packMagic && string(tail[len(tail)-4:]) != packMagicV2) {
		return nil, fmt.Errorf("pack trailer missing: %w", ErrCorrupted)
	}
	hlen := int(binary.LittleEndian.Uint32(tail[len(tail)-packTrailerSize:]))
	if hlen > maxPackHeader || hlen+packTrailerSize > len(tail) || int64(hlen+packTrailerSize) > packSize {
		return nil, fmt.Errorf("pack header length %d out of range: %w", hlen, ErrCorrupted)
	}
	sealed := tail[len(tail)-packTrailerSize-hlen : len(tail)-packTrailerSize]
	hdr, err := s.Open(nil, sealed)
	if err != nil {
		return nil, fmt.Errorf("pack header: %v: %w", err, ErrCorrupted)
	}
	if string(tail[len(tail)-4:]) == packMagicV2 {
		return parsePackHeaderV2(hdr, packSize-int64(hlen+packTrailerSize))
	}
	if len(hdr) < 8 || string(hdr[:4]) != packHeaderMagic {
		return nil, fmt.Errorf("pack header magic: %w", ErrCorrupted)
	}
	n := int(binary.LittleEndian.Uint32(hdr[4:8]))
	if len(hdr) != 8+n*packEntrySize {
		return nil, fmt.Errorf("pack header size: %w", ErrCorrupted)
	}
	entries := make([]PackEntry, n)
	var off int64
	body := packSize - int64(hlen+packTrailerSize)
	for i := range entries {
		b := hdr[8+i*packEntrySize:]
		e := &entries[i]
		e.Type, e.Flags = BlobType(b[0]), b[1]
		e.Length = binary.LittleEndian.Uint32(b[2:])
		e.RawLength = binary.LittleEndian.Uint32(b[6:])
		copy(e.ID[:], b[10:42])
		e.Offset = uint32(off)
		off += int64(e.Length)
		// Version 1 knows one flag: a reader taking another bit (a group's)
		// from it would misread the blob.
		if off > body || off > math.MaxUint32 || e.Length > maxStoredBlob || e.RawLength > MaxBlobSize ||
			(e.Type != DataBlob && e.Type != TreeBlob) || e.Flags&^flagCompressed != 0 {
			return nil, fmt.Errorf("pack header entry %d out of range: %w", i, ErrCorrupted)
		}
	}
	return entries, nil
}

// ReadPackHeader lists the blobs of a stored pack from its trailer, with
// at most two ranged reads. Verify and index repair use it.
func (r *Repository) ReadPackHeader(ctx context.Context, kind storage.Kind, pack ID) ([]PackEntry, error) {
	h := storage.Handle{Kind: kind, Name: pack.String()}
	fi, err := r.be.Stat(ctx, h)
	if err != nil {
		return nil, err
	}
	want := int64(64 << 10)
	if want > fi.Size {
		want = fi.Size
	}
	tail, err := loadRange(ctx, r.be, h, fi.Size-want, want)
	if err != nil {
		return nil, err
	}
	if len(tail) >= packTrailerSize {
		hlen := int64(binary.LittleEndian.Uint32(tail[len(tail)-packTrailerSize:]))
		if need := hlen + int64(packTrailerSize); need > want && need <= fi.Size && hlen <= maxPackHeader {
			if tail, err = loadRange(ctx, r.be, h, fi.Size-need, need); err != nil {
				return nil, err
			}
		}
	}
	entries, err := parsePackHeader(r.sealer, tail, fi.Size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h, err)
	}
	return entries, nil
}

func loadRange(ctx context.Context, be storage.Backend, h storage.Handle, off, n int64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	rd, err := be.Load(ctx, h, off, n)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, fmt.Errorf("reading %s: %w", h, err)
	}
	return buf, nil
}

// objectName checks that data hashes to name, the rule for content-addressed objects.
func objectName(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
