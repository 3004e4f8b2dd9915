package cli

import (
	"context"
	"fmt"
	"path"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// DiffEntry is one difference between two snapshots: "+" added, "-"
// removed, "M" content or type changed, "m" metadata only.
type DiffEntry struct {
	Change string `json:"change"`
	Path   string `json:"path"`
}

func diffCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what changed between two snapshots",
		ArgsUsage: "A B",
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 2, 2, "two snapshots, A and B"); err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			// One listing serves both references: each costs a LIST and a
			// GET per snapshot.
			list, err := snapshot.List(c.Context, repo)
			if err != nil {
				return err
			}
			a, err := snapshot.Find(list, c.Args().Get(0))
			if err != nil {
				return err
			}
			b, err := snapshot.Find(list, c.Args().Get(1))
			if err != nil {
				return err
			}
			out, err := DiffTrees(c.Context, repo, a.Tree, b.Tree)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				if out == nil {
					out = []DiffEntry{}
				}
				return printJSON(env.Stdout, out)
			}
			counts := map[string]int{}
			for _, d := range out {
				fmt.Fprintf(env.Stdout, "%s %s\n", d.Change, d.Path)
				counts[d.Change]++
			}
			fmt.Fprintf(env.Stdout, "%d added, %d removed, %d modified, %d metadata only\n", counts["+"], counts["-"], counts["M"], counts["m"])
			return nil
		},
	}
}

// DiffTrees compares two trees; identical subtrees are skipped by ID.
func DiffTrees(ctx context.Context, repo *repository.Repository, a, b *repository.ID) ([]DiffEntry, error) {
	var out []DiffEntry
	var walk func(prefix string, a, b *repository.ID) error
	load := func(id *repository.ID) (*tree.Tree, error) {
		if id == nil {
			return &tree.Tree{}, nil
		}
		return tree.Load(ctx, repo, *id)
	}
	all := func(prefix string, id *repository.ID, change string) error {
		if id == nil {
			return nil
		}
		return tree.Walk(ctx, repo, *id, prefix, func(p string, n *tree.Node) error {
			out = append(out, DiffEntry{change, p})
			return nil
		})
	}
	walk = func(prefix string, a, b *repository.ID) error {
		if a != nil && b != nil && *a == *b {
			return nil
		}
		ta, err := load(a)
		if err != nil {
			return err
		}
		tb, err := load(b)
		if err != nil {
			return err
		}
		i, j := 0, 0
		for i < len(ta.Nodes) || j < len(tb.Nodes) {
			switch {
			case j == len(tb.Nodes) || (i < len(ta.Nodes) && ta.Nodes[i].Name < tb.Nodes[j].Name):
				n := &ta.Nodes[i]
				p := path.Join(prefix, n.Name)
				out = append(out, DiffEntry{"-", p})
				if err := all(p, n.Subtree, "-"); err != nil {
					return err
				}
				i++
			case i == len(ta.Nodes) || tb.Nodes[j].Name < ta.Nodes[i].Name:
				n := &tb.Nodes[j]
				p := path.Join(prefix, n.Name)
				out = append(out, DiffEntry{"+", p})
				if err := all(p, n.Subtree, "+"); err != nil {
					return err
				}
				j++
			default:
				na, nb := &ta.Nodes[i], &tb.Nodes[j]
				p := path.Join(prefix, na.Name)
				switch {
				case na.Type != nb.Type:
					out = append(out, DiffEntry{"M", p})
					if err := all(p, na.Subtree, "-"); err != nil {
						return err
					}
					if err := all(p, nb.Subtree, "+"); err != nil {
						return err
					}
				case na.Type == tree.Dir:
					if na.Mode != nb.Mode || na.UID != nb.UID || na.GID != nb.GID {
						out = append(out, DiffEntry{"m", p})
					}
					if err := walk(p, na.Subtree, nb.Subtree); err != nil {
						return err
					}
				case !slices.Equal(na.Content, nb.Content) || na.Target != nb.Target:
					out = append(out, DiffEntry{"M", p})
				case na.Mode != nb.Mode || na.ModTime != nb.ModTime || na.UID != nb.UID || na.GID != nb.GID:
					out = append(out, DiffEntry{"m", p})
				}
				i++
				j++
			}
		}
		return nil
	}
	if err := walk("", a, b); err != nil {
		return nil, err
	}
	return out, nil
}
