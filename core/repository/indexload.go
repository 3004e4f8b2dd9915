package repository

import (
	"context"
	"errors"
	"fmt"
	"maps"

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
	// The segments' plaintexts, opened in place, and their supersedes
	// lists, decoded as they arrive; the blobs are decoded straight into
	// the index below, with no Segment map in between (a million blobs
	// would take ~140 MB more).
	plains := make([][]byte, len(names))
	heads := make([]*Segment, len(names))
	err = r.forEachSegment(ctx, names, func(i int, plain []byte) error {
		s, err := decodeSegmentFunc(plain, func(ID, Location) {})
		if err != nil {
			return fmt.Errorf("index segment %s: %w", names[i], err)
		}
		plains[i], heads[i] = plain, s
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// A segment removed since the listing is skipped when a segment read
	// supersedes it (prune deletes the superseded ones after writing the
	// compacted one); otherwise the listing is taken again.
	superseded := Superseded(heads)
	for i, s := range heads {
		if s == nil && !superseded[names[i]] {
			return nil, nil, errSegmentGone
		}
	}
	idx := newIndex()
	idx.SetDoomed(r.doomedPacks())
	var used []ID
	for i, plain := range plains {
		if superseded[names[i]] {
			plains[i] = nil
			continue
		}
		used = append(used, names[i])
		if _, err := decodeSegmentFunc(plain, idx.Add); err != nil {
			return nil, nil, fmt.Errorf("index segment %s: %w", names[i], err)
		}
		plains[i] = nil
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
	err := r.forEachSegment(ctx, names, func(i int, plain []byte) error {
		s, err := decodeSegment(plain)
		if err != nil {
			return fmt.Errorf("index segment %s: %w", names[i], err)
		}
		segs[i] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	return segs, nil
}

// forEachSegment is the one parallel loader of index segments (LoadIndex,
// LoadSegments): it reads the named segments, Connections at a time, opens
// each in place and hands its plaintext to fn with its position in names;
// fn runs concurrently. A segment removed since it was listed is left out;
// any other failure, fn's included, fails the whole load.
func (r *Repository) forEachSegment(ctx context.Context, names []ID, fn func(i int, plain []byte) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.conns)
	for i, name := range names {
		g.Go(func() error {
			plain, err := r.loadSegmentPlain(gctx, name)
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			return fn(i, plain)
		})
	}
	return g.Wait()
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

// loadSegmentPlain reads one index segment and opens it in place.
func (r *Repository) loadSegmentPlain(ctx context.Context, name ID) ([]byte, error) {
	data, err := r.LoadObject(ctx, storage.KindIndex, name)
	if err != nil {
		return nil, fmt.Errorf("reading index segment %s: %w", name, err)
	}
	n := r.sealer.NonceSize()
	plain, err := r.sealer.Open(data[n:n], data)
	if err != nil {
		return nil, fmt.Errorf("index segment %s: %v: %w", name, err, ErrCorrupted)
	}
	return plain, nil
}

// LoadSegment reads one index segment.
func (r *Repository) LoadSegment(ctx context.Context, name ID) (*Segment, error) {
	plain, err := r.loadSegmentPlain(ctx, name)
	if err != nil {
		return nil, err
	}
	s, err := decodeSegment(plain)
	if err != nil {
		return nil, fmt.Errorf("index segment %s: %w", name, err)
	}
	return s, nil
}

// SaveSegment seals and stores an index segment and returns its name.
func (r *Repository) SaveSegment(ctx context.Context, s *Segment) (ID, error) {
	return r.saveSegment(ctx, len(s.Blobs), maps.All(s.Blobs), s.Supersedes)
}
