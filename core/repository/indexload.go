package repository

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// LoadIndex reads and merges every index segment, once per Repository.
// Segments named in another segment's Supersedes list are skipped. A load
// that fails (a cancelled context, a network error) is not remembered: the
// next call tries again.
func (r *Repository) LoadIndex(ctx context.Context) error {
	return r.idxOnce.do(func() error {
		idx, segs, err := r.readIndex(ctx)
		if err == nil {
			r.idx, r.segments = idx, segs
		}
		return err
	})
}

// Index returns the merged index; LoadIndex must have succeeded.
func (r *Repository) Index() *Index {
	if r.idx == nil {
		panic("repository: Index used before LoadIndex")
	}
	return r.idx
}

// Segments lists the index segments read by LoadIndex.
func (r *Repository) Segments() []ID { return r.segments }

// errSegmentGone means a listed segment vanished before it was read.
var errSegmentGone = fmt.Errorf("an index segment was removed while the index was read: %w", storage.ErrNotFound)

// readIndex lists and reads the segments. A segment that vanishes between
// the listing and the read was superseded by a prune's compacted segment
// and deleted: when a segment read names it as superseded it is simply
// skipped, otherwise (the compacted segment came after the listing) the
// listing is taken again.
func (r *Repository) readIndex(ctx context.Context) (*Index, []ID, error) {
	for attempt := 0; ; attempt++ {
		idx, used, err := r.readIndexOnce(ctx)
		if err != nil && errors.Is(err, storage.ErrNotFound) && attempt < 5 {
			continue
		}
		return idx, used, err
	}
}

func (r *Repository) readIndexOnce(ctx context.Context) (*Index, []ID, error) {
	names, err := r.ListSegments(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	segs, err := r.LoadSegments(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	// A segment removed since the listing is skipped when a segment read
	// supersedes it (prune deletes the superseded ones after writing the
	// compacted one); otherwise the listing is taken again.
	superseded := Superseded(segs)
	for i, s := range segs {
		if s == nil && !superseded[names[i]] {
			return nil, nil, errSegmentGone
		}
	}
	idx := newIndex()
	idx.SetDoomed(r.doomedPacks())
	var used []ID
	for i, s := range segs {
		if superseded[names[i]] {
			continue
		}
		used = append(used, names[i])
		for id, l := range s.Blobs {
			idx.Add(id, l)
		}
	}
	return idx, used, nil
}

// ListSegments names the index segments in storage, leaving out those skip
// reports (nil: none).
func (r *Repository) ListSegments(ctx context.Context, skip func(ID) bool) ([]ID, error) {
	var names []ID
	err := r.be.List(ctx, storage.KindIndex, func(fi storage.Info) error {
		id, err := ParseID(fi.Name)
		if err != nil || (skip != nil && skip(id)) {
			return nil // not ours, or not wanted
		}
		names = append(names, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the index: %w", err)
	}
	return names, nil
}

// LoadSegments reads the named segments, Connections at a time. A segment
// removed since it was listed (a prune compacted it into another) is nil
// in the result; any other failure fails the whole load.
func (r *Repository) LoadSegments(ctx context.Context, names []ID) ([]*Segment, error) {
	segs := make([]*Segment, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.conns)
	for i, name := range names {
		g.Go(func() error {
			s, err := r.LoadSegment(gctx, name)
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			segs[i] = s
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return segs, nil
}

// Superseded names the segments that segs (nil entries allowed) replace.
func Superseded(segs []*Segment) map[ID]bool {
	out := map[ID]bool{}
	for _, s := range segs {
		if s == nil {
			continue
		}
		for _, old := range s.Supersedes {
			out[old] = true
		}
	}
	return out
}

// LoadSegment reads one index segment.
func (r *Repository) LoadSegment(ctx context.Context, name ID) (*Segment, error) {
	data, err := r.LoadObject(ctx, storage.KindIndex, name)
	if err != nil {
		return nil, fmt.Errorf("reading index segment %s: %w", name, err)
	}
	plain, err := r.sealer.Open(nil, data)
	if err != nil {
		return nil, fmt.Errorf("index segment %s: %v: %w", name, err, ErrCorrupted)
	}
	s, err := decodeSegment(plain)
	if err != nil {
		return nil, fmt.Errorf("index segment %s: %w", name, err)
	}
	return s, nil
}

// SaveSegment seals and stores an index segment and returns its name.
func (r *Repository) SaveSegment(ctx context.Context, s *Segment) (ID, error) {
	return r.SaveObject(ctx, storage.KindIndex, r.sealer.Seal(nil, encodeSegment(s)))
}
