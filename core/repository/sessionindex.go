package repository

import (
	"context"
	"iter"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// sessionPacks names the packs a writer session uploaded since its last
// Flush. The index segment Flush writes lists their blobs, taken from the
// merged index: every blob of such a pack is indexed there (SaveBlob only
// stores blobs the index does not have, or has only in doomed packs, and
// Index.Add lets a fresh copy replace a doomed one). Keeping no list of its
// own saves ~60 bytes a blob: 60 MB in a save of a million files.
type sessionPacks map[ID]bool

// blobs yields the indexed blobs stored in the session's packs.
func (s sessionPacks) blobs(x *Index) iter.Seq2[ID, Location] {
	return func(yield func(ID, Location) bool) {
		x.mu.RLock()
		defer x.mu.RUnlock()
		for id, e := range x.blobs {
			if s[x.packs[e.pack]] && !yield(id, x.location(e)) {
				return
			}
		}
	}
}

// saveSegment encodes, seals and stores an index segment of n blobs. It
// encodes behind room for the nonce and seals in place: a segment of a
// million blobs is 58 MB, and one copy of it is enough.
func (r *Repository) saveSegment(ctx context.Context, n int, blobs iter.Seq2[ID, Location], supersedes []ID) (ID, error) {
	head := r.sealer.NonceSize()
	buf, err := appendSegment(make([]byte, head, head+64+n*(segmentBlobSize+8)+r.sealer.Overhead()), n, blobs, supersedes, r.cfg.Version)
	if err != nil {
		return ID{}, err
	}
	return r.SaveObject(ctx, storage.KindIndex, r.sealer.Seal(buf[:0], buf[head:]))
}
