package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// SnapshotsOptions are the options of snapshots.
type SnapshotsOptions struct {
	Filter      snapshot.Filter
	Checkpoints bool // only checkpoints
	Latest      bool // only the newest match
}

func snapshotsCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "snapshots",
		Usage: "list snapshots",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "only snapshots with this name"},
			&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "only snapshots with this tag (repeatable: all must match)"},
			&cli.BoolFlag{Name: "latest", Usage: "only the newest matching snapshot"},
			&cli.BoolFlag{Name: "checkpoints", Usage: "only checkpoints"},
			&cli.StringFlag{Name: "commit", Usage: "only snapshots taken at commit `SHA` (a prefix is enough)"},
			&cli.StringFlag{Name: "branch", Usage: "only snapshots taken on `BRANCH`"},
			&cli.StringFlag{Name: "env", Usage: "only snapshots taken for deploy environment `ENV`"},
			&cli.StringSliceFlag{Name: "provenance", Usage: "only snapshots whose provenance has `KEY=VALUE` (repeatable)"},
		},
	}, bindSnapshots, runSnapshots)
}

func bindSnapshots(c *cli.Context) (SnapshotsOptions, error) {
	o := SnapshotsOptions{Filter: snapshot.Filter{Name: c.String("name"), Tags: c.StringSlice("tag")},
		Checkpoints: c.Bool("checkpoints"), Latest: c.Bool("latest")}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	var err error
	o.Filter.Provenance, err = provenanceFilter(c)
	return o, err
}

func runSnapshots(ctx context.Context, g *Globals, o SnapshotsOptions) error {
	return withSnapshotList(ctx, g, listing, func(_ *repository.Repository, list []*snapshot.Snapshot) error {
		sel := snapshot.Select(list, o.Filter)
		if o.Checkpoints {
			sel = onlyCheckpoints(sel)
		}
		if o.Latest && len(sel) > 1 {
			sel = sel[len(sel)-1:]
		}
		return printSnapshots(g, sel)
	})
}

func printSnapshots(g *Globals, sel []*snapshot.Snapshot) error {
	if g.JSON {
		out := make([]SnapshotJSON, 0, len(sel))
		for _, s := range sel {
			out = append(out, ToJSON(s))
		}
		return printJSON(g.Env.Stdout, out)
	}
	tw := tabwriter.NewWriter(g.Env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tNAME\tHOST\tTAGS\tPATHS\tSIZE")
	for _, s := range sel {
		name := s.Name
		if s.Checkpoint {
			name += " (checkpoint)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID.Short(), s.Time.Local().Format("2006-01-02 15:04:05"),
			name, s.Hostname, strings.Join(s.Tags, ","), describeSources(s), BytesHuman(s.Stats.BytesScanned))
	}
	tw.Flush()
	fmt.Fprintf(g.Env.Stdout, "%d snapshot(s)\n", len(sel))
	return nil
}

func describeSources(s *snapshot.Snapshot) string {
	parts := append([]string{}, s.Paths...)
	for _, src := range s.Sources {
		parts = append(parts, src.Kind+":"+src.Name)
	}
	return strings.Join(parts, " ")
}

// withSnapshotList runs fn on the repository, opened for how, and the list
// of its snapshots.
func withSnapshotList(ctx context.Context, g *Globals, how access, fn func(repo *repository.Repository, list []*snapshot.Snapshot) error) error {
	return withRepo(ctx, g, how, func(repo *repository.Repository) error {
		list, err := snapshot.List(ctx, repo)
		if err != nil {
			return err
		}
		return fn(repo, list)
	})
}

// withSnapshot runs fn with the repository open as how needs it and the
// snapshot ref names in it.
func withSnapshot(ctx context.Context, g *Globals, how access, ref string, fn func(repo *repository.Repository, snap *snapshot.Snapshot) error) error {
	return withRepo(ctx, g, how, func(repo *repository.Repository) error {
		snap, err := findSnapshot(ctx, repo, ref)
		if err != nil {
			return err
		}
		return fn(repo, snap)
	})
}

// findSnapshot resolves a snapshot reference given on the command line.
func findSnapshot(ctx context.Context, repo *repository.Repository, ref string) (*snapshot.Snapshot, error) {
	snaps, err := findSnapshots(ctx, repo, ref)
	if err != nil {
		return nil, err
	}
	return snaps[0], nil
}

// findSnapshots resolves several snapshot references with one listing (it
// costs a LIST and a GET per snapshot in the repository).
func findSnapshots(ctx context.Context, repo *repository.Repository, refs ...string) ([]*snapshot.Snapshot, error) {
	list, err := snapshot.List(ctx, repo)
	if err != nil {
		return nil, err
	}
	snaps := make([]*snapshot.Snapshot, len(refs))
	for i, ref := range refs {
		if snaps[i], err = snapshot.Find(list, ref); err != nil {
			return nil, err
		}
	}
	return snaps, nil
}
