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
		sort.Slice(ids, func(a, b int) bool { return x.blobs[ids[a]].off < x.blobs[ids[b]].off })
		for _, id := range ids {
			l, _ := x.chosen(id)
			end := int64(l.off) + int64(l.length)
			if end > int64(len(data)) {
				return nil, fmt.Errorf("repack: %s: blob %s beyond the pack's end: %w (run 'savepoint verify')", h, id.Short(), repository.ErrCorrupted)
			}
			stored := data[l.off:end]
			if _, err := r.repo.DecodeBlob(id, x.location(l), stored, nil); err != nil {
				return nil, fmt.Errorf("repack: %w (run 'savepoint verify')", err)
			}
			w := writers[p.kind]
			if w == nil {
				w = r.repo.NewPackWriter(p.kind)
				writers[p.kind] = w
			}
			w.Add(repository.PackEntry{ID: id, Type: l.typ, Flags: l.flags, RawLength: l.raw}, stored)
			r.res.BlobsCopied++
			r.res.BytesCopied += int64(len(stored))
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
