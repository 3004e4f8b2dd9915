package tree

import (
	"context"
	"path"
	"slices"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// Kinds of Change.
const (
	Added    = "+"
	Removed  = "-"
	Modified = "M" // content or type changed
	Metadata = "m" // mode, mtime or owner changed, content the same
)

// Change is one difference between two trees.
type Change struct {
	Change string `json:"change"` // Added, Removed, Modified or Metadata
	Path   string `json:"path"`
}

// Diff lists what changed from tree a to tree b (either may be nil: an
// empty tree), in name order. Identical subtrees are skipped by ID, so the
// cost follows the size of the change, not of the trees.
func Diff(ctx context.Context, repo *repository.Repository, a, b *repository.ID) ([]Change, error) {
	d := differ{ctx: ctx, repo: repo}
	if err := d.walk("", a, b); err != nil {
		return nil, err
	}
	return d.out, nil
}

type differ struct {
	ctx  context.Context
	repo *repository.Repository
	out  []Change
}

func (d *differ) load(id *repository.ID) (*Tree, error) {
	if id == nil {
		return &Tree{}, nil
	}
	return Load(d.ctx, d.repo, *id)
}

// all records every node below id as change.
func (d *differ) all(prefix string, id *repository.ID, change string) error {
	if id == nil {
		return nil
	}
	return Walk(d.ctx, d.repo, *id, prefix, func(p string, n *Node) error {
		d.out = append(d.out, Change{change, p})
		return nil
	})
}

// one records a node present on one side only, with its subtree.
func (d *differ) one(prefix string, n *Node, change string) error {
	p := path.Join(prefix, n.Name)
	d.out = append(d.out, Change{change, p})
	return d.all(p, n.Subtree, change)
}

func (d *differ) walk(prefix string, a, b *repository.ID) error {
	if a != nil && b != nil && *a == *b {
		return nil
	}
	ta, err := d.load(a)
	if err != nil {
		return err
	}
	tb, err := d.load(b)
	if err != nil {
		return err
	}
	i, j := 0, 0
	for i < len(ta.Nodes) || j < len(tb.Nodes) {
		switch {
		case j == len(tb.Nodes) || (i < len(ta.Nodes) && ta.Nodes[i].Name < tb.Nodes[j].Name):
			err = d.one(prefix, &ta.Nodes[i], Removed)
			i++
		case i == len(ta.Nodes) || tb.Nodes[j].Name < ta.Nodes[i].Name:
			err = d.one(prefix, &tb.Nodes[j], Added)
			j++
		default:
			err = d.both(path.Join(prefix, ta.Nodes[i].Name), &ta.Nodes[i], &tb.Nodes[j])
			i++
			j++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// both compares a node present on both sides.
func (d *differ) both(p string, na, nb *Node) error {
	switch {
	case na.Type != nb.Type:
		d.out = append(d.out, Change{Modified, p})
		if err := d.all(p, na.Subtree, Removed); err != nil {
			return err
		}
		return d.all(p, nb.Subtree, Added)
	case na.Type == Dir:
		if na.Mode != nb.Mode || na.UID != nb.UID || na.GID != nb.GID {
			d.out = append(d.out, Change{Metadata, p})
		}
		return d.walk(p, na.Subtree, nb.Subtree)
	case !slices.Equal(na.Content, nb.Content) || !slices.Equal(na.Holes, nb.Holes) || na.Target != nb.Target:
		d.out = append(d.out, Change{Modified, p})
	case na.Mode != nb.Mode || na.ModTime != nb.ModTime || na.UID != nb.UID || na.GID != nb.GID:
		d.out = append(d.out, Change{Metadata, p})
	}
	return nil
}
