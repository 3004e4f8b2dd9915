package snapcopy

import (
	"context"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// hint is a directory of an earlier copy: its source tree and the
// destination tree it was copied to. Walking a new source tree beside it
// translates whatever did not change without reading the source's data.
type hint struct{ src, dst repository.ID }

// plan is what one snapshot's copy must move: source data blobs the
// destination lacks, and the source trees to re-encode, children first.
type plan struct {
	ctx   context.Context
	c     *copier
	seen  map[repository.ID]bool
	trees []repository.ID
	data  map[repository.ID]struct{}
}

func (c *copier) newPlan(ctx context.Context) *plan {
	return &plan{ctx: ctx, c: c, seen: map[repository.ID]bool{}, data: map[repository.ID]struct{}{}}
}

// present reports whether the destination holds the source blob a.
func (p *plan) present(a repository.ID) bool {
	b, ok := p.c.ids.get(a)
	return ok && p.c.dst.Known(b)
}

// need records a source data blob the copy must fetch unless the
// destination holds it.
func (p *plan) need(a repository.ID) {
	if !p.present(a) {
		p.data[a] = struct{}{}
	}
}

// tree plans the copy of the source tree a and everything below it. A
// tree the destination holds is complete there (a tree is stored after
// its children, in the same commit), so its subtree is skipped.
func (p *plan) tree(a repository.ID, h *hint) error {
	if p.seen[a] {
		return nil
	}
	p.seen[a] = true
	if p.present(a) {
		return nil
	}
	t, err := tree.Load(p.ctx, p.c.src, a)
	if err != nil {
		return err
	}
	var hs, hd *tree.Tree
	if h != nil && !p.c.ids.same {
		// A hint that cannot be read is no hint: the data is read instead.
		if hs, err = tree.Load(p.ctx, p.c.src, h.src); err == nil {
			if hd, err = tree.Load(p.ctx, p.c.dst, h.dst); err != nil {
				hs = nil
			}
		}
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		sn, dn := hintNodes(hs, hd, n)
		switch {
		case n.Type == tree.File:
			if sn != nil {
				for k := range sn.Content {
					p.c.ids.put(sn.Content[k], dn.Content[k])
				}
			}
			for _, c := range n.Content {
				p.need(c)
			}
		case n.Type == tree.Dir && n.Subtree != nil:
			var sub *hint
			if sn != nil && sn.Subtree != nil && dn.Subtree != nil {
				if *sn.Subtree == *n.Subtree {
					p.c.ids.put(*n.Subtree, *dn.Subtree)
				} else {
					sub = &hint{*sn.Subtree, *dn.Subtree}
				}
			}
			if err := p.tree(*n.Subtree, sub); err != nil {
				return err
			}
		}
	}
	p.trees = append(p.trees, a)
	return nil
}

// hintNodes returns the nodes named like n in an earlier copy's source and
// destination trees, when both exist and agree in shape (a copy keeps the
// source's chunks, so the k-th chunk of one is the k-th of the other).
func hintNodes(hs, hd *tree.Tree, n *tree.Node) (*tree.Node, *tree.Node) {
	if hs == nil {
		return nil, nil
	}
	sn, ok := hs.Find(n.Name)
	if !ok || sn.Type != n.Type {
		return nil, nil
	}
	dn, ok := hd.Find(n.Name)
	if !ok || dn.Type != sn.Type || dn.Size != sn.Size || len(dn.Content) != len(sn.Content) ||
		(dn.Subtree == nil) != (sn.Subtree == nil) {
		return nil, nil
	}
	return sn, dn
}
