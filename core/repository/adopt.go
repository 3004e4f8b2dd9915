package repository

import (
	"context"
	"slices"
	"time"
)

// HasPack reports whether the index locates some blob in pack: whether
// an index segment read (or this session) names it.
func (x *Index) HasPack(pack ID) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.packPos[pack]
	return ok
}

// AdoptPack indexes, as this session's own, the blobs of a stored pack
// that no index segment names (one a writer killed before its Flush left
// behind): blobs are the pack's entries, read from its header. The next
// Flush lists them in its segment, as if this session had uploaded the
// pack, and until then Known reports them. A blob indexed already keeps
// its location (unless that one is doomed). It returns how many blobs it
// adopted: none when a deletion intent this session read names the pack,
// or when the index names the pack already.
// The caller answers for the pack staying in storage until that Flush:
// prune deletes an unindexed pack once it is older than its grace period
// (snapcopy's adopt.go, docs/copy.md).
func (r *Repository) AdoptPack(ctx context.Context, pack ID, blobs map[ID]Location) (int, error) {
	if err := r.BeginSession(ctx, "", time.Now()); err != nil {
		return 0, err
	}
	if err := r.LoadIndex(ctx); err != nil {
		return 0, err
	}
	if slices.Contains(r.doomedPacks(), pack) {
		return 0, nil
	}
	w := r.writer()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for id, l := range blobs {
		if old, ok := r.idx.Lookup(id); l.Pack != pack || (ok && old.Pack == pack) {
			continue // not in this pack, or indexed there already
		}
		r.idx.Add(id, l)
		if got, _ := r.idx.Lookup(id); got.Pack == pack {
			n++
		}
	}
	if n > 0 {
		w.written[pack] = true
		w.blobsNew += n
	}
	return n, nil
}
