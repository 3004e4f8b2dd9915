package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// MigrateOptions are the options of migrate.
type MigrateOptions struct {
	DryRun bool
}

// MigrateJSON is what 'savepoint --json migrate' prints (docs/json.md).
type MigrateJSON struct {
	Repository string `json:"repository"`
	From       int    `json:"from"`
	To         int    `json:"to"`
	Changed    bool   `json:"changed"`
	DryRun     bool   `json:"dry_run,omitempty"`
}

func migrateCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "migrate",
		Usage: "raise the repository's format version to the newest this savepoint writes",
		Description: `Version 2 compresses small files together (docs/FORMAT.md). Only the config changes:
data already stored is kept and read as before, new data is written in the new format,
and savepoint releases that only know the old version can no longer open the repository.
Through a savepoint server it needs a token with role admin.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would change, change nothing"},
		},
	}, bindMigrate, runMigrate)
}

func bindMigrate(c *cli.Context) (MigrateOptions, error) {
	return MigrateOptions{DryRun: c.Bool("dry-run")}, needArgs(c, 0, 0, "no arguments")
}

func runMigrate(ctx context.Context, g *Globals, o MigrateOptions) error {
	var res MigrateJSON
	err := withRepo(ctx, g, listing, func(repo *repository.Repository) error {
		from, err := repo.Migrate(ctx, o.DryRun)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		res = MigrateJSON{Repository: repo.Backend().Location(), From: from, To: repository.FormatVersion,
			Changed: from < repository.FormatVersion && !o.DryRun, DryRun: o.DryRun}
		return nil
	})
	if err != nil {
		return err
	}
	w := g.Env.Stdout
	if g.JSON {
		return printJSON(w, res)
	}
	switch {
	case res.From >= repository.FormatVersion:
		fmt.Fprintf(w, "repository at %s is already at format version %d: nothing to do\n", res.Repository, res.From)
	case o.DryRun:
		fmt.Fprintf(w, "would migrate the repository at %s from format version %d to %d (dry run: nothing changed)\n", res.Repository, res.From, res.To)
	default:
		fmt.Fprintf(w, "migrated the repository at %s from format version %d to %d: new data is written in the new format, stored data is kept as it is\n", res.Repository, res.From, res.To)
	}
	return nil
}
