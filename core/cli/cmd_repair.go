package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// RepairOptions are the options of `repair index` and `repair snapshots`.
type RepairOptions struct {
	repair.Options
	Verbose bool // repair snapshots: every dropped path, not the first few
}

// repairCommand groups the subcommands (like token): Parse names them
// "repair index" and "repair snapshots".
func repairCommand() *cli.Command {
	flags := func() []cli.Flag {
		return []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would change, change nothing"},
			&cli.BoolFlag{Name: "break-lease", Usage: "run even though a prune holds the prune lease, and take it over (that prune stops at its next step)"},
		}
	}
	return group("repair", "rebuild the index from the packs, or rewrite snapshots that use missing data",
		define(&cli.Command{
			Name:  "index",
			Usage: "rebuild the index from the pack headers: index every pack no segment names, drop entries of packs that are gone",
			Description: `Run it when index objects were lost or damaged, or packs deleted. It holds the prune lease
while it writes; through a savepoint server it needs a token with role admin.`,
			Flags: flags(),
		}, bindRepair, runRepairIndex),
		define(&cli.Command{
			Name:  "snapshots",
			Usage: "rewrite snapshots that use missing data, leaving out only the files whose data is gone",
			Description: `Each rewritten snapshot keeps its name, tags, time and provenance and records the snapshot
it replaces and what it left out; the old one is removed once the new one is stored.
Run 'savepoint repair index' first. Through a savepoint server it needs a token with role admin.`,
			Flags: append(flags(), &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every path left out"}),
		}, bindRepair, runRepairSnapshots),
	)
}

func bindRepair(c *cli.Context) (RepairOptions, error) {
	o := RepairOptions{Options: repair.Options{DryRun: c.Bool("dry-run"), BreakLease: c.Bool("break-lease")}}
	if c.Command.Name == "snapshots" {
		o.Verbose = c.Bool("verbose")
	}
	return o, needArgs(c, 0, 0, "no arguments")
}

func runRepairIndex(ctx context.Context, g *Globals, o RepairOptions) error {
	o.Host, _ = os.Hostname()
	return repairAndPrint(ctx, g, "repair index", listing, func(repo *repository.Repository) (*repair.IndexResult, error) {
		return repair.Index(ctx, repo, o.Options)
	}, func(res *repair.IndexResult) error { return printRepairIndex(g, res) })
}

func runRepairSnapshots(ctx context.Context, g *Globals, o RepairOptions) error {
	o.Host, _ = os.Hostname()
	how := writing // it stores trees and snapshots as a save does; a dry run only reads
	if o.DryRun {
		how = listing
	}
	return repairAndPrint(ctx, g, "repair snapshots", how, func(repo *repository.Repository) (*repair.SnapshotsResult, error) {
		return repair.Snapshots(ctx, repo, o.Options)
	}, func(res *repair.SnapshotsResult) error { return printRepairSnapshots(g, res, o) })
}

// repairAndPrint runs a repair on the repository opened for how and prints
// its result, which a repair that stopped part way returns too: what it
// did comes before the error.
func repairAndPrint[R any](ctx context.Context, g *Globals, cmd string, how access,
	run func(*repository.Repository) (*R, error), print func(*R) error) error {
	var res *R
	err := withRepo(ctx, g, how, func(repo *repository.Repository) error {
		var err error
		res, err = run(repo)
		return err
	})
	if res == nil {
		return repairError(g, cmd, err)
	}
	if perr := print(res); perr != nil {
		return perr
	}
	return repairError(g, cmd, err)
}

// repairError names the command; a held lease also says how to run
// anyway, and a refusal by a savepoint server the role a repair needs
// (the server names the role of the request it refused: a read token's
// first write needs append).
func repairError(g *Globals, cmd string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, prune.ErrLeaseHeld):
		return fmt.Errorf("%s: %w (--break-lease runs the repair anyway and stops that prune)", cmd, err)
	case errors.Is(err, storage.ErrPermission) && location.Scheme(g.Repo) == "server":
		return fmt.Errorf("%s needs a token with role admin: %w", cmd, err)
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

func printRepairIndex(g *Globals, res *repair.IndexResult) error {
	if g.JSON {
		return printJSON(g.Env.Stdout, res)
	}
	w := g.Env.Stdout
	for _, s := range res.SegmentsUnreadable {
		fmt.Fprintf(w, "  unreadable  %s\n", s)
	}
	for _, p := range res.PacksUnreadable {
		fmt.Fprintf(w, "  unreadable  %s (left unindexed)\n", p)
	}
	fmt.Fprintf(w, "%d index segment(s) read, %d unreadable; %d pack(s) in storage: %d indexed, %d indexed again from their headers (%d blobs)\n",
		res.SegmentsRead, len(res.SegmentsUnreadable), res.Packs, res.PacksIndexed, res.PacksAdded, res.BlobsAdded)
	if res.PacksMissing > 0 {
		fmt.Fprintf(w, "%d indexed pack(s) are missing from storage: %d index entries dropped (run 'savepoint repair snapshots' next)\n",
			res.PacksMissing, res.EntriesDropped)
	}
	switch {
	case !res.Changed():
		fmt.Fprintln(w, "the index is complete: nothing to do")
	case res.DryRun:
		fmt.Fprintln(w, "dry run: nothing changed")
	default:
		fmt.Fprintf(w, "index repaired: %d segment(s) written, %d removed\n", res.SegmentsWritten, res.SegmentsRemoved)
	}
	return nil
}

// shownPaths is how many dropped paths a snapshot's text output lists
// without --verbose.
const shownPaths = 20

func printRepairSnapshots(g *Globals, res *repair.SnapshotsResult, o RepairOptions) error {
	if g.JSON {
		return printJSON(g.Env.Stdout, res)
	}
	w := g.Env.Stdout
	repaired, failed := 0, 0
	for _, r := range res.Repairs {
		name := ""
		if r.Name != "" {
			name = " (" + r.Name + ")"
		}
		if r.Unrepairable != "" {
			failed++
			fmt.Fprintf(w, "snapshot %s%s cannot be repaired: %s; 'savepoint forget' it\n", r.Snapshot[:8], name, r.Unrepairable)
			continue
		}
		repaired++
		fmt.Fprintf(w, "snapshot %s%s uses missing data: %d path(s) left out\n", r.Snapshot[:8], name, len(r.Dropped))
		for i, p := range r.Dropped {
			if i == shownPaths && !o.Verbose {
				fmt.Fprintf(w, "  ... and %d more (--verbose lists them)\n", len(r.Dropped)-i)
				break
			}
			fmt.Fprintf(w, "  dropped %s\n", p)
		}
		if r.New != "" {
			fmt.Fprintf(w, "  replaced by snapshot %s\n", r.New[:8])
		}
	}
	verb := "repaired"
	if res.DryRun {
		verb = "would repair"
	}
	fmt.Fprintf(w, "%d snapshot(s) checked: %s %d, %d cannot be repaired", res.Snapshots, verb, repaired, failed)
	if res.DryRun {
		fmt.Fprint(w, " (dry run: nothing changed)")
	}
	fmt.Fprintln(w)
	return nil
}
