package repository

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/chunker"
)

// SharesKey reports whether r and o hold one master key (all three parts)
// and seal alike (both encrypted or both not): a unit one of them stored
// is then valid, as it is, in the other (docs/FORMAT.md, "Room for later
// changes"), and a blob has the same ID in both.
func (r *Repository) SharesKey(o *Repository) bool {
	a, b := r.key, o.key
	same := subtle.ConstantTimeCompare(a.Encrypt[:], b.Encrypt[:]) & subtle.ConstantTimeCompare(a.ID[:], b.ID[:]) &
		subtle.ConstantTimeCompare(a.Chunker[:], b.Chunker[:])
	return same == 1 && r.cfg.Encryption == o.cfg.Encryption
}

// CheckUnit checks the stored bytes of the unit at l without decoding its
// blobs: in an encrypted repository, the unit's authentication tag (the
// bytes are what the key's holder sealed, unmodified). An unencrypted
// unit has no tag: it is decoded and every member checked against its ID.
// members are the unit's blobs (one, or a group's) with their locations.
func (r *Repository) CheckUnit(members []ID, locs []Location, stored []byte) error {
	l := locs[0]
	if r.sealer.Encrypted() {
		tmp := getScratch(len(stored))
		body, err := r.sealer.Open((*tmp)[:0], stored)
		*tmp = body
		putScratch(tmp)
		if err != nil {
			return fmt.Errorf("pack %s: unit at %d: %v: %w", l.Pack, l.Offset, err, ErrCorrupted)
		}
		return nil
	}
	var cache GroupCache
	for i, id := range members {
		unit := stored
		if cache.Holds(locs[i]) {
			unit = nil
		}
		if _, err := r.DecodeBlobCached(&cache, id, locs[i], unit, nil); err != nil {
			return err
		}
	}
	return nil
}

// SaveUnit stores a unit sealed by a repository that shares r's master
// key (SharesKey), its stored bytes as they are: no decryption, no
// compression, no sealing. members are the unit's blobs in unit order: one
// blob, or every member of a compression group, with the Type, Flags,
// RawLength, GroupOffset and GroupRaw of their source locations (Offset
// and Length are set here). It returns false, storing nothing, when r
// already holds or is storing one of them, or when r's format cannot hold
// the unit (a group in a version 1 repository): the caller then stores
// the blobs it lacks with SaveBlob. As for SaveBlob, the unit is durable
// only after Flush, and ctx must stay live until then.
func (r *Repository) SaveUnit(ctx context.Context, members []PackEntry, stored []byte) (bool, error) {
	if len(members) == 0 {
		return false, nil
	}
	if members[0].Flags&FlagGrouped != 0 && r.cfg.Version < 2 {
		return false, nil
	}
	if err := r.BeginSession(ctx, "", time.Now()); err != nil {
		return false, err
	}
	if err := r.LoadIndex(ctx); err != nil {
		return false, err
	}
	w := r.writer()
	w.mu.Lock()
	if err := w.err; err != nil {
		w.mu.Unlock()
		return false, err
	}
	for _, m := range members {
		if _, ok := w.pending[m.ID]; ok || r.idx.Has(m.ID) {
			w.mu.Unlock()
			return false, nil
		}
	}
	for _, m := range members {
		w.pending[m.ID] = struct{}{}
	}
	w.mu.Unlock()
	err := w.appendToPack(ctx, members[0].Type, len(stored), func(b *packBuilder) {
		off := uint32(len(b.buf))
		b.buf = append(b.buf, stored...)
		for _, m := range members {
			m.Offset, m.Length = off, uint32(len(stored))
			b.entries = append(b.entries, m)
			w.stats.Blobs++
			w.stats.BytesRaw += int64(m.RawLength)
		}
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

// ErrKeyFromMismatch means Init was asked to share a repository's key
// with settings that contradict it.
var ErrKeyFromMismatch = errors.New("a repository that shares another's key takes its chunker parameters and encryption")

// takeKeyFrom fills in what a repository sharing o.KeyFrom's key takes
// from it.
func (o *InitOptions) takeKeyFrom() error {
	src := o.KeyFrom
	if src == nil {
		return nil
	}
	if o.Chunker != (chunker.Params{}) && o.Chunker != src.cfg.Chunker {
		return fmt.Errorf("%w: chunker %+v differs from the source's %+v", ErrKeyFromMismatch, o.Chunker, src.cfg.Chunker)
	}
	if none := src.cfg.Encryption == "none"; none != o.NoEncryption {
		if none {
			return fmt.Errorf("%w: the source is not encrypted, so neither is the new repository (ask for no encryption explicitly)", ErrKeyFromMismatch)
		}
		return fmt.Errorf("%w: the source is encrypted, so the new repository is too", ErrKeyFromMismatch)
	}
	o.Chunker = src.cfg.Chunker
	if o.Version == 0 {
		o.Version = src.cfg.Version
	}
	return nil
}

// LoadUnit returns the stored bytes of the unit that holds blob id (a
// single blob's, or its whole group's) and the blob's location, for
// SaveUnit in a repository that shares r's key. The bytes are not checked
// (CheckUnit does that) and must not be modified: a tree's are part of a
// cached meta pack.
func (r *Repository) LoadUnit(ctx context.Context, id ID) ([]byte, Location, error) {
	if err := r.LoadIndex(ctx); err != nil {
		return nil, Location{}, err
	}
	l, ok := r.idx.Lookup(id)
	if !ok {
		return nil, l, fmt.Errorf("blob %s: %w", id, ErrBlobNotFound)
	}
	stored, err := r.loadStored(ctx, id, l)
	return stored, l, err
}
