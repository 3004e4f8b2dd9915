package repository

import "context"

// FreshIndex reads the index segments again, leaving the index cached by
// LoadIndex alone, and returns the merged index and the segments used.
// Verify uses it to look again after a concurrent prune compacted the
// index under it.
func (r *Repository) FreshIndex(ctx context.Context) (*Index, []ID, error) {
	return r.readIndex(ctx)
}
