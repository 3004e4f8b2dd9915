package repository

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// PackWriter builds one pack from blobs that are already sealed, the way
// prune's repack copies live blobs out of mostly-unused packs: blobs are
// sealed one by one, so their stored bytes move as they are, with the same
// flags and lengths, and need no re-encryption.
type PackWriter struct {
	r *Repository
	b packBuilder
}

// NewPackWriter starts a pack of kind (storage.KindData or storage.KindMeta).
func (r *Repository) NewPackWriter(kind storage.Kind) *PackWriter {
	return &PackWriter{r: r, b: packBuilder{kind: kind}}
}

// Add appends a blob's stored bytes; e.ID, Type, Flags and RawLength are kept.
func (p *PackWriter) Add(e PackEntry, stored []byte) { p.b.add(e, stored) }

// Size is the number of bytes added so far.
func (p *PackWriter) Size() int { return len(p.b.buf) }

// Count is the number of blobs added so far.
func (p *PackWriter) Count() int { return len(p.b.entries) }

// Finish writes the pack and returns its name and the locations of its
// blobs, ready for an index segment.
func (p *PackWriter) Finish(ctx context.Context) (ID, map[ID]Location, error) {
	data, name := p.b.finish(p.r.sealer)
	if err := p.r.be.Save(ctx, storage.Handle{Kind: p.b.kind, Name: name.String()}, data); err != nil {
		return name, nil, fmt.Errorf("writing pack: %w", err)
	}
	locs := make(map[ID]Location, len(p.b.entries))
	for _, e := range p.b.entries {
		locs[e.ID] = Location{Pack: name, Kind: p.b.kind, Type: e.Type, Flags: e.Flags, Offset: e.Offset, Length: e.Length, RawLength: e.RawLength}
	}
	return name, locs, nil
}

// LoadBlobAt reads and checks a blob at a location the caller found in its
// own index (prune and verify read segments themselves). Meta packs go
// through the same bounded whole-pack cache as LoadBlob.
func (r *Repository) LoadBlobAt(ctx context.Context, id ID, l Location) ([]byte, error) {
	var stored []byte
	if l.Kind == storage.KindMeta {
		pack, err := r.meta.get(ctx, r, l.Pack)
		if err != nil {
			return nil, err
		}
		end := int64(l.Offset) + int64(l.Length)
		if end > int64(len(pack)) {
			return nil, fmt.Errorf("meta pack %s: blob %s beyond its end: %w", l.Pack, id, ErrCorrupted)
		}
		stored = pack[l.Offset:end]
	} else {
		var err error
		stored, err = loadRange(ctx, r.be, storage.Handle{Kind: l.Kind, Name: l.Pack.String()}, int64(l.Offset), int64(l.Length))
		if err != nil {
			return nil, fmt.Errorf("reading blob %s: %w", id, err)
		}
	}
	return r.DecodeBlob(id, l, stored, nil)
}
