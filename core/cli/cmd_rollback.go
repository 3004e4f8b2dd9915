package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// RollbackOptions are the options of rollback.
type RollbackOptions struct {
	Select rollback.Selector
	Plan   rollback.PlanOptions
	DryRun bool
	Image  ImageOptions
	// SameOwner and KeepSpecialBits are restore's, for the files step.
	SameOwner, KeepSpecialBits bool
}

func rollbackCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "rollback",
		Usage: "put back what a checkpoint captured: files, databases (restore commands), image tags",
		Description: `Without --to or --before-commit, rolls back to the newest checkpoint of --name.
--before-commit SHA picks the oldest checkpoint of --name taken by commit SHA's pipeline:
the state from just before SHA was deployed. Prints the plan, then applies it step by step;
the first failing step stops the rollback. See docs/rollback.md.`,
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
			&cli.BoolFlag{Name: "same-owner", Usage: "restore files' owners and groups (as root), as restore --same-owner"},
			&cli.BoolFlag{Name: "keep-special-bits", Usage: "restore setuid, setgid and sticky bits, as restore --keep-special-bits"},
		}, imageFlags()...),
	}, bindRollback, runRollback)
}

func bindRollback(c *cli.Context) (RollbackOptions, error) {
	o := RollbackOptions{
		Select: rollback.Selector{Name: c.String("name"), To: c.String("to"), BeforeCommit: c.String("before-commit")},
		Plan: rollback.PlanOptions{Target: c.String("target"),
			NoFiles: c.Bool("no-files"), NoCommands: c.Bool("no-commands"), NoImages: c.Bool("no-images")},
		DryRun:    c.Bool("dry-run"),
		SameOwner: c.Bool("same-owner"), KeepSpecialBits: c.Bool("keep-special-bits"),
	}
	if err := needArgs(c, 0, 0, "no arguments (use --name, --to or --before-commit)"); err != nil {
		return o, err
	}
	if o.Select.To != "" && o.Select.BeforeCommit != "" {
		return o, usagef("rollback: give --to or --before-commit, not both")
	}
	var err error
	if o.Plan.RestoreCommands, err = bindRestoreCommands(c); err != nil {
		return o, err
	}
	o.Image, err = bindImage(c)
	return o, err
}

func runRollback(ctx context.Context, g *Globals, o RollbackOptions) error {
	return withSnapshotList(ctx, g, reading, func(repo *repository.Repository, list []*snapshot.Snapshot) error {
		snap, err := rollback.Select(list, o.Select)
		if err != nil {
			return err
		}
		plan, err := rollback.NewPlan(snap, o.Plan)
		if err != nil {
			return err
		}
		w := g.Env.Stdout
		if o.DryRun {
			if g.JSON {
				return printJSON(w, map[string]any{"dry_run": true, "plan": plan})
			}
			printPlan(w, snap, plan)
			return nil
		}
		if !g.JSON {
			printPlan(w, snap, plan)
			fmt.Fprintln(w, "applying:")
		}
		ic, err := imageClient(g, o.Image)
		if err != nil {
			return err
		}
		var cmdOut io.Writer = g.Env.Stderr
		if g.Quiet {
			cmdOut = nil
		}
		n := len(plan.Steps)
		rep := newReporter(g.Env, g.Quiet)
		report, aerr := rollback.Apply(ctx, repo, snap, plan, rollback.ApplyOptions{
			Images: ic, Stdout: cmdOut, Stderr: cmdOut, Env: childEnv(o.Image, g.OCI), Reporter: rep,
			SameOwner: o.SameOwner, KeepSpecialBits: o.KeepSpecialBits,
			StepDone: func(i int, r rollback.StepResult) {
				rep.Done() // clear the progress line before the step's line
				if !g.JSON {
					printStep(w, i, n, r)
				}
			},
		})
		rep.Done()
		ran, failed, notRun := report.Counts()
		if g.JSON {
			if perr := printJSON(w, map[string]any{"plan": plan, "report": report}); perr != nil {
				return perr
			}
		} else {
			for i, r := range report.Steps {
				if r.Status == rollback.StatusNotRun {
					printStep(w, i, n, r)
				}
			}
			fmt.Fprintf(w, "%d step(s) ran, %d failed, %d not run\n", ran, failed, notRun)
		}
		if aerr != nil {
			return fmt.Errorf("rollback to %s stopped: %w", snap.ID.Short(), aerr)
		}
		return writeDotenv(g, snapshotRefDotenv(snap))
	})
}

func printPlan(w io.Writer, snap *snapshot.Snapshot, p *rollback.Plan) {
	fmt.Fprintf(w, "rollback to %s of %s", snapshotTitle(snap), snap.Time.Local().Format("2006-01-02 15:04:05"))
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
		line += ": " + OneLine(r.Error)
	}
	fmt.Fprintln(w, line)
}
