package repair

import (
	"context"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// rewriter rewrites trees without the nodes whose data is missing. Each
// tree is rewritten once (memo), whichever snapshots share it.
type rewriter struct {
	ctx   context.Context
	repo  *repository.Repository
	avail func(repository.ID) bool
	save  bool // store the rewritten trees (false: only find what is missing)
	memo  map[repository.ID]*rewritten
	// lost holds the blobs found missing (trees and chunks).
	lost    map[repository.ID]bool
	written int // trees stored
}

// rewritten is what became of one tree.
type rewritten struct {
	id      repository.ID // the tree's ID after the rewrite (the same when nothing was dropped)
	missing bool          // the tree itself cannot be read
	dropped []string      // paths dropped below it, relative to it
}

func newRewriter(ctx context.Context, repo *repository.Repository, avail func(repository.ID) bool, save bool) *rewriter {
	return &rewriter{ctx: ctx, repo: repo, avail: avail, save: save,
		memo: map[repository.ID]*rewritten{}, lost: map[repository.ID]bool{}}
}

// tree rewrites the tree id.
func (w *rewriter) tree(id repository.ID) (*rewritten, error) {
	if r, ok := w.memo[id]; ok {
		return r, nil
	}
	r, err := w.rewrite(id)
	if err != nil {
		return nil, err
	}
	w.memo[id] = r
	return r, nil
}

func (w *rewriter) rewrite(id repository.ID) (*rewritten, error) {
	if !w.avail(id) {
		w.lost[id] = true
		return &rewritten{id: id, missing: true}, nil
	}
	t, err := tree.Load(w.ctx, w.repo, id)
	if errors.Is(err, repository.ErrCorrupted) || errors.Is(err, repository.ErrBlobNotFound) || errors.Is(err, storage.ErrNotFound) {
		w.lost[id] = true
		return &rewritten{id: id, missing: true}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &rewritten{id: id}
	kept := t.Nodes[:0:0]
	for _, n := range t.Nodes {
		switch {
		case n.Type == tree.File && !w.allAvailable(n.Content):
			out.dropped = append(out.dropped, n.Name)
			continue
		case n.Type == tree.Dir && n.Subtree != nil:
			sub, err := w.tree(*n.Subtree)
			if err != nil {
				return nil, err
			}
			if sub.missing {
				out.dropped = append(out.dropped, n.Name+"/")
				continue
			}
			for _, p := range sub.dropped {
				out.dropped = append(out.dropped, n.Name+"/"+p)
			}
			n.Subtree = &sub.id
		}
		kept = append(kept, n)
	}
	if len(out.dropped) == 0 {
		return out, nil
	}
	nt := &tree.Tree{Nodes: kept}
	if !w.save {
		data, err := nt.Encode()
		if err != nil {
			return nil, err
		}
		out.id = w.repo.Hash(data)
		return out, nil
	}
	if out.id, err = tree.Save(w.ctx, w.repo, nt); err != nil {
		return nil, fmt.Errorf("storing the rewritten tree: %w", err)
	}
	w.written++
	return out, nil
}

// allAvailable reports whether every chunk is there; it notes those that
// are not.
func (w *rewriter) allAvailable(ids []repository.ID) bool {
	ok := true
	for _, id := range ids {
		if !w.avail(id) {
			w.lost[id] = true
			ok = false
		}
	}
	return ok
}
