package restore

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// fileTarget is a file being written; remaining counts chunks not yet written.
type fileTarget struct {
	rel       string
	node      *tree.Node
	single    bool
	remaining atomic.Int32
}

// use is one place a blob goes: a file at an offset.
type use struct {
	f   *fileTarget
	off int64
}

type blobWork struct {
	id   repository.ID
	loc  repository.Location
	uses []use
}

type packWork struct {
	kind  storage.Kind
	id    repository.ID
	blobs []*blobWork
}

// rangeGap is the largest gap between needed blobs that one ranged read
// spans; beyond it a pack region is read with a new request.
const rangeGap = 1 << 20

func (r *restorer) execute(ctx context.Context, items []item) error {
	var dirs, links []item
	packs := map[repository.ID]*packWork{}
	blobs := map[repository.ID]*blobWork{}
	idx := r.repo.Index()
	for _, it := range items {
		switch it.node.Type {
		case tree.Dir:
			if err := r.ensureDir(it.rel); err != nil {
				return err
			}
			dirs = append(dirs, it)
			r.dirs.Add(1)
		case tree.Symlink:
			links = append(links, it)
		case tree.File:
			r.prog.TotalFiles.Add(1)
			r.prog.TotalBytes.Add(int64(it.node.Size))
			ft := &fileTarget{rel: it.rel, node: it.node, single: len(it.node.Content) == 1}
			if len(it.node.Content) != 1 {
				if err := r.createFile(ft, int64(it.node.Size)); err != nil {
					return err
				}
			}
			if len(it.node.Content) == 0 {
				if err := r.finishFile(ft); err != nil {
					return err
				}
				continue
			}
			ft.remaining.Store(int32(len(it.node.Content)))
			var off int64
			for _, id := range it.node.Content {
				bw := blobs[id]
				if bw == nil {
					loc, ok := idx.Lookup(id)
					if !ok {
						return fmt.Errorf("%s: chunk %s is missing from the repository: %w", it.rel, id.Short(), repository.ErrBlobNotFound)
					}
					bw = &blobWork{id: id, loc: loc}
					blobs[id] = bw
					pw := packs[loc.Pack]
					if pw == nil {
						pw = &packWork{kind: loc.Kind, id: loc.Pack}
						packs[loc.Pack] = pw
					}
					pw.blobs = append(pw.blobs, bw)
				}
				bw.uses = append(bw.uses, use{f: ft, off: off})
				off += int64(bw.loc.RawLength)
			}
			if uint64(off) != it.node.Size {
				r.rep.Warn(fmt.Sprintf("%s: chunks add up to %d bytes, the tree says %d", it.rel, off, it.node.Size))
			}
		}
	}
	r.rep.Phase("restore", &r.prog)
	if err := r.fetch(ctx, packs); err != nil {
		return err
	}
	for _, it := range links {
		if err := r.symlink(it); err != nil {
			return err
		}
	}
	sortByDepth(dirs)
	for _, it := range dirs {
		if err := r.applyMeta(filepath.Join(r.target, it.rel), it.node, false); err != nil {
			return err
		}
	}
	return nil
}

// fetch reads every pack region once, in parallel, and writes its blobs.
func (r *restorer) fetch(ctx context.Context, packs map[repository.ID]*packWork) error {
	var work []*packWork
	for _, pw := range packs {
		sort.Slice(pw.blobs, func(i, j int) bool { return pw.blobs[i].loc.Offset < pw.blobs[j].loc.Offset })
		work = append(work, pw)
	}
	sort.Slice(work, func(i, j int) bool { return work[i].id.String() < work[j].id.String() })
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan []*blobWork)
	var wg sync.WaitGroup
	for i := 0; i < r.repo.Connections(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stored, plain []byte
			var cache repository.GroupCache
			for group := range jobs {
				if ctx.Err() != nil {
					continue
				}
				var err error
				if stored, plain, err = r.fetchGroup(ctx, group, stored, plain, &cache); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for _, pw := range work {
		start := 0
		for i := 1; i <= len(pw.blobs); i++ {
			if i == len(pw.blobs) || int64(pw.blobs[i].loc.Offset)-end(pw.blobs[i-1]) > rangeGap {
				select {
				case jobs <- pw.blobs[start:i]:
				case <-ctx.Done():
				}
				start = i
			}
		}
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

func end(b *blobWork) int64 { return int64(b.loc.Offset) + int64(b.loc.Length) }

// fetchGroup reads one contiguous pack region with a single request and
// streams through it unit by unit (a blob, or a compression group decoded
// once for all its blobs), so memory stays at one unit per worker.
func (r *restorer) fetchGroup(ctx context.Context, group []*blobWork, stored, plain []byte, cache *repository.GroupCache) ([]byte, []byte, error) {
	first, last := group[0], group[len(group)-1]
	from := int64(first.loc.Offset)
	h := storage.Handle{Kind: first.loc.Kind, Name: first.loc.Pack.String()}
	rd, err := r.repo.Backend().Load(ctx, h, from, end(last)-from)
	if err != nil {
		return stored, plain, fmt.Errorf("reading pack %s: %w", first.loc.Pack.Short(), err)
	}
	defer rd.Close()
	pos := from
	for _, b := range group {
		if !cache.Holds(b.loc) {
			if gap := int64(b.loc.Offset) - pos; gap > 0 {
				if _, err := io.CopyN(io.Discard, rd, gap); err != nil {
					return stored, plain, fmt.Errorf("reading pack %s: %w", first.loc.Pack.Short(), err)
				}
			}
			if cap(stored) < int(b.loc.Length) {
				stored = make([]byte, b.loc.Length)
			}
			stored = stored[:b.loc.Length]
			if _, err := io.ReadFull(rd, stored); err != nil {
				return stored, plain, fmt.Errorf("reading pack %s: %w", first.loc.Pack.Short(), err)
			}
			pos = end(b)
		}
		out, err := r.repo.DecodeBlobCached(cache, b.id, b.loc, stored, plain[:0])
		if err != nil {
			return stored, plain, err
		}
		if !b.loc.Grouped() {
			plain = out // keep the buffer for the next blob
		}
		for _, u := range b.uses {
			if err := r.write(u, out); err != nil {
				return stored, plain, err
			}
		}
	}
	return stored, plain, nil
}

func (r *restorer) finishFile(ft *fileTarget) error {
	r.files.Add(1)
	r.prog.Files.Add(1)
	return r.applyMeta(filepath.Join(r.target, ft.rel), ft.node, false)
}
