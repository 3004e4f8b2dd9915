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

// packHeaders reads the headers of packs, Connections at a time, and
// calls add (serialized) with each pack's blobs as index entries. A pack
// removed meanwhile is skipped; one whose header cannot be read or opened
// is returned in bad ("kind/name: why"), sorted; any other failure fails
// the whole read.
func packHeaders(ctx context.Context, repo *repository.Repository, packs map[repository.ID]packFile,
	add func(pack repository.ID, blobs map[repository.ID]repository.Location)) (bad []string, err error) {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(repo.Connections())
	for id, p := range packs {
		g.Go(func() error {
			entries, err := repo.ReadPackHeader(gctx, p.kind, id)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				return nil
			case errors.Is(err, repository.ErrCorrupted):
				mu.Lock()
				bad = append(bad, err.Error())
				mu.Unlock()
				return nil
			case err != nil:
				return fmt.Errorf("reading the header of %s/%s: %w", p.kind, id, err)
			}
			blobs := make(map[repository.ID]repository.Location, len(entries))
			for _, e := range entries {
				if (e.Type == repository.TreeBlob) != (p.kind == storage.KindMeta) {
					continue // not where a reader looks for its type
				}
				blobs[e.ID] = e.Location(id, p.kind)
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
