package snapcopy

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// packRead is the part of one source pack that holds blobs to copy.
type packRead struct {
	pack  repository.ID
	blobs []blobAt // by offset in the pack
	off   int64
	end   int64
}

type blobAt struct {
	id  repository.ID
	loc repository.Location
}

// packReads groups source blobs by the pack that holds them, each pack
// read as one range, in pack name order.
func (c *copier) packReads(ids map[repository.ID]struct{}) ([]*packRead, error) {
	idx := c.src.Index()
	byPack := map[repository.ID]*packRead{}
	for id := range ids {
		l, ok := idx.Lookup(id)
		if !ok {
			return nil, fmt.Errorf("source blob %s: %w", id.Short(), repository.ErrBlobNotFound)
		}
		p := byPack[l.Pack]
		if p == nil {
			p = &packRead{pack: l.Pack, off: int64(l.Offset)}
			byPack[l.Pack] = p
		}
		p.blobs = append(p.blobs, blobAt{id, l})
		p.off = min(p.off, int64(l.Offset))
		p.end = max(p.end, int64(l.Offset)+int64(l.Length))
	}
	out := make([]*packRead, 0, len(byPack))
	for _, p := range byPack {
		slices.SortFunc(p.blobs, func(a, b blobAt) int {
			if a.loc.Offset != b.loc.Offset {
				return int(int64(a.loc.Offset) - int64(b.loc.Offset))
			}
			return int(int64(a.loc.GroupOffset) - int64(b.loc.GroupOffset))
		})
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *packRead) int { return slices.Compare(a.pack[:], b.pack[:]) })
	return out, nil
}

// copyData copies the source data blobs ids into the destination: packs
// are read in parallel, each blob decoded, named with the destination's
// hash key and handed to SaveBlob, which stores it unless the destination
// has it. The destination's index is committed every CommitEvery bytes.
func (c *copier) copyData(ctx context.Context, ids map[repository.ID]struct{}) error {
	if len(ids) == 0 {
		return nil
	}
	// The source's index only when there is data to read: a copy of an
	// unchanged snapshot costs no more than the trees it compares.
	if err := c.src.LoadIndex(ctx); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	reads, err := c.packReads(ids)
	if err != nil {
		return err
	}
	for len(reads) > 0 {
		// A batch of packs, then a commit: what a killed copy re-sends is
		// at most one batch.
		n, size := 0, int64(0)
		for n < len(reads) && (n == 0 || size < c.commitEvery) {
			size += reads[n].end - reads[n].off
			n++
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(c.src.Connections())
		for _, p := range reads[:n] {
			g.Go(func() error { return c.copyPack(gctx, ctx, p) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		reads = reads[n:]
		if len(reads) > 0 {
			if err := c.commit(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyPack reads with rctx (the batch's, cancelled when another pack
// fails) and stores with ctx: a pack SaveBlob fills uploads under the
// context of the call that filled it, after the batch is over.
func (c *copier) copyPack(rctx, ctx context.Context, p *packRead) error {
	if err := rctx.Err(); err != nil {
		return err
	}
	kind := p.blobs[0].loc.Kind
	stored, err := c.src.ReadPackRange(rctx, kind, p.pack, p.off, p.end-p.off)
	if err != nil {
		return fmt.Errorf("reading source pack %s: %w", p.pack.Short(), err)
	}
	c.bytesRead.Add(int64(len(stored)))
	var cache repository.GroupCache
	for i := 0; i < len(p.blobs); {
		j := i + 1
		for j < len(p.blobs) && p.blobs[j].loc.SameUnit(p.blobs[i].loc) {
			j++
		}
		l := p.blobs[i].loc
		unit := stored[int64(l.Offset)-p.off : int64(l.Offset)+int64(l.Length)-p.off]
		done, err := c.copyUnit(ctx, p.blobs[i:j], unit)
		if err != nil {
			return err
		}
		if done {
			i = j
			continue
		}
		c.unitsResealed.Add(1)
		for _, b := range p.blobs[i:j] {
			u := unit
			if cache.Holds(b.loc) {
				u = nil
			}
			plain, err := c.src.DecodeBlobCached(&cache, b.id, b.loc, u, nil)
			if err != nil {
				return fmt.Errorf("source: %w", err)
			}
			if err := c.store(ctx, b.loc.Type, b.id, plain); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// store saves one source blob's plaintext into the destination and
// records its destination ID.
func (c *copier) store(ctx context.Context, t repository.BlobType, a repository.ID, plain []byte) error {
	b := a
	if !c.ids.same {
		b = c.dst.Hash(plain)
	}
	if _, err := c.dst.SaveBlob(ctx, t, b, plain); err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	c.ids.put(a, b)
	c.blobsRead.Add(1)
	c.counters.Bytes.Add(int64(len(plain)))
	return nil
}
