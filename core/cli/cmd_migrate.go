package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// migrateOptions are the settings of 'savepoint migrate'.
type migrateOptions struct {
	DryRun bool
	JSON   bool
}

// MigrateJSON is what 'savepoint --json migrate' prints (docs/json.md).
type MigrateJSON struct {
	Repository string `json:"repository"`
	From       int    `json:"from"`
	To         int    `json:"to"`
	Changed    bool   `json:"changed"`
	DryRun     bool   `json:"dry_run,omitempty"`
}

func migrateCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "raise the repository's format version to the newest this savepoint writes",
		Description: "Version 2 compresses small files together (docs/FORMAT.md). Only the config changes:\n" +
			"data already stored is kept and read as before, new data is written in the new format,\n" +
			"and savepoint releases that only know the old version can no longer open the repository.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would change, change nothing"},
		},
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			return runMigrate(c.Context, env, repo, migrateOptions{DryRun: c.Bool("dry-run"), JSON: c.Bool("json")})
		},
	}
}

// runMigrate migrates an open repository and reports it.
func runMigrate(ctx context.Context, env Env, repo *repository.Repository, o migrateOptions) error {
	from, err := repo.Migrate(ctx, o.DryRun)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	res := MigrateJSON{Repository: repo.Backend().Location(), From: from, To: repository.FormatVersion,
		Changed: from < repository.FormatVersion && !o.DryRun, DryRun: o.DryRun}
	if o.JSON {
		return printJSON(env.Stdout, res)
	}
	switch {
	case from >= repository.FormatVersion:
		fmt.Fprintf(env.Stdout, "repository at %s is already at format version %d: nothing to do\n", res.Repository, from)
	case o.DryRun:
		fmt.Fprintf(env.Stdout, "would migrate the repository at %s from format version %d to %d (dry run: nothing changed)\n", res.Repository, from, res.To)
	default:
		fmt.Fprintf(env.Stdout, "migrated the repository at %s from format version %d to %d: new data is written in the new format, stored data is kept as it is\n", res.Repository, from, res.To)
	}
	return nil
}
