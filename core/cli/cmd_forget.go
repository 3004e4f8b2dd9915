package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
)

// ForgetOptions are the options of forget: the core's, which also travel
// to a savepoint server that runs forget itself.
type ForgetOptions = forget.Options

func forgetCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "forget",
		Usage: "remove snapshots by retention rules (data goes with 'prune')",
		Description: `Keep rules are OR-ed and applied per group (snapshot name, plus --group-by keys).
--keep-within-ttl keeps snapshots taken within DURATION of now; --max-size caps each group,
the oldest going first (size: bytes a restore writes). An empty policy is refused.`,
		Flags: append(keepFlags(""),
			&cli.StringSliceFlag{Name: "keep-tag", Usage: "keep snapshots with this `TAG` (repeatable)"},
			&cli.StringFlag{Name: "keep-within-ttl", Usage: "keep snapshots taken within `DURATION` of now (cache TTL)"},
			&cli.StringFlag{Name: "max-size", Usage: "cap each group at `SIZE` (e.g. 10G), oldest first"},
			&cli.StringSliceFlag{Name: "group-by", Usage: "also group by provenance `KEY` (branch, environment; repeatable)"},
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "only consider snapshots with this name"},
			&cli.BoolFlag{Name: "dry-run", Usage: "only list what would be removed, and why"},
		),
	}, bindForget, runForget)
}

// keepFlags are the count and age rules of a retention policy, which forget
// and the forget and prune jobs of 'remote jobs start' share; scope starts
// each usage ("forget, prune: " in a job's flags).
func keepFlags(scope string) []cli.Flag {
	flags := []cli.Flag{&cli.IntFlag{Name: "keep-last", Usage: scope + "keep the `N` newest snapshots"}}
	for _, p := range [][2]string{{"hourly", "hours"}, {"daily", "days"}, {"weekly", "weeks"}, {"monthly", "months"}, {"yearly", "years"}} {
		flags = append(flags, &cli.IntFlag{Name: "keep-" + p[0], Usage: scope + "keep the newest snapshot of each of the last `N` " + p[1]})
	}
	return append(flags, &cli.StringFlag{Name: "keep-within", Usage: scope + "keep snapshots within `DURATION` (e.g. 7d, 2w, 36h) of the group's newest"})
}

func bindForget(c *cli.Context) (ForgetOptions, error) {
	o := ForgetOptions{Name: c.String("name"), DryRun: c.Bool("dry-run")}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	var err error
	o.Policy, err = policyFromFlags(c)
	return o, err
}

// runForget runs forget on the savepoint server when it can (next to its
// storage), else here.
func runForget(ctx context.Context, g *Globals, o ForgetOptions) error {
	res := &forget.Result{}
	if ran, err := onServer(ctx, g, "forget", o, res); ran {
		if err != nil {
			return forgetError(err)
		}
		ranOnServer(g, "forget")
		return printForget(g, res)
	} else if err != nil {
		return err
	}
	err := withRepo(ctx, g, listing, func(repo *repository.Repository) error {
		var err error
		res, err = forget.Run(ctx, repo, o, time.Now())
		return err
	})
	if err != nil {
		return forgetError(err)
	}
	return printForget(g, res)
}

func policyFromFlags(c *cli.Context) (retention.Policy, error) {
	p := retention.Policy{
		Last: c.Int("keep-last"), Hourly: c.Int("keep-hourly"), Daily: c.Int("keep-daily"),
		Weekly: c.Int("keep-weekly"), Monthly: c.Int("keep-monthly"), Yearly: c.Int("keep-yearly"),
		Tags: c.StringSlice("keep-tag"), GroupBy: c.StringSlice("group-by"),
	}
	var err error
	if v := c.String("keep-within"); v != "" {
		if p.Within, err = retention.ParseDuration(v); err != nil {
			return p, usagef("forget: --keep-within: %v", err)
		}
	}
	if v := c.String("keep-within-ttl"); v != "" {
		if p.WithinTTL, err = retention.ParseDuration(v); err != nil {
			return p, usagef("forget: --keep-within-ttl: %v", err)
		}
	}
	if v := c.String("max-size"); v != "" {
		if p.MaxSize, err = retention.ParseSize(v); err != nil {
			return p, usagef("forget: --max-size: %v", err)
		}
	}
	for _, g := range p.GroupBy {
		if g != "branch" && g != "environment" {
			return p, usagef("forget: --group-by %q: use branch or environment", g)
		}
	}
	if p.Empty() {
		return p, usagef("forget: %v (give --keep-last, --keep-daily, --keep-within, --keep-within-ttl, --max-size, ...)", retention.ErrEmptyPolicy)
	}
	return p, nil
}

// ForgetEntry is one snapshot in forget's --json output.
type ForgetEntry = forget.Entry

func forgetError(err error) error {
	if errors.Is(err, forget.ErrPolicy) {
		return usagef("forget: %v", err)
	}
	return err
}

func printForget(g *Globals, res *forget.Result) error {
	env := g.Env
	if g.JSON {
		return printJSON(env.Stdout, res)
	}
	group := ""
	goes := 0
	for _, d := range res.Snapshots {
		if d.Group != group {
			group = d.Group
			fmt.Fprintf(env.Stdout, "group %s\n", group)
		}
		verb := "keep  "
		if !d.Keep {
			verb = "remove"
			goes++
		}
		fmt.Fprintf(env.Stdout, "  %s %s  %s  %s\n", verb, d.ShortID, d.Time.Local().Format("2006-01-02 15:04:05"), strings.Join(d.Reasons, ", "))
	}
	if res.DryRun {
		fmt.Fprintf(env.Stdout, "would remove %d of %d snapshot(s) (dry run)\n", goes, len(res.Snapshots))
	} else {
		fmt.Fprintf(env.Stdout, "removed %d of %d snapshot(s); run 'savepoint prune' to free their data\n", res.Removed, len(res.Snapshots))
	}
	return nil
}
