package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
)

// PruneOptions are the options of prune.
type PruneOptions struct {
	prune.Options
	Verbose bool // list every decision
}

func pruneCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "prune",
		Usage: "delete data no snapshot uses, repack mostly-unused packs, compact the index",
		Description: `Writers keep running: packs are first named in a deletion intent and deleted once
every save that started before it has finished (docs/prune.md).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "grace", Value: "24h", Usage: "never delete unused data younger than `DURATION`; sessions older than it count as dead"},
			&cli.StringFlag{Name: "max-unused", Value: "10%", Usage: "repack packs with more than `PERCENT` unused bytes"},
			&cli.BoolFlag{Name: "dry-run", Usage: "only list what would be done, and why"},
			&cli.BoolFlag{Name: "break-lease", Usage: "take over a stale prune lease (check first that no prune is running)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every decision"},
			&cli.StringFlag{Name: "clock-skew", Hidden: true, Usage: "margin when comparing session and intent times (default 1m)"},
		},
	}, bindPrune, runPrune)
}

func bindPrune(c *cli.Context) (PruneOptions, error) {
	o := PruneOptions{Options: prune.Options{DryRun: c.Bool("dry-run"), BreakLease: c.Bool("break-lease")}, Verbose: c.Bool("verbose")}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	var err error
	if o.Grace, err = retention.ParseDuration(c.String("grace")); err != nil || o.Grace <= 0 {
		return o, usagef("prune: --grace %q: give a positive duration such as 24h or 7d", c.String("grace"))
	}
	if c.IsSet("clock-skew") {
		skew, err := retention.ParseDuration(c.String("clock-skew"))
		if err != nil || skew < 0 {
			return o, usagef("prune: --clock-skew %q: give a duration such as 1m or 0s", c.String("clock-skew"))
		}
		o.ClockSkew = &skew
	}
	o.MaxUnused, err = maxUnusedFlag(c, "prune")
	return o, err
}

// maxUnusedFlag reads --max-unused PERCENT as a fraction from 0 to 1; cmd
// starts the error.
func maxUnusedFlag(c *cli.Context, cmd string) (*float64, error) {
	f, ok := parsePercent(c.String("max-unused"))
	if !ok {
		return nil, usagef("%s: --max-unused %q: give a percentage between 0 and 100", cmd, c.String("max-unused"))
	}
	return &f, nil
}

// runPrune runs prune on the savepoint server when it can (next to its
// storage), else here.
func runPrune(ctx context.Context, g *Globals, o PruneOptions) error {
	res := &prune.Result{}
	if ran, err := onServer(ctx, g, "prune", o.Options, res); ran {
		if err != nil {
			return pruneError(err)
		}
		ranOnServer(g, "prune")
		return printPrune(g, res, o)
	} else if err != nil {
		return err
	}
	err := withRepo(ctx, g, listing, func(repo *repository.Repository) error {
		var err error
		res, err = prune.Run(ctx, repo, o.Options)
		return err
	})
	if err != nil {
		return pruneError(err)
	}
	return printPrune(g, res, o)
}

func pruneError(err error) error {
	if errors.Is(err, prune.ErrLeaseHeld) || errors.Is(err, prune.ErrLeaseStale) {
		return err
	}
	return fmt.Errorf("prune: %w", err)
}

func printPrune(g *Globals, res *prune.Result, o PruneOptions) error {
	if g.JSON {
		return printJSON(g.Env.Stdout, res)
	}
	w := g.Env.Stdout
	if o.Verbose || o.DryRun {
		for _, a := range res.Actions {
			fmt.Fprintf(w, "  %-8s %s  %s  (%s)\n", a.Action, a.Object, BytesHuman(a.Bytes), a.Reason)
		}
	}
	verb := "deleted"
	if o.DryRun {
		verb = "would delete"
	}
	fmt.Fprintf(w, "%d snapshot(s), %d of %d blobs in use, %d trees read\n", res.Snapshots, res.LiveBlobs, res.Blobs, res.TreesRead)
	fmt.Fprintf(w, "%s %d pack(s), %s; repacked %d pack(s) (%d blobs, %s copied)\n", verb, res.PacksDeleted,
		BytesHuman(res.BytesDeleted), res.PacksRepacked, res.BlobsCopied, BytesHuman(res.BytesCopied))
	if res.PacksScheduled > 0 && !res.Immediate && !o.DryRun {
		fmt.Fprintf(w, "scheduled %d pack(s) for deletion: saves that started earlier are still running; the next prune deletes them\n", res.PacksScheduled)
	}
	if res.IntentsDeferred > 0 {
		fmt.Fprintf(w, "%d earlier deletion intent(s) still wait for running saves\n", res.IntentsDeferred)
	}
	fmt.Fprintf(w, "index: %d segment(s) written, %d removed; %d running save(s), %d stale session marker(s) removed; %s\n",
		res.SegmentsWritten, res.SegmentsRemoved, res.SessionsLive, res.SessionsRemoved, time.Duration(res.DurationSec*float64(time.Second)).Round(time.Millisecond))
	return nil
}
