package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/restore"
)

func restoreCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "restore a snapshot's files into a directory",
		ArgsUsage: "SNAPSHOT",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", EnvVars: []string{"SAVEPOINT_TARGET"}, Usage: "restore into `DIR` (created if missing)"},
			&cli.StringSliceFlag{Name: "include", Aliases: []string{"i"}, Usage: "restore only paths matching `GLOB` (repeatable)"},
			&cli.BoolFlag{Name: "allow-outside-links", Usage: "also restore symlinks pointing outside the target"},
			&cli.BoolFlag{Name: "same-owner", Usage: "restore owners and groups (as root); by default files belong to the restoring user"},
			&cli.BoolFlag{Name: "keep-special-bits", Usage: "restore setuid, setgid and sticky bits; by default they are dropped"},
		},
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 1, 1, "one SNAPSHOT (an ID prefix, latest or NAME:latest)"); err != nil {
				return err
			}
			if c.String("target") == "" {
				return usagef("restore: no target directory: use --target DIR")
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			defer announceReader(c, repo)()
			snap, err := findSnapshot(c, repo, c.Args().Get(0))
			if err != nil {
				return err
			}
			if note := sourcesNotRestored(snap); note != "" {
				if snap.Tree == nil {
					return fmt.Errorf("snapshot %s holds no files: %s", snap.ID.Short(), note)
				}
				fmt.Fprintln(env.Stderr, "savepoint: note: "+note)
			}
			rep := newReporter(env, c.Bool("quiet"))
			res, err := restore.Run(c.Context, repo, snap, restore.Options{
				Target: c.String("target"), Includes: c.StringSlice("include"),
				AllowOutsideLinks: c.Bool("allow-outside-links"), Reporter: rep,
				SameOwner: c.Bool("same-owner"), KeepSpecialBits: c.Bool("keep-special-bits"),
			})
			rep.Done()
			if err != nil && !errors.Is(err, restore.ErrRefused) {
				return err
			}
			if c.Bool("json") {
				if perr := printJSON(env.Stdout, map[string]any{"snapshot": snap.ID.String(), "target": c.String("target"), "result": res}); perr != nil {
					return perr
				}
			} else {
				fmt.Fprintf(env.Stdout, "restored snapshot %s into %s\n", snap.ID.Short(), c.String("target"))
				fmt.Fprintf(env.Stdout, "  files          %d, directories %d, symlinks %d\n", res.Files, res.Dirs, res.Symlinks)
				fmt.Fprintf(env.Stdout, "  bytes          %s\n", BytesHuman(res.Bytes))
				fmt.Fprintf(env.Stdout, "  duration       %.2fs\n", res.DurationSec)
				fmt.Fprintf(env.Stdout, "  requests       %s\n", RequestsHuman(res.Requests))
				printRefused(env.Stdout, res.Refused)
			}
			if derr := writeDotenv(c, restoreDotenv(snap, c.String("target"), res)); derr != nil {
				return derr
			}
			if err != nil {
				if !c.Bool("json") { // the summary lists them; with --json the message names a few too
					what := "entries"
					if len(res.Refused) == 1 {
						what = "entry"
					}
					err = fmt.Errorf("%d %s %w (listed above)", len(res.Refused), what, restore.ErrRefused)
				}
				return exitError{ExitPartial, err}
			}
			return nil
		},
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
