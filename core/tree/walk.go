package tree

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// WalkFunc is called for each node with its slash-separated path relative
// to the walk's root: the parent's path, "/" and the node's name as stored
// (not cleaned, so that a "..", an empty name or a name holding "/" shows
// as it is). Returning SkipDir from a directory skips its contents.
type WalkFunc func(p string, n *Node) error

// SkipDir tells Walk not to descend into a directory.
var SkipDir = skipDir{}

type skipDir struct{}

func (skipDir) Error() string { return "skip this directory" }

// Walk visits every node below the tree id in depth-first name order.
func Walk(ctx context.Context, repo Loader, id repository.ID, prefix string, fn WalkFunc) error {
	t, err := Load(ctx, repo, id)
	if err != nil {
		if prefix != "" {
			err = fmt.Errorf("%s: %w", PrintablePath(prefix), err)
		}
		return err
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		p := n.Name
		if prefix != "" {
			p = prefix + "/" + n.Name
		}
		err := fn(p, n)
		if err == SkipDir {
			continue
		}
		if err != nil {
			return err
		}
		if n.Type == Dir && n.Subtree != nil {
			if err := Walk(ctx, repo, *n.Subtree, p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
