package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/retention"
)

func pruneCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "prune",
		Usage: "delete data no snapshot uses, repack mostly-unused packs, compact the index",
		Description: "Writers keep running: packs are first named in a deletion intent and deleted once\n" +
			"every save that started before it has finished (docs/prune.md).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "grace", Value: "24h", Usage: "never delete unused data younger than `DURATION`; sessions older than it count as dead"},
			&cli.StringFlag{Name: "max-unused", Value: "10%", Usage: "repack packs with more than `PERCENT` unused bytes"},
			&cli.BoolFlag{Name: "dry-run", Usage: "only list what would be done, and why"},
			&cli.BoolFlag{Name: "break-lease", Usage: "take over a stale prune lease (check first that no prune is running)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every decision"},
			&cli.StringFlag{Name: "clock-skew", Hidden: true, Usage: "margin when comparing session and intent times"},
		},
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			o := prune.Options{DryRun: c.Bool("dry-run"), BreakLease: c.Bool("break-lease")}
			var err error
			if o.Grace, err = retention.ParseDuration(c.String("grace")); err != nil || o.Grace <= 0 {
				return usagef("prune: --grace %q: give a positive duration such as 24h or 7d", c.String("grace"))
			}
			if v := c.String("clock-skew"); v != "" {
				if o.ClockSkew, err = retention.ParseDuration(v); err != nil {
					return usagef("prune: --clock-skew: %v", err)
				}
				if o.ClockSkew == 0 {
					o.ClockSkew = -1
				}
			}
			pct, err := strconv.ParseFloat(strings.TrimSuffix(c.String("max-unused"), "%"), 64)
			if err != nil || pct < 0 || pct > 100 {
				return usagef("prune: --max-unused %q: give a percentage between 0 and 100", c.String("max-unused"))
			}
			o.MaxUnused = pct / 100
			if pct == 0 {
				o.MaxUnused = -1
			}
			res := &prune.Result{}
			if ran, err := onServer(c, env, "prune", o, res); ran {
				if err != nil {
					return pruneError(err)
				}
				ranOnServer(c, env.Stdout, "prune")
				return printPrune(c, env, o, res)
			} else if err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			res, err = prune.Run(c.Context, repo, o)
			if err != nil {
				return pruneError(err)
			}
			return printPrune(c, env, o, res)
		},
	}
}

func pruneError(err error) error {
	if errors.Is(err, prune.ErrLeaseHeld) || errors.Is(err, prune.ErrLeaseStale) {
		return err
	}
	return fmt.Errorf("prune: %w", err)
}

func printPrune(c *cli.Context, env Env, o prune.Options, res *prune.Result) error {
	if c.Bool("json") {
		return printJSON(env.Stdout, res)
	}
	if c.Bool("verbose") || o.DryRun {
		for _, a := range res.Actions {
			fmt.Fprintf(env.Stdout, "  %-8s %s  %s  (%s)\n", a.Action, a.Object, BytesHuman(a.Bytes), a.Reason)
		}
	}
	verb := "deleted"
	if o.DryRun {
		verb = "would delete"
	}
	fmt.Fprintf(env.Stdout, "%d snapshot(s), %d of %d blobs in use, %d trees read\n", res.Snapshots, res.LiveBlobs, res.Blobs, res.TreesRead)
	fmt.Fprintf(env.Stdout, "%s %d pack(s), %s; repacked %d pack(s) (%d blobs, %s copied)\n", verb, res.PacksDeleted,
		BytesHuman(res.BytesDeleted), res.PacksRepacked, res.BlobsCopied, BytesHuman(res.BytesCopied))
	if res.PacksScheduled > 0 && !res.Immediate && !o.DryRun {
		fmt.Fprintf(env.Stdout, "scheduled %d pack(s) for deletion: saves that started earlier are still running; the next prune deletes them\n", res.PacksScheduled)
	}
	if res.IntentsDeferred > 0 {
		fmt.Fprintf(env.Stdout, "%d earlier deletion intent(s) still wait for running saves\n", res.IntentsDeferred)
	}
	fmt.Fprintf(env.Stdout, "index: %d segment(s) written, %d removed; %d running save(s), %d stale session marker(s) removed; %s\n",
		res.SegmentsWritten, res.SegmentsRemoved, res.SessionsLive, res.SessionsRemoved, time.Duration(res.DurationSec*float64(time.Second)).Round(time.Millisecond))
	return nil
}
