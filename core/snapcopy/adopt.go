package snapcopy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
)

// errAdoptTooLong means the orphan packs could not be indexed while prune
// still protects them all (see adoptOrphans).
var errAdoptTooLong = errors.New("indexing the packs a killed copy left took too long (prune may delete the oldest): run the copy again")

// adoptOrphans indexes the destination's packs that no index segment
// names (left by a copy, or a save, killed between uploading them and its
// next commit), so that their blobs count as present and are not sent
// again; the segment listing them is committed at once. Only packs whose
// header opens under the destination's key are taken (repair.PackHeaders:
// a pack of another key or cut short is left alone), none a deletion
// intent names, and only packs younger than the session limit (less the
// clock skew prune allows for), with that age still under the limit when
// the segment is written.
//
// Why that is safe: prune deletes an unindexed pack only when it is
// older than its grace period at the prune's start and the prune read the
// index before the pack was indexed, so before this commit; a pack
// younger than the session limit at the commit is younger than the grace
// period then (every writer relies on the grace period exceeding its
// session limit, docs/prune.md). Once indexed, the pack is deleted only
// through a deletion intent, which this copy's session blocks, as for the
// packs it writes itself. A pack another writer is still indexing is
// complete (a backend's Save is all or nothing) and is indexed twice,
// which the index allows. An older orphan may be under deletion by a
// running prune (it cannot be told from here, and an append token may not
// take the prune lease): its blobs are sent again.
func (c *copier) adoptOrphans(ctx context.Context, st *Stats) error {
	if c.adopted {
		return nil
	}
	c.adopted = true
	limit := c.o.SessionLimit - prune.DefaultClockSkew
	packs, err := repair.ListPacks(ctx, c.dst.Backend())
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	now, idx := c.o.Now(), c.dst.Index()
	orphans := map[repository.ID]repair.Pack{}
	for id, p := range packs {
		if !idx.HasPack(id) && now.Sub(p.ModTime) < limit {
			orphans[id] = p
		}
	}
	if len(orphans) == 0 {
		return nil
	}
	var deadline time.Time
	var adoptErr error
	_, err = repair.PackHeaders(ctx, c.dst, orphans, func(pack repository.ID, blobs map[repository.ID]repository.Location) {
		n, err := c.dst.AdoptPack(ctx, pack, blobs)
		if err != nil {
			adoptErr = err
			return
		}
		if n == 0 {
			return
		}
		p := orphans[pack]
		if by := p.ModTime.Add(limit); deadline.IsZero() || by.Before(deadline) {
			deadline = by
		}
		st.PacksAdopted++
		st.BlobsAdopted += int64(n)
		st.BytesAdopted += p.Size
	})
	if err = errors.Join(err, adoptErr); err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if deadline.IsZero() {
		return nil
	}
	if c.o.Now().After(deadline) {
		return errAdoptTooLong
	}
	return c.commit(ctx)
}
