package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

func rollbackCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "rollback",
		Usage: "put back what a checkpoint captured: files, databases (restore commands), image tags",
		Description: "Without --to or --before-commit, rolls back to the newest checkpoint of --name.\n" +
			"--before-commit SHA picks the oldest checkpoint of --name taken by commit SHA's pipeline:\n" +
			"the state from just before SHA was deployed. Prints the plan, then applies it step by step;\n" +
			"the first failing step stops the rollback. See docs/rollback.md.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, EnvVars: []string{"SAVEPOINT_NAME"}, Usage: "checkpoint name, such as production"},
			&cli.StringFlag{Name: "to", Usage: "roll back to `SNAPSHOT` (an ID prefix, latest or NAME:latest)"},
			&cli.StringFlag{Name: "before-commit", Usage: "roll back to the state from before commit `SHA` was deployed"},
			&cli.StringFlag{Name: "target", EnvVars: []string{"SAVEPOINT_TARGET"}, Value: ".", Usage: "restore files into `DIR`"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan only"},
			&cli.StringSliceFlag{Name: "restore-command", Usage: "set or replace the restore command of a source: `NAME=COMMAND` (repeatable)"},
			&cli.BoolFlag{Name: "no-files", Usage: "leave files alone"},
			&cli.BoolFlag{Name: "no-commands", Usage: "run no restore commands"},
			&cli.BoolFlag{Name: "no-images", Usage: "leave image tags alone"},
		}, imageFlags()...),
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments (use --name, --to or --before-commit)"); err != nil {
				return err
			}
			if c.String("to") != "" && c.String("before-commit") != "" {
				return usagef("rollback: give --to or --before-commit, not both")
			}
			restores, err := parseRestoreCommands(c)
			if err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			defer announceReader(c, repo)()
			list, err := snapshot.List(c.Context, repo)
			if err != nil {
				return err
			}
			snap, err := rollback.Select(list, rollback.Selector{Name: c.String("name"), To: c.String("to"), BeforeCommit: c.String("before-commit")})
			if err != nil {
				return err
			}
			plan, err := rollback.NewPlan(snap, rollback.PlanOptions{
				Target: c.String("target"), RestoreCommands: restores,
				NoFiles: c.Bool("no-files"), NoCommands: c.Bool("no-commands"), NoImages: c.Bool("no-images"),
			})
			if err != nil {
				return err
			}
			jsonOut := c.Bool("json")
			if c.Bool("dry-run") {
				if jsonOut {
					return printJSON(env.Stdout, map[string]any{"dry_run": true, "plan": plan})
				}
				printPlan(env.Stdout, snap, plan)
				return nil
			}
			if !jsonOut {
				printPlan(env.Stdout, snap, plan)
				fmt.Fprintln(env.Stdout, "applying:")
			}
			ic, err := imageClient(c, env)
			if err != nil {
				return err
			}
			var cmdOut io.Writer = env.Stderr
			if c.Bool("quiet") {
				cmdOut = nil
			}
			n := len(plan.Steps)
			rep := newReporter(env, c.Bool("quiet"))
			report, aerr := rollback.Apply(c.Context, repo, snap, plan, rollback.ApplyOptions{
				Images: ic, Stdout: cmdOut, Stderr: cmdOut, Env: childEnv(c), Reporter: rep,
				StepDone: func(i int, r rollback.StepResult) {
					rep.Done() // clear the progress line before the step's line
					if !jsonOut {
						printStep(env.Stdout, i, n, r)
					}
				},
			})
			rep.Done()
			ran, failed, notRun := report.Counts()
			if jsonOut {
				if perr := printJSON(env.Stdout, map[string]any{"plan": plan, "report": report}); perr != nil {
					return perr
				}
			} else {
				for i, r := range report.Steps {
					if r.Status == rollback.StatusNotRun {
						printStep(env.Stdout, i, n, r)
					}
				}
				fmt.Fprintf(env.Stdout, "%d step(s) ran, %d failed, %d not run\n", ran, failed, notRun)
			}
			if aerr != nil {
				return fmt.Errorf("rollback to %s stopped: %v", snap.ID.Short(), aerr)
			}
			return writeDotenv(c, snapshotRefDotenv(snap))
		},
	}
}

func printPlan(w io.Writer, snap *snapshot.Snapshot, p *rollback.Plan) {
	kind := "snapshot"
	if snap.Checkpoint {
		kind = "checkpoint"
	}
	fmt.Fprintf(w, "rollback to %s %s", kind, snap.ID.Short())
	if snap.Name != "" {
		fmt.Fprintf(w, " (%s)", snap.Name)
	}
	fmt.Fprintf(w, " of %s", snap.Time.Local().Format("2006-01-02 15:04:05"))
	var prov []string
	for _, k := range []string{"commit", "branch", "environment", "pipeline_url"} {
		if v := snap.Provenance[k]; v != "" {
			prov = append(prov, k+" "+v)
		}
	}
	if len(prov) > 0 {
		fmt.Fprintf(w, ", %s", strings.Join(prov, ", "))
	}
	fmt.Fprintln(w)
	if len(p.Steps) == 0 {
		fmt.Fprintln(w, "  nothing to do")
	}
	for i, st := range p.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, st.Description)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func printStep(w io.Writer, i, n int, r rollback.StepResult) {
	line := fmt.Sprintf("  [%d/%d] %-9s %s", i+1, n, r.Status, r.Description)
	if r.Error != "" {
		line += ": " + oneLine(r.Error)
	}
	fmt.Fprintln(w, line)
}
