package cli

import (
	"github.com/urfave/cli/v2"
)

func checkpointCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "checkpoint",
		Usage: "save a pre-deploy checkpoint (files, command output, image digests, CI provenance) for rollback",
		Description: "A checkpoint is a save marked as a checkpoint and named after what it protects (--name production).\n" +
			"'savepoint rollback --name production' restores the newest one. See docs/rollback.md.",
		ArgsUsage: "[PATH...]",
		Flags:     saveFlags(),
		Action: func(c *cli.Context) error {
			if c.String("name") == "" {
				return usagef("checkpoint: give --name (such as production): rollback finds checkpoints by name")
			}
			return runSave(c, env, saveRequest{paths: c.Args().Slice(), checkpoint: true})
		},
	}
}
