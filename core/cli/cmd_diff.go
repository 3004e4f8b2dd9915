package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// DiffOptions are the options of diff.
type DiffOptions struct {
	A, B string // snapshot references
}

func diffCommand() *cli.Command {
	return argsCommand("diff", "show what changed between two snapshots", "A B", 2, 2, "two snapshots, A and B",
		func(a cli.Args) (DiffOptions, error) { return DiffOptions{A: a.Get(0), B: a.Get(1)}, nil }, runDiff)
}

func runDiff(ctx context.Context, g *Globals, o DiffOptions) error {
	var out []tree.Change
	err := withRepo(ctx, g, listing, func(repo *repository.Repository) error {
		snaps, err := findSnapshots(ctx, repo, o.A, o.B)
		if err != nil {
			return err
		}
		out, err = tree.Diff(ctx, repo, snaps[0].Tree, snaps[1].Tree)
		return err
	})
	if err != nil {
		return err
	}
	if g.JSON {
		if out == nil {
			out = []tree.Change{}
		}
		return printJSON(g.Env.Stdout, out)
	}
	counts := map[string]int{}
	for _, d := range out {
		fmt.Fprintf(g.Env.Stdout, "%s %s\n", d.Change, d.Path)
		counts[d.Change]++
	}
	fmt.Fprintf(g.Env.Stdout, "%d added, %d removed, %d modified, %d metadata only\n",
		counts[tree.Added], counts[tree.Removed], counts[tree.Modified], counts[tree.Metadata])
	return nil
}
