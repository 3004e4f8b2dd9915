package prune

import (
	"fmt"
	"sort"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// compact writes the index again without the packs being deleted, with
// the repacked copies, superseding every segment read, then deletes those.
// Afterwards x knows the copies and the segments written, so it can run
// again in the same prune.
func (r *run) compact(del map[int32]bool, newLocs map[repository.ID]repository.Location) error {
	x := r.x
	if len(del) == 0 && len(newLocs) == 0 && len(x.segments) <= 1 {
		return nil
	}
	// Layer k holds the k-th surviving copy of each blob: a segment keeps
	// one location per blob, and every copy stays indexed until prune
	// schedules its pack through an intent.
	var layers []map[repository.ID]repository.Location
	put := func(k int, id repository.ID, l repository.Location) {
		for len(layers) <= k {
			layers = append(layers, map[repository.ID]repository.Location{})
		}
		layers[k][id] = l
	}
	for id, l := range newLocs {
		put(0, id, l)
	}
	for id := range x.blobs {
		k := 0
		if _, ok := newLocs[id]; ok {
			k = 1
		}
		for _, l := range x.locs(id) {
			if del[l.pack] {
				continue
			}
			put(k, id, x.location(l))
			k++
		}
	}
	if len(layers) == 0 {
		layers = append(layers, map[repository.ID]repository.Location{})
	}
	// Extra layers first: the superseding segment is the commit point.
	written := map[repository.ID]bool{}
	for k := len(layers) - 1; k >= 1; k-- {
		name, err := r.repo.SaveSegment(r.ctx, &repository.Segment{Blobs: layers[k]})
		if err != nil {
			return fmt.Errorf("writing the compacted index: %w", err)
		}
		written[name] = true
		r.res.SegmentsWritten++
	}
	old := append([]repository.ID{}, x.segments...)
	sort.Slice(old, func(i, j int) bool { return old[i].String() < old[j].String() })
	name, err := r.repo.SaveSegment(r.ctx, &repository.Segment{Blobs: layers[0], Supersedes: old})
	if err != nil {
		return fmt.Errorf("writing the compacted index: %w", err)
	}
	r.res.SegmentsWritten++
	for _, s := range old {
		if s == name || written[s] {
			continue
		}
		if err := r.be.Remove(r.ctx, storage.Handle{Kind: storage.KindIndex, Name: s.String()}); err != nil {
			return fmt.Errorf("removing superseded index segment %s: %w", s.Short(), err)
		}
		r.res.SegmentsRemoved++
	}
	for id, l := range newLocs {
		x.add(id, l)
		p := &x.packs[x.packPos[l.Pack]]
		p.exists, p.modTime = true, r.now
	}
	written[name] = true
	x.segments = x.segments[:0]
	for n := range written {
		x.segments = append(x.segments, n)
		x.seen[n] = true
	}
	return nil
}
