package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

func snapshotsCommand(env Env) *cli.Command {
	return &cli.Command{
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
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			prov, err := provenanceFilter(c)
			if err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			list, err := snapshot.List(c.Context, repo)
			if err != nil {
				return err
			}
			sel := snapshot.Select(list, snapshot.Filter{Name: c.String("name"), Tags: c.StringSlice("tag"), Provenance: prov})
			if c.Bool("checkpoints") {
				sel = onlyCheckpoints(sel)
			}
			if c.Bool("latest") && len(sel) > 1 {
				sel = sel[len(sel)-1:]
			}
			if c.Bool("json") {
				out := make([]SnapshotJSON, 0, len(sel))
				for _, s := range sel {
					out = append(out, ToJSON(s))
				}
				return printJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
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
			fmt.Fprintf(env.Stdout, "%d snapshot(s)\n", len(sel))
			return nil
		},
	}
}

func describeSources(s *snapshot.Snapshot) string {
	parts := append([]string{}, s.Paths...)
	for _, src := range s.Sources {
		parts = append(parts, src.Kind+":"+src.Name)
	}
	return strings.Join(parts, " ")
}

// findSnapshot resolves a snapshot reference given on the command line.
func findSnapshot(c *cli.Context, repo *repository.Repository, ref string) (*snapshot.Snapshot, error) {
	list, err := snapshot.List(c.Context, repo)
	if err != nil {
		return nil, err
	}
	return snapshot.Find(list, ref)
}
