package repair

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/verify"
)

// ErrIndexIncomplete means data a snapshot uses is in a pack the index
// does not name: the index needs repairing before the snapshots.
var ErrIndexIncomplete = errors.New("the index does not name every pack in storage")

// SnapshotRepair is what happened to one snapshot that used missing data.
type SnapshotRepair struct {
	Snapshot string `json:"snapshot"` // its ID
	Name     string `json:"name,omitempty"`
	// New is the ID of the snapshot written in its place (empty in a dry
	// run, or when it could not be repaired).
	New string `json:"new,omitempty"`
	// Dropped lists what is left out (snapshot.Repair.Dropped), in full.
	Dropped []string `json:"dropped"`
	// Unrepairable says why nothing could be kept (its root tree is gone).
	Unrepairable string `json:"unrepairable,omitempty"`
}

// SnapshotsResult says what a snapshot repair found and did (or, in a dry
// run, would do).
type SnapshotsResult struct {
	Snapshots    int              `json:"snapshots"` // checked
	Repairs      []SnapshotRepair `json:"repairs"`
	TreesWritten int              `json:"trees_written"`
	Removed      int              `json:"removed"` // snapshots replaced and removed
	DryRun       bool             `json:"dry_run,omitempty"`
	DurationSec  float64          `json:"duration_seconds"`
	Requests     storage.Requests `json:"requests"`
}

// Snapshots rewrites every snapshot that uses data the repository no
// longer has (a chunk or tree whose pack is gone, or that no index entry
// names): the new snapshot keeps everything else (name, tags, time,
// provenance, sources whose data is there) and records in Repaired the
// snapshot it replaces and what it leaves out; the old snapshot is removed
// only once the new one is stored. A snapshot whose root tree is missing
// cannot be repaired and is left as it is (the error wraps ErrIncomplete).
// It refuses (ErrIndexIncomplete) when missing data is in a pack the
// index does not name: Index finds it again.
func Snapshots(ctx context.Context, repo *repository.Repository, o Options) (*SnapshotsResult, error) {
	r, err := begin(ctx, repo, o)
	if err != nil {
		return nil, err
	}
	defer r.release()
	if !o.DryRun {
		// A writer announces itself before it trusts the index (docs/prune.md).
		if err := repo.BeginSession(ctx, o.Host, o.now()); err != nil {
			return nil, err
		}
	}
	snaps, err := snapshot.List(ctx, repo)
	if err != nil {
		return nil, err
	}
	if err := repo.LoadIndex(ctx); err != nil {
		return nil, err
	}
	packs, err := ListPacks(ctx, repo.Backend())
	if err != nil {
		return nil, err
	}
	idx := repo.Index()
	avail := func(id repository.ID) bool {
		l, ok := idx.Lookup(id)
		if ok {
			_, ok = packs[l.Pack]
		}
		return ok
	}
	// Blobs indexed in packs that are gone are stored again, never
	// deduplicated against (a rewritten tree may have such an ID).
	gone := map[repository.ID]bool{}
	idx.Each(func(_ repository.ID, l repository.Location) {
		if _, ok := packs[l.Pack]; !ok {
			gone[l.Pack] = true
		}
	})
	idx.SetDoomed(slices.Collect(maps.Keys(gone)))

	res := &SnapshotsResult{Snapshots: len(snaps), Repairs: []SnapshotRepair{}, DryRun: o.DryRun}
	// First find what is missing, storing nothing: if the index lacks a
	// pack that holds it, nothing is written.
	find := newRewriter(ctx, repo, avail, false)
	for _, s := range snaps {
		if _, _, err := plan(find, s); err != nil {
			return nil, err
		}
	}
	if len(find.lost) > 0 {
		if err := checkUnindexed(ctx, repo, idx, packs, find.lost); err != nil {
			return nil, err
		}
	}
	w := find
	if !o.DryRun && len(find.lost) > 0 {
		w = newRewriter(ctx, repo, avail, true)
	}
	var replace []*snapshot.Snapshot
	for _, s := range snaps {
		rep, root, err := plan(w, s)
		if err != nil {
			return nil, err
		}
		if rep == nil {
			continue
		}
		if rep.Unrepairable == "" && !o.DryRun {
			replace = append(replace, rewrittenSnapshot(s, root, rep, o.now()))
		}
		res.Repairs = append(res.Repairs, *rep)
	}
	res.TreesWritten = w.written
	if len(replace) > 0 {
		if err := commit(ctx, repo, snaps, replace, res); err != nil {
			return res, err
		}
	}
	res.DurationSec, res.Requests = r.cost()
	for _, r := range res.Repairs {
		if r.Unrepairable != "" {
			return res, fmt.Errorf("snapshot %s could not be repaired (%s): %w", r.Snapshot[:8], r.Unrepairable, ErrIncomplete)
		}
	}
	return res, nil
}

// plan rewrites one snapshot's tree and sources, and returns what it
// drops and the new root tree; nil when the snapshot uses no missing data.
func plan(w *rewriter, s *snapshot.Snapshot) (*SnapshotRepair, *repository.ID, error) {
	rep := &SnapshotRepair{Snapshot: s.ID.String(), Name: s.Name, Dropped: []string{}}
	root := s.Tree
	if s.Tree != nil {
		t, err := w.tree(*s.Tree)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot %s: %w", s.ID.Short(), err)
		}
		if t.missing {
			rep.Unrepairable = "its root tree " + s.Tree.Short() + " is missing"
			return rep, nil, nil
		}
		rep.Dropped = append(rep.Dropped, t.dropped...)
		root = &t.id
	}
	for _, src := range s.Sources {
		if len(src.Content) > 0 && !w.allAvailable(src.Content) {
			rep.Dropped = append(rep.Dropped, "source:"+src.Name)
		}
	}
	if len(rep.Dropped) == 0 {
		return nil, nil, nil
	}
	return rep, root, nil
}

// rewrittenSnapshot is s without what rep drops, recording the repair.
func rewrittenSnapshot(s *snapshot.Snapshot, root *repository.ID, rep *SnapshotRepair, now time.Time) *snapshot.Snapshot {
	n := *s
	n.ID, n.Tree = repository.ID{}, root
	n.Sources = nil
	dropped := map[string]bool{}
	for _, d := range rep.Dropped {
		dropped[d] = true
	}
	for _, src := range s.Sources {
		if !dropped["source:"+src.Name] {
			n.Sources = append(n.Sources, src)
		}
	}
	paths := rep.Dropped
	if len(paths) > snapshot.MaxRepairPaths {
		paths = paths[:snapshot.MaxRepairPaths]
	}
	n.Repaired = &snapshot.Repair{Original: s.ID, Time: now.UTC(), Dropped: paths, DroppedCount: len(rep.Dropped)}
	return &n
}

// commit makes the rewritten trees durable, then stores each new snapshot
// and only then removes the one it replaces (and its verify failure
// marker). A snapshot an interrupted repair stored already is not stored
// twice.
func commit(ctx context.Context, repo *repository.Repository, snaps, replace []*snapshot.Snapshot, res *SnapshotsResult) error {
	if _, err := repo.Flush(ctx); err != nil {
		return fmt.Errorf("storing the rewritten trees: %w", err)
	}
	done := map[repository.ID]repository.ID{} // original -> its replacement, from an earlier run
	for _, s := range snaps {
		if s.Repaired != nil {
			done[s.Repaired.Original] = s.ID
		}
	}
	for _, n := range replace {
		old := n.Repaired.Original
		id, ok := done[old]
		if !ok {
			var err error
			if id, err = snapshot.Save(ctx, repo, n); err != nil {
				return fmt.Errorf("storing the repaired snapshot of %s: %w", old.Short(), err)
			}
		}
		for j := range res.Repairs {
			if res.Repairs[j].Snapshot == old.String() {
				res.Repairs[j].New = id.String()
			}
		}
		if err := snapshot.Remove(ctx, repo, old); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("removing snapshot %s, replaced by %s: %w", old.Short(), id.Short(), err)
		}
		res.Removed++
		err := repo.Backend().Remove(ctx, storage.Handle{Kind: storage.KindLease, Name: verify.FailedPrefix + old.String()})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("removing the verify failure marker of %s: %w", old.Short(), err)
		}
	}
	return nil
}

// checkUnindexed refuses when a missing blob is in a pack in storage that
// the index does not name (its index segment was lost): dropping files
// whose data is there would lose them.
func checkUnindexed(ctx context.Context, repo *repository.Repository, idx *repository.Index,
	packs map[repository.ID]Pack, lost map[repository.ID]bool) error {
	unindexed := map[repository.ID]Pack{}
	for id, p := range packs {
		if !idx.HasPack(id) {
			unindexed[id] = p
		}
	}
	if len(unindexed) == 0 {
		return nil
	}
	var found *repository.ID
	_, err := PackHeaders(ctx, repo, unindexed, func(pack repository.ID, blobs map[repository.ID]repository.Location) {
		for id := range blobs {
			if lost[id] && found == nil {
				found = &pack
			}
		}
	})
	if err != nil {
		return err
	}
	if found != nil {
		return fmt.Errorf("%w: pack %s holds data a snapshot uses", ErrIndexIncomplete, found.Short())
	}
	return nil
}
