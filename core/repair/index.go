package repair

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// IndexResult says what an index repair found and did (or, in a dry run,
// would do).
type IndexResult struct {
	SegmentsRead       int              `json:"segments_read"`
	SegmentsUnreadable []string         `json:"segments_unreadable"` // "index/NAME: why"; replaced
	Packs              int              `json:"packs"`               // data and meta packs in storage
	PacksIndexed       int              `json:"packs_indexed"`       // of them, already indexed
	PacksAdded         int              `json:"packs_added"`         // indexed again from their headers
	BlobsAdded         int              `json:"blobs_added"`
	PacksUnreadable    []string         `json:"packs_unreadable"` // "data/NAME: why": left unindexed
	PacksMissing       int              `json:"packs_missing"`    // indexed, but not in storage
	EntriesDropped     int              `json:"entries_dropped"`  // index entries naming those packs
	SegmentsWritten    int              `json:"segments_written"`
	SegmentsRemoved    int              `json:"segments_removed"`
	DryRun             bool             `json:"dry_run,omitempty"`
	DurationSec        float64          `json:"duration_seconds"`
	Requests           storage.Requests `json:"requests"`
}

// Changed reports whether the index needed (or, in a dry run, needs) any
// change.
func (r *IndexResult) Changed() bool {
	return len(r.SegmentsUnreadable) > 0 || r.PacksAdded > 0 || r.EntriesDropped > 0
}

// Index rebuilds the repository's index from what storage holds. Every
// pack no readable segment names is indexed again from its header (a
// version 1 or 2 pack, compression groups included); index entries naming
// packs that are gone are dropped, and unreadable segments replaced. When
// only packs were missing from the index, one segment listing them is
// added; otherwise one segment holding the whole index supersedes every
// segment there was, which are then removed. Packs whose header cannot be
// read stay unindexed: the result lists them and the error wraps
// ErrIncomplete.
func Index(ctx context.Context, repo *repository.Repository, o Options) (*IndexResult, error) {
	r, err := begin(ctx, repo, o)
	if err != nil {
		return nil, err
	}
	defer r.release()
	res := &IndexResult{DryRun: o.DryRun, SegmentsUnreadable: []string{}, PacksUnreadable: []string{}}
	names, segs, err := readSegments(ctx, repo, res)
	if err != nil {
		return nil, err
	}
	packs, err := ListPacks(ctx, repo.Backend())
	if err != nil {
		return nil, err
	}
	res.Packs = len(packs)

	// The entries of every segment still in force, in packs that exist.
	all := map[repository.ID]repository.Location{}
	indexed, missing := map[repository.ID]bool{}, map[repository.ID]bool{}
	superseded := repository.Superseded(segs)
	for i, s := range segs {
		if s == nil || superseded[names[i]] {
			continue
		}
		for id, l := range s.Blobs {
			if _, ok := packs[l.Pack]; !ok {
				missing[l.Pack] = true
				res.EntriesDropped++
				continue
			}
			indexed[l.Pack] = true
			if _, ok := all[id]; !ok {
				all[id] = l
			}
		}
		segs[i] = nil
	}
	res.PacksIndexed, res.PacksMissing = len(indexed), len(missing)

	// Packs no segment names: their headers list their blobs.
	unindexed := map[repository.ID]Pack{}
	for id, p := range packs {
		if !indexed[id] {
			unindexed[id] = p
		}
	}
	added := map[repository.ID]repository.Location{}
	res.PacksUnreadable, err = PackHeaders(ctx, repo, unindexed, func(pack repository.ID, blobs map[repository.ID]repository.Location) {
		res.PacksAdded++
		for id, l := range blobs {
			if _, ok := all[id]; !ok {
				all[id] = l
			}
			added[id] = l
		}
	})
	if err != nil {
		return nil, err
	}
	res.BlobsAdded = len(added)

	if !o.DryRun {
		if err := writeIndex(ctx, repo, res, names, all, added); err != nil {
			return res, err
		}
	}
	res.DurationSec, res.Requests = r.cost()
	if len(res.PacksUnreadable) > 0 {
		return res, fmt.Errorf("%d pack(s) with an unreadable header left unindexed: %w", len(res.PacksUnreadable), ErrIncomplete)
	}
	return res, nil
}

// readSegments lists and reads every index segment. One that is gone
// since the listing is nil; one that cannot be opened or decoded is nil
// too and noted in res.
func readSegments(ctx context.Context, repo *repository.Repository, res *IndexResult) ([]repository.ID, []*repository.Segment, error) {
	names, err := repo.ListSegments(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	segs := make([]*repository.Segment, len(names))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(repo.Connections())
	for i, name := range names {
		g.Go(func() error {
			s, err := repo.LoadSegment(gctx, name)
			switch {
			case errors.Is(err, storage.ErrNotFound):
			case errors.Is(err, repository.ErrCorrupted):
				mu.Lock()
				res.SegmentsUnreadable = append(res.SegmentsUnreadable, err.Error())
				mu.Unlock()
			case err != nil:
				return err
			default:
				segs[i] = s
				mu.Lock()
				res.SegmentsRead++
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	sort.Strings(res.SegmentsUnreadable)
	return names, segs, nil
}

// writeIndex stores the repaired index: a segment of the added entries
// when nothing else changed, else a segment of all of them that supersedes
// every segment listed (which are then removed).
func writeIndex(ctx context.Context, repo *repository.Repository, res *IndexResult, old []repository.ID,
	all, added map[repository.ID]repository.Location) error {
	if len(res.SegmentsUnreadable) == 0 && res.EntriesDropped == 0 {
		if len(added) == 0 {
			return nil
		}
		if _, err := repo.SaveSegment(ctx, &repository.Segment{Blobs: added}); err != nil {
			return fmt.Errorf("writing the index segment: %w", err)
		}
		res.SegmentsWritten++
		return nil
	}
	sort.Slice(old, func(i, j int) bool { return old[i].String() < old[j].String() })
	name, err := repo.SaveSegment(ctx, &repository.Segment{Blobs: all, Supersedes: old})
	if err != nil {
		return fmt.Errorf("writing the index segment: %w", err)
	}
	res.SegmentsWritten++
	for _, s := range old {
		if s == name {
			continue
		}
		err := repo.Backend().Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: s.String()})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("removing the replaced index segment %s: %w", s.Short(), err)
		}
		res.SegmentsRemoved++
	}
	return nil
}

// PackHeaders reads the headers of packs, Connections at a time, and
// calls add (serialized) with each pack's blobs as index entries (a blob
// in a pack of the wrong kind for its type is left out: no reader looks
// for it there). A pack removed meanwhile is skipped; one whose header
// cannot be read or opened (written under another key, cut short) is
// returned in bad ("kind/name: why"), sorted; any other failure fails the
// whole read. Index repair and copy (which adopts the packs a killed copy
// left unindexed) use it.
func PackHeaders(ctx context.Context, repo *repository.Repository, packs map[repository.ID]Pack,
	add func(pack repository.ID, blobs map[repository.ID]repository.Location)) (bad []string, err error) {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(repo.Connections())
	for id, p := range packs {
		g.Go(func() error {
			entries, err := repo.ReadPackHeader(gctx, p.Kind, id)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				return nil
			case errors.Is(err, repository.ErrCorrupted):
				mu.Lock()
				bad = append(bad, err.Error())
				mu.Unlock()
				return nil
			case err != nil:
				return fmt.Errorf("reading the header of %s/%s: %w", p.Kind, id, err)
			}
			blobs := make(map[repository.ID]repository.Location, len(entries))
			for _, e := range entries {
				if (e.Type == repository.TreeBlob) != (p.Kind == storage.KindMeta) {
					continue // not where a reader looks for its type
				}
				blobs[e.ID] = e.Location(id, p.Kind)
			}
			mu.Lock()
			add(id, blobs)
			mu.Unlock()
			return nil
		})
	}
	err = g.Wait()
	sort.Strings(bad)
	return bad, err
}
