package prune

import (
	"fmt"
	"sort"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// repack copies the live blobs of the given packs into new packs, as
// stored (blobs are sealed one by one), after checking each one decodes
// to its ID. It returns the new locations; the caller indexes them.
func (r *run) repack(packs []int32) (map[repository.ID]repository.Location, error) {
	if len(packs) == 0 {
		return nil, nil
	}
	x := r.x
	want := map[int32]bool{}
	for _, i := range packs {
		want[i] = true
	}
	byPack := map[int32][]repository.ID{}
	for id := range r.m.live {
		if l, ok := x.chosen(id); ok && want[l.pack] {
			byPack[l.pack] = append(byPack[l.pack], id)
		}
	}
	out := map[repository.ID]repository.Location{}
	writers := map[storage.Kind]*repository.PackWriter{}
	flush := func(k storage.Kind) error {
		w := writers[k]
		if w == nil || w.Count() == 0 {
			return nil
		}
		_, locs, err := w.Finish(r.ctx)
		if err != nil {
			return err
		}
		for id, l := range locs {
			out[id] = l
		}
		delete(writers, k)
		return nil
	}
	limit := r.repo.Config().PackSize
	for _, i := range packs {
		p := &x.packs[i]
		ids := byPack[i]
		if len(ids) == 0 {
			continue
		}
		h := storage.Handle{Kind: p.kind, Name: p.id.String()}
		data, err := storage.LoadAll(r.ctx, r.be, h)
		if err != nil {
			return nil, fmt.Errorf("repack: reading %s: %w", h, err)
		}
		sort.Slice(ids, func(a, b int) bool {
			la, _ := x.chosen(ids[a])
			lb, _ := x.chosen(ids[b])
			return la.off < lb.off || (la.off == lb.off && la.goff < lb.goff)
		})
		var cache repository.GroupCache
		for len(ids) > 0 {
			w := writers[p.kind]
			if w == nil {
				w = r.repo.NewPackWriter(p.kind)
				writers[p.kind] = w
			}
			l, _ := x.chosen(ids[0])
			n := 1 // the live blobs of this stored unit (a group holds several)
			if l.flags&repository.FlagGrouped != 0 {
				for n < len(ids) {
					if ln, _ := x.chosen(ids[n]); ln.off != l.off {
						break
					}
					n++
				}
			}
			unit := ids[:n]
			ids = ids[n:]
			end := int64(l.off) + int64(l.length)
			if end > int64(len(data)) {
				return nil, fmt.Errorf("repack: %s: blob %s beyond the pack's end: %w (run 'savepoint verify')", h, unit[0].Short(), repository.ErrCorrupted)
			}
			stored := data[l.off:end]
			if err := r.copyUnit(w, x, unit, stored, &cache); err != nil {
				return nil, err
			}
			if w.Size() >= limit {
				if err := flush(p.kind); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		if err := flush(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// copyUnit copies the live blobs of one stored unit into w after checking
// that each decodes to its ID: a single blob or a group whose blobs are all
// live moves as stored; the live blobs of a partly used group are grouped
// again.
func (r *run) copyUnit(w *repository.PackWriter, x *pindex, unit []repository.ID, stored []byte, cache *repository.GroupCache) error {
	var live uint64
	members := make([]repository.PackEntry, 0, len(unit))
	plains := make([][]byte, 0, len(unit))
	for _, id := range unit {
		l, _ := x.chosen(id)
		plain, err := r.repo.DecodeBlobCached(cache, id, x.location(l), stored, nil)
		if err != nil {
			return fmt.Errorf("repack: %w (run 'savepoint verify')", err)
		}
		live += uint64(l.raw)
		members = append(members, repository.PackEntry{ID: id, Type: l.typ, Flags: l.flags, RawLength: l.raw, GroupOffset: l.goff, GroupRaw: l.graw})
		plains = append(plains, plain)
		r.res.BlobsCopied++
	}
	first := members[0]
	switch {
	case first.Flags&repository.FlagGrouped == 0:
		w.Add(first, stored)
		r.res.BytesCopied += int64(len(stored))
	case live == uint64(first.GroupRaw): // every blob of the group is live
		w.AddGroup(members, stored)
		r.res.BytesCopied += int64(len(stored))
	default:
		for i, m := range members {
			w.AddPlain(m, plains[i])
			r.res.BytesCopied += int64(len(plains[i]))
		}
	}
	return nil
}
