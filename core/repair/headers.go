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
