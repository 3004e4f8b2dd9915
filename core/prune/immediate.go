package prune

import (
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// immediate decides whether the intent just published can be carried out
// in this run: no live writer started before it, and no snapshot committed
// since the mark uses a blob that would go.
func (r *run) immediate(in repository.Intent, del map[int32]bool) (bool, error) {
	sessions, err := r.listSessions()
	if err != nil {
		return false, err
	}
	if blocked(sessions, in.ModTime, *r.o.ClockSkew) {
		return false, nil
	}
	// Only snapshots committed since the first listing are read.
	var lateIDs []repository.ID
	err = r.be.List(r.ctx, storage.KindSnapshot, func(fi storage.Info) error {
		if id, err := repository.ParseID(fi.Name); err == nil && !r.m.snaps[id] {
			lateIDs = append(lateIDs, id)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("listing snapshots: %w", err)
	}
	var late []*snapshot.Snapshot
	for _, id := range lateIDs {
		s, err := snapshot.Load(r.ctx, r.repo, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // forgotten meanwhile
		}
		if err != nil {
			return false, nil // cannot tell: leave the intent for the next prune
		}
		late = append(late, s)
	}
	if len(late) == 0 {
		return true, nil
	}
	if _, err := r.x.loadSegments(r.ctx, r.repo); err != nil {
		return false, err
	}
	going := map[int32]bool{}
	for i := range del {
		going[i] = true
	}
	for _, p := range in.Packs {
		going[r.x.packPos[p.ID]] = true
	}
	var added []repository.ID
	r.m.added = &added
	defer func() { r.m.added = nil }()
	for _, s := range late {
		if err := r.m.snapshot(r.ctx, s); err != nil {
			return false, nil // cannot tell: leave the intent for the next prune
		}
	}
	for _, id := range added {
		survives := false
		for _, l := range r.x.locs(id) {
			if !going[l.pack] {
				survives = true
				break
			}
		}
		if !survives {
			return false, nil
		}
	}
	return true, nil
}
