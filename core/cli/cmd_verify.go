package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/verify"
)

func verifyCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check the repository: structure by default, pack data on request",
		Description: "Snapshots that fail are recorded and never used as a parent by save.\n" +
			"Exit status 1 when a problem is found.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "read-data", Usage: "read every pack and check every blob"},
			&cli.StringFlag{Name: "read-data-subset", Usage: "read `PERCENT` of the packs, chosen at random (e.g. 5%)"},
			&cli.BoolFlag{Name: "no-record", Usage: "do not record failed snapshots"},
		},
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			o := verify.Options{ReadData: c.Bool("read-data"), NoRecord: c.Bool("no-record")}
			if v := c.String("read-data-subset"); v != "" {
				pct, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
				if err != nil || pct <= 0 || pct > 100 {
					return usagef("verify: --read-data-subset %q: give a percentage above 0 and at most 100", v)
				}
				o.ReadDataSubset = pct / 100
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			res, err := verify.Run(c.Context, repo, o)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				if err := printJSON(env.Stdout, res); err != nil {
					return err
				}
			} else {
				for _, p := range res.Problems {
					fmt.Fprintln(env.Stdout, "problem: "+p.String())
				}
				fmt.Fprintf(env.Stdout, "%d snapshot(s), %d tree(s), %d blob(s) in %d pack(s) checked", res.Snapshots, res.Trees, res.Blobs, res.Packs)
				if res.PacksRead > 0 {
					fmt.Fprintf(env.Stdout, "; read %d pack(s), %s", res.PacksRead, BytesHuman(res.BytesRead))
				}
				fmt.Fprintln(env.Stdout)
				if res.Unindexed > 0 {
					fmt.Fprintf(env.Stdout, "%d unindexed pack(s): left by interrupted saves or waiting for deletion; prune removes them\n", res.Unindexed)
				}
			}
			if !res.OK() {
				return fmt.Errorf("verify found %d problem(s) in %d snapshot(s)", len(res.Problems), len(res.Failed))
			}
			if !c.Bool("json") {
				fmt.Fprintln(env.Stdout, "no problems found")
			}
			return nil
		},
	}
}
