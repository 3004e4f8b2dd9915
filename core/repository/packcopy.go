package repository

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// PackWriter builds one pack from blobs that are already stored, the way
// prune's repack copies live blobs out of mostly-unused packs: a blob or a
// whole group moves as stored, with the same flags and lengths, and needs
// no re-encryption; the live blobs of a partly used group are grouped
// again (AddPlain).
type PackWriter struct {
	r     *Repository
	b     packBuilder
	group *openGroup
}

// NewPackWriter starts a pack of kind (storage.KindData or storage.KindMeta).
func (r *Repository) NewPackWriter(kind storage.Kind) *PackWriter {
	return &PackWriter{r: r, b: packBuilder{kind: kind, version: r.cfg.Version}}
}

// Add appends a blob's stored bytes; e.ID, Type, Flags and RawLength are kept.
func (p *PackWriter) Add(e PackEntry, stored []byte) { p.b.add(e, stored) }

// AddGroup appends a whole group's stored bytes; members are its blobs, in
// group order, with their Flags, RawLength, GroupOffset and GroupRaw.
func (p *PackWriter) AddGroup(members []PackEntry, stored []byte) {
	off := uint32(len(p.b.buf))
	p.b.buf = append(p.b.buf, stored...)
	for _, m := range members {
		m.Offset, m.Length = off, uint32(len(stored))
		p.b.entries = append(p.b.entries, m)
	}
}

// AddPlain stores a data blob's plaintext anew: into a compression group
// when the repository's format has them, else compressed on its own.
func (p *PackWriter) AddPlain(e PackEntry, plain []byte) {
	r := p.r
	e.Flags, e.GroupOffset, e.GroupRaw = 0, 0, 0
	raw := incompressible(plain)
	if raw || !r.groupable(e.Type, len(plain)) {
		body, flags, scratch := plain, uint8(0), (*[]byte)(nil)
		if !raw {
			body, flags, scratch = r.compressUnit(plain)
		}
		e.Flags = flags
		p.b.addSealed(e, r.sealer, body)
		if scratch != nil {
			putScratch(scratch)
		}
		return
	}
	if p.group != nil && len(p.group.buf)+len(plain) > groupLimit(r.cfg.PackSize) {
		p.sealGroup()
	}
	if p.group == nil {
		p.group = getGroup(groupLimit(r.cfg.PackSize))
	}
	p.group.add(e, plain)
}

func (p *PackWriter) sealGroup() {
	g := p.group
	p.group = nil
	body, flags, scratch := p.r.compressUnit(g.buf)
	p.b.addSealedGroup(g.members, flags, len(g.buf), p.r.sealer, body)
	putScratch(scratch)
	g.release()
}

// Size is the number of bytes added so far (blobs waiting in a group
// count with their plaintext).
func (p *PackWriter) Size() int {
	n := len(p.b.buf)
	if p.group != nil {
		n += len(p.group.buf)
	}
	return n
}

// Count is the number of blobs added so far.
func (p *PackWriter) Count() int {
	n := len(p.b.entries)
	if p.group != nil {
		n += len(p.group.members)
	}
	return n
}

// Finish writes the pack and returns its name and the locations of its
// blobs, ready for an index segment.
func (p *PackWriter) Finish(ctx context.Context) (ID, map[ID]Location, error) {
	if p.group != nil {
		p.sealGroup()
	}
	data, name := p.b.finish(p.r.sealer)
	if err := p.r.be.Save(ctx, storage.Handle{Kind: p.b.kind, Name: name.String()}, data); err != nil {
		return name, nil, fmt.Errorf("writing pack: %w", err)
	}
	locs := make(map[ID]Location, len(p.b.entries))
	for _, e := range p.b.entries {
		locs[e.ID] = e.location(name, p.b.kind)
	}
	return name, locs, nil
}

// LoadBlobAt reads and checks a blob at a location the caller found in its
// own index (prune and verify read segments themselves). Meta packs go
// through the same bounded whole-pack cache as LoadBlob; groups through a
// few recently read ones (groupreads.go).
func (r *Repository) LoadBlobAt(ctx context.Context, id ID, l Location) ([]byte, error) {
	if l.Grouped() {
		return r.groups.load(ctx, r, id, l)
	}
	stored, err := r.loadStored(ctx, id, l)
	if err != nil {
		return nil, err
	}
	return r.DecodeBlob(id, l, stored, nil)
}

// loadStored reads the stored bytes of the unit at l.
func (r *Repository) loadStored(ctx context.Context, id ID, l Location) ([]byte, error) {
	if l.Kind == storage.KindMeta {
		pack, err := r.meta.get(ctx, r, l.Pack)
		if err != nil {
			return nil, err
		}
		end := int64(l.Offset) + int64(l.Length)
		if end > int64(len(pack)) {
			return nil, fmt.Errorf("meta pack %s: blob %s beyond its end: %w", l.Pack, id, ErrCorrupted)
		}
		return pack[l.Offset:end], nil
	}
	stored, err := loadRange(ctx, r.be, storage.Handle{Kind: l.Kind, Name: l.Pack.String()}, int64(l.Offset), int64(l.Length))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", id, err)
	}
	return stored, nil
}
