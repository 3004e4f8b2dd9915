package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/verify"
)

// VerifyOptions are the options of verify.
type VerifyOptions struct {
	verify.Options
}

func verifyCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "verify",
		Usage: "check the repository: structure by default, pack data on request",
		Description: `Snapshots that fail are recorded and never used as a parent by save.
Exit status 1 when a problem is found.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "read-data", Usage: "read every pack and check every blob"},
			&cli.StringFlag{Name: "read-data-subset", Usage: "read `PERCENT` of the packs, chosen at random (e.g. 5%)"},
			&cli.BoolFlag{Name: "no-record", Usage: "do not record failed snapshots"},
		},
	}, bindVerify, runVerify)
}

func bindVerify(c *cli.Context) (VerifyOptions, error) {
	o := VerifyOptions{verify.Options{ReadData: c.Bool("read-data"), NoRecord: c.Bool("no-record")}}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	var err error
	o.ReadDataSubset, err = readDataSubsetFlag(c, "verify")
	return o, err
}

// readDataSubsetFlag reads --read-data-subset PERCENT as the fraction of
// the packs to read, above 0 and at most 1 (0: not given); cmd starts the
// error.
func readDataSubsetFlag(c *cli.Context, cmd string) (float64, error) {
	v := c.String("read-data-subset")
	if v == "" {
		return 0, nil
	}
	if f, ok := parsePercent(v); ok && f > 0 {
		return f, nil
	}
	return 0, usagef("%s: --read-data-subset %q: give a percentage above 0 and at most 100", cmd, v)
}

// parsePercent reads a PERCENT ("5%" or "5") as a fraction (0.05); false
// unless it is a number from 0 to 100.
func parsePercent(v string) (float64, bool) {
	pct, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil || pct < 0 || pct > 100 {
		return 0, false
	}
	return pct / 100, true
}

func runVerify(ctx context.Context, g *Globals, o VerifyOptions) error {
	var res *verify.Result
	err := withRepo(ctx, g, listing, func(repo *repository.Repository) error {
		var err error
		res, err = verify.Run(ctx, repo, o.Options)
		return err
	})
	if err != nil {
		return err
	}
	w := g.Env.Stdout
	if g.JSON {
		if err := printJSON(w, res); err != nil {
			return err
		}
	} else {
		for _, p := range res.Problems {
			fmt.Fprintln(w, "problem: "+p.String())
		}
		fmt.Fprintf(w, "%d snapshot(s), %d tree(s), %d blob(s) in %d pack(s) checked", res.Snapshots, res.Trees, res.Blobs, res.Packs)
		if res.PacksRead > 0 {
			fmt.Fprintf(w, "; read %d pack(s), %s", res.PacksRead, BytesHuman(res.BytesRead))
		}
		fmt.Fprintln(w)
		if res.Unindexed > 0 {
			fmt.Fprintf(w, "%d unindexed pack(s): left by interrupted saves or waiting for deletion; prune removes them\n", res.Unindexed)
		}
	}
	if !res.OK() {
		return fmt.Errorf("verify found %d problem(s) in %d snapshot(s)", len(res.Problems), len(res.Failed))
	}
	if !g.JSON {
		fmt.Fprintln(w, "no problems found")
	}
	return nil
}
