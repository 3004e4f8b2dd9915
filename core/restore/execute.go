package restore

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// fileTarget is a file being written; remaining counts chunks not yet written.
type fileTarget struct {
	rel    string
	node   *tree.Node
	single bool // one chunk, no hole: created when that chunk is written
	sparse bool // holes stay holes; zero blocks of the data are not written
	holes  []span
	// dev is the device or file every write goes to (Options.Device);
	// nil: the file is opened beneath the target.
	dev       *device
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

// execute writes the planned entries: directories and files in plan order
// (parents first), chunks fetched pack by pack, then the links, then the
// directories' metadata, deepest first (creating entries in a directory
// changes its mtime).
func (r *restorer) execute(ctx context.Context, items []item) error {
	var dirs, links []item
	fp := newFetchPlan()
	for _, it := range items {
		switch it.node.Type {
		case tree.Dir:
			if err := r.t.mkdir(it.rel); err != nil {
				return fmt.Errorf("creating %s: %v", tree.PrintablePath(it.rel), err)
			}
			dirs = append(dirs, it)
			r.dirs.Add(1)
		case tree.Symlink:
			links = append(links, it)
		case tree.File:
			ft := &fileTarget{rel: it.rel, node: it.node, sparse: r.opts.Sparse.sparse(it.node.Sparse),
				single: len(it.node.Content) == 1 && len(it.node.Holes) == 0}
			r.layout(ft, fp)
			if !ft.single {
				if err := r.create(ft); err != nil {
					return err
				}
			}
		}
	}
	r.rep.Phase("restore", &r.prog)
	if err := r.fetch(ctx, fp.packs); err != nil {
		return err
	}
	if err := r.makeLinks(links, items); err != nil {
		return err
	}
	sortByDepth(dirs)
	for _, it := range dirs {
		if err := r.dirMeta(it); err != nil {
			return err
		}
	}
	return nil
}

// fetchPlan is every blob to read, by pack, with the places it goes.
type fetchPlan struct {
	packs map[repository.ID]*packWork
	blobs map[repository.ID]*blobWork
}

func newFetchPlan() *fetchPlan {
	return &fetchPlan{packs: map[repository.ID]*packWork{}, blobs: map[repository.ID]*blobWork{}}
}

// layout places ft's chunks and holes at their offsets: each chunk becomes
// a use of its blob, each hole a span of ft.
func (r *restorer) layout(ft *fileTarget, fp *fetchPlan) {
	r.prog.TotalFiles.Add(1)
	r.prog.TotalBytes.Add(int64(ft.node.Size))
	ft.remaining.Store(int32(len(ft.node.Content)))
	idx := r.repo.Index()
	var off int64
	for p := range ft.node.Pieces() {
		if p.IsHole {
			ft.holes = append(ft.holes, span{off, int64(p.HoleLen)})
			off += int64(p.HoleLen)
			continue
		}
		id := ft.node.Content[p.Chunk]
		bw := fp.blobs[id]
		if bw == nil {
			loc, _ := idx.Lookup(id) // plan checked that every chunk is there
			bw = &blobWork{id: id, loc: loc}
			fp.blobs[id] = bw
			pw := fp.packs[loc.Pack]
			if pw == nil {
				pw = &packWork{kind: loc.Kind, id: loc.Pack}
				fp.packs[loc.Pack] = pw
			}
			pw.blobs = append(pw.blobs, bw)
		}
		bw.uses = append(bw.uses, use{f: ft, off: off})
		off += int64(bw.loc.RawLength)
	}
}

// sortByDepth orders directories deepest first, for setting their metadata
// after their contents.
func sortByDepth(dirs []item) {
	sort.SliceStable(dirs, func(i, j int) bool {
		return strings.Count(dirs[i].rel, "/") > strings.Count(dirs[j].rel, "/")
	})
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
