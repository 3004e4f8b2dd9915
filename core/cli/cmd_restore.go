package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// RestoreOptions are the options of restore.
type RestoreOptions struct {
	Snapshot          string // reference: an ID prefix, latest or NAME:latest
	Target            string
	Includes          []string
	AllowOutsideLinks bool
	SameOwner         bool
	KeepSpecialBits   bool
	Sparse            restore.SparseMode // --sparse, --no-sparse
	Device            string             // --device: the block device or file that takes the one file
}

func restoreCommand() *cli.Command {
	return define(&cli.Command{
		Name:      "restore",
		Usage:     "restore a snapshot's files into a directory",
		ArgsUsage: "SNAPSHOT",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", EnvVars: []string{"SAVEPOINT_TARGET"}, Usage: "restore into `DIR` (created if missing)"},
			&cli.StringSliceFlag{Name: "include", Aliases: []string{"i"}, Usage: "restore only paths matching `GLOB` (repeatable)"},
			&cli.BoolFlag{Name: "allow-outside-links", Usage: "also restore symlinks pointing outside the target"},
			&cli.BoolFlag{Name: "same-owner", Usage: "restore owners and groups (as root); by default files belong to the restoring user"},
			&cli.BoolFlag{Name: "keep-special-bits", Usage: "restore setuid, setgid and sticky bits; by default they are dropped"},
			&cli.BoolFlag{Name: "sparse", Usage: "leave holes for the zeros of every file (default: for files saved sparse)"},
			&cli.BoolFlag{Name: "no-sparse", Usage: "write no holes: allocate zeros"},
			&cli.StringFlag{Name: "device", Usage: "write the snapshot's one file (a disk image) to the block device or file `PATH` instead of a directory"},
		},
	}, bindRestore, runRestore)
}

func bindRestore(c *cli.Context) (RestoreOptions, error) {
	o := RestoreOptions{Snapshot: c.Args().Get(0), Target: c.String("target"), Includes: c.StringSlice("include"),
		AllowOutsideLinks: c.Bool("allow-outside-links"), SameOwner: c.Bool("same-owner"), KeepSpecialBits: c.Bool("keep-special-bits"),
		Device: c.String("device")}
	if err := needArgs(c, 1, 1, "one SNAPSHOT (an ID prefix, latest or NAME:latest)"); err != nil {
		return o, err
	}
	switch {
	case c.Bool("sparse") && c.Bool("no-sparse"):
		return o, usagef("restore: --sparse and --no-sparse contradict each other: give one")
	case c.Bool("sparse"):
		o.Sparse = restore.SparseAlways
	case c.Bool("no-sparse"):
		o.Sparse = restore.SparseNever
	}
	switch {
	case o.Target != "" && o.Device != "":
		return o, usagef("restore: --target and --device: give one (a directory, or a device or file for one image)")
	case o.Target == "" && o.Device == "":
		return o, usagef("restore: no target directory: use --target DIR (or --device PATH for a disk image)")
	}
	return o, nil
}

func runRestore(ctx context.Context, g *Globals, o RestoreOptions) error {
	return withSnapshot(ctx, g, reading, o.Snapshot, func(repo *repository.Repository, snap *snapshot.Snapshot) error {
		if note := sourcesNotRestored(snap); note != "" {
			if snap.Tree == nil {
				return fmt.Errorf("snapshot %s holds no files: %s", snap.ID.Short(), note)
			}
			fmt.Fprintln(g.Env.Stderr, "savepoint: note: "+note)
		}
		rep := newReporter(g.Env, g.Quiet)
		res, err := restore.Run(ctx, repo, snap, restore.Options{
			Target: o.Target, Includes: o.Includes, AllowOutsideLinks: o.AllowOutsideLinks, Reporter: rep,
			SameOwner: o.SameOwner, KeepSpecialBits: o.KeepSpecialBits, Sparse: o.Sparse, Device: o.Device,
		})
		rep.Done()
		if err != nil && !errors.Is(err, restore.ErrRefused) {
			return err
		}
		hintRefused(res.Refused)
		w := g.Env.Stdout
		target, into := o.Target, "into"
		if o.Device != "" {
			target, into = o.Device, "onto"
		}
		if g.JSON {
			if perr := printJSON(w, map[string]any{"snapshot": snap.ID.String(), "target": target, "result": res}); perr != nil {
				return perr
			}
		} else {
			fmt.Fprintf(w, "restored snapshot %s %s %s\n", snap.ID.Short(), into, target)
			fmt.Fprintf(w, "  files          %d, directories %d, symlinks %d\n", res.Files, res.Dirs, res.Symlinks)
			fmt.Fprintf(w, "  bytes          %s", BytesHuman(res.Bytes))
			if res.HoleBytes > 0 {
				fmt.Fprintf(w, ", %s left as holes", BytesHuman(res.HoleBytes))
			}
			fmt.Fprintln(w)
			fmt.Fprintf(w, "  duration       %.2fs\n", res.DurationSec)
			fmt.Fprintf(w, "  requests       %s\n", RequestsHuman(res.Requests))
			printRefused(w, res.Refused)
		}
		if derr := writeDotenv(g, restoreDotenv(snap, target, res)); derr != nil {
			return derr
		}
		if err != nil {
			if !g.JSON { // the summary lists them; with --json the message names a few too
				what := "entries"
				if len(res.Refused) == 1 {
					what = "entry"
				}
				err = fmt.Errorf("%d %s %w (listed above)", len(res.Refused), what, restore.ErrRefused)
			}
			return exitError{ExitPartial, err}
		}
		return nil
	})
}

// hintRefused adds the flag that would restore them to the reasons of the
// links refused for leading outside the target (the error, which names a
// few, shares them).
func hintRefused(refused []restore.Refusal) {
	for i := range refused {
		if refused[i].OutsideLink {
			refused[i].Reason += "; use --allow-outside-links to restore it"
		}
	}
}

// printRefused lists the entries a restore refused, one line each (the
// paths are printable: control bytes escaped).
func printRefused(w io.Writer, refused []restore.Refusal) {
	if len(refused) > 0 {
		fmt.Fprintf(w, "  refused        %d\n", len(refused))
	}
	for _, f := range refused {
		fmt.Fprintf(w, "    %s\n", f)
	}
}
