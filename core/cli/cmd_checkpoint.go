package cli

import (
	"github.com/urfave/cli/v2"
)

func checkpointCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "checkpoint",
		Usage: "save a pre-deploy checkpoint (files, command output, image digests, CI provenance) for rollback",
		Description: `A checkpoint is a save marked as a checkpoint and named after what it protects (--name production).
'savepoint rollback --name production' restores the newest one. See docs/rollback.md.`,
		ArgsUsage: "[PATH...]",
		Flags:     saveFlags(),
	}, bindCheckpoint, runSave)
}

func bindCheckpoint(c *cli.Context) (SaveOptions, error) {
	if c.String("name") == "" {
		return SaveOptions{}, usagef("checkpoint: give --name (such as production): rollback finds checkpoints by name")
	}
	o, err := bindSave(c)
	o.Checkpoint = true
	return o, err
}
