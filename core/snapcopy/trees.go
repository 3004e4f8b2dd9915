package snapcopy

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// copyTrees stores the planned source trees in the destination, children
// first, with their chunks and subtrees named by destination IDs. When
// both repositories share a hash key a tree's plaintext moves as it is,
// and when they share the whole master key, its stored unit.
func (c *copier) copyTrees(ctx context.Context, trees []repository.ID) error {
	for _, a := range trees {
		if c.raw {
			stored, l, err := c.src.LoadUnit(ctx, a)
			if err != nil {
				return fmt.Errorf("source tree %s: %w", a.Short(), err)
			}
			done, err := c.copyUnit(ctx, []blobAt{{a, l}}, stored)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		c.unitsResealed.Add(1)
		if c.ids.same {
			plain, err := c.src.LoadBlob(ctx, a)
			if err != nil {
				return fmt.Errorf("source tree %s: %w", a.Short(), err)
			}
			if err := c.store(ctx, repository.TreeBlob, a, plain); err != nil {
				return err
			}
			continue
		}
		t, err := tree.Load(ctx, c.src, a)
		if err != nil {
			return fmt.Errorf("source: %w", err)
		}
		for i := range t.Nodes {
			n := &t.Nodes[i]
			for k, id := range n.Content {
				if n.Content[k], err = c.translate(id); err != nil {
					return err
				}
			}
			if n.Subtree != nil {
				b, err := c.translate(*n.Subtree)
				if err != nil {
					return err
				}
				n.Subtree = &b
			}
		}
		plain, err := t.Encode()
		if err != nil {
			return err
		}
		if err := c.store(ctx, repository.TreeBlob, a, plain); err != nil {
			return err
		}
	}
	return nil
}

// translate returns the destination ID of a source blob the copy has
// stored or found in the destination.
func (c *copier) translate(a repository.ID) (repository.ID, error) {
	b, ok := c.ids.get(a)
	if !ok {
		return b, fmt.Errorf("blob %s was not copied (an internal error: please report it)", a.Short())
	}
	return b, nil
}
