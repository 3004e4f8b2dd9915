package repository

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// LoadIndex reads and merges every index segment, once per Repository.
// Segments named in another segment's Supersedes list are skipped.
func (r *Repository) LoadIndex(ctx context.Context) error {
	r.idxOnce.Do(func() { r.idx, r.segments, r.idxErr = r.readIndex(ctx) })
	return r.idxErr
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

// readIndex lists and reads the segments. A segment that vanishes between
// the listing and the read was superseded by a prune's compacted segment
// and deleted: the listing is simply taken again.
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
	var names []ID
	err := r.be.List(ctx, storage.KindIndex, func(fi storage.Info) error {
		id, err := ParseID(fi.Name)
		if err != nil {
			return nil // not ours
		}
		names = append(names, id)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the index: %w", err)
	}
	plains := make([][]byte, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, r.conns)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, name ID) {
			defer func() { <-sem; wg.Done() }()
			plains[i], errs[i] = r.loadSegmentPlain(ctx, name)
		}(i, name)
	}
	wg.Wait()
	// First the supersedes lists, then the blobs of the segments in force,
	// decoded straight into the index.
	superseded := map[ID]bool{}
	skip := func(ID, Location) {}
	for i, plain := range plains {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		s, err := decodeSegmentFunc(plain, skip)
		if err != nil {
			return nil, nil, fmt.Errorf("index segment %s: %w", names[i], err)
		}
		for _, old := range s.Supersedes {
			superseded[old] = true
		}
	}
	idx := newIndex()
	idx.SetDoomed(r.doomedPacks())
	var used []ID
	for i, plain := range plains {
		if superseded[names[i]] {
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
