package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
)

// RemoteJobStartOptions are the options of `savepoint remote jobs start`.
// The repository and the token are the global flags' (--repo
// https://HOST/NAME, --token-file or SAVEPOINT_TOKEN).
type RemoteJobStartOptions struct {
	Spec jobs.Spec
	Wait bool // follow the job to its end; the exit code is its outcome's
}

// RemoteJobOptions are the options of `savepoint remote jobs status` and
// `cancel`.
type RemoteJobOptions struct {
	ID   string
	Wait bool
}

// RemoteListOptions are the options of `savepoint remote jobs list` and
// `remote schedules list`.
type RemoteListOptions struct {
	All bool // every repository the token covers, not only --repo's
}

// RemoteScheduleAddOptions are the options of `savepoint remote
// schedules add`.
type RemoteScheduleAddOptions struct {
	Cron string
	Spec jobs.Spec
}

// RemoteScheduleRemoveOptions are the options of `savepoint remote
// schedules remove`.
type RemoteScheduleRemoveOptions struct {
	ID string
}

// remoteCommand groups the commands that drive a savepoint server's
// management API (docs/server.md, "Jobs and schedules").
func remoteCommand() *cli.Command {
	waitFlag := &cli.BoolFlag{Name: "wait", Usage: "follow the job to its end, with progress on stderr; exit with its outcome's code"}
	return group("remote", "drive a savepoint server: background jobs and schedules (--repo https://HOST/NAME)",
		group("jobs", "start, follow, cancel and list the server's background jobs",
			define(&cli.Command{
				Name:      "start",
				Usage:     "start a job on the server: save, verify, forget, prune, restore or sync",
				ArgsUsage: "KIND [PATH... | SNAPSHOT]",
				Description: `save PATH...: paths on the server host (and/or --command NAME=COMMAND run there);
restore SNAPSHOT --target DIR: into a directory on the server host;
forget needs --keep-*; prune with --keep-* forgets by them first;
sync --from-repo URL --from-token-file F --from-password-file F (--last K | --all): pull
snapshots from another savepoint server, then forget by --keep-* when given.
Without --wait it prints the job ID and returns at once (fire and forget).`,
				Flags: append(jobSpecFlags(), waitFlag),
			}, bindRemoteJobStart, runRemoteJobStart),
			define(&cli.Command{
				Name:      "status",
				Usage:     "show a job: state, progress, log",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{waitFlag},
			}, bindRemoteJob, runRemoteJobStatus),
			define(&cli.Command{
				Name:      "cancel",
				Usage:     "cancel a running job (nothing partial is committed)",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{&cli.BoolFlag{Name: "wait", Usage: "wait until the job has stopped"}},
			}, bindRemoteJob, runRemoteJobCancel),
			define(&cli.Command{
				Name:  "list",
				Usage: "list the jobs of the repository, newest first",
				Flags: []cli.Flag{allFlag()},
			}, bindRemoteList, runRemoteJobList),
		),
		group("schedules", "list, add and remove the server's job schedules",
			define(&cli.Command{
				Name:  "list",
				Usage: "list the schedules of the repository with their next run times",
				Flags: []cli.Flag{allFlag()},
			}, bindRemoteList, runRemoteScheduleList),
			define(&cli.Command{
				Name:        "add",
				Usage:       "start a job on a cron schedule",
				ArgsUsage:   "KIND [PATH... | SNAPSHOT]",
				Description: "--cron '0 3 * * *' (UTC; five fields, @daily, @every 6h, or CRON_TZ=ZONE first).",
				Flags:       append(jobSpecFlags(), &cli.StringFlag{Name: "cron", Usage: "the cron `EXPRESSION`"}),
			}, bindRemoteScheduleAdd, runRemoteScheduleAdd),
			define(&cli.Command{
				Name:      "remove",
				Usage:     "remove a schedule (the jobs it started stay)",
				ArgsUsage: "ID",
			}, bindRemoteScheduleRemove, runRemoteScheduleRemove),
		),
	)
}

func allFlag() cli.Flag {
	return &cli.BoolFlag{Name: "all", Usage: "every repository the token covers, not only --repo's"}
}

// jobSpecFlags are the flags of a job's spec, for each kind.
func jobSpecFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "save: the snapshot's `NAME`; forget, prune: only snapshots with this name"},
		&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "save: add a tag (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude", Aliases: []string{"e"}, Usage: "save: exclude paths matching `GLOB` (repeatable)"},
		&cli.StringSliceFlag{Name: "command", Usage: "save: store the output of `NAME=COMMAND`, run on the server host (repeatable)"},
		&cli.BoolFlag{Name: "checkpoint", Usage: "save: mark the snapshot as a checkpoint"},
		&cli.BoolFlag{Name: "read-data", Usage: "verify: read every pack"},
		&cli.StringFlag{Name: "read-data-subset", Usage: "verify: read `PERCENT` of the packs"},
		&cli.BoolFlag{Name: "dry-run", Usage: "forget, prune: decide and report, change nothing"},
		&cli.StringFlag{Name: "grace", Usage: "prune: never delete unused data younger than `DURATION` (default 24h)"},
		&cli.StringFlag{Name: "max-unused", Usage: "prune: repack packs with more than `PERCENT` unused"},
		&cli.StringFlag{Name: "target", Usage: "restore: into `DIR` on the server host"},
		&cli.StringSliceFlag{Name: "include", Aliases: []string{"i"}, Usage: "restore: only paths matching `GLOB` (repeatable)"},
		&cli.StringFlag{Name: "from-repo", Usage: "sync: pull from the repository at `URL` https://HOST[:PORT]/NAME on another savepoint server"},
		&cli.StringFlag{Name: "from-token-file", Usage: "sync: `FILE` on the server host holding a read token of the source server"},
		&cli.StringFlag{Name: "from-password-file", Usage: "sync: `FILE` on the server host holding the source repository's password"},
		&cli.StringFlag{Name: "from-ca-file", Usage: "sync: PEM `FILE` on the server host of CA certificates to trust for the source server"},
		&cli.IntFlag{Name: "last", Usage: "sync: the newest `K` snapshots of each name (with --name: of that name), as copy --last"},
		&cli.BoolFlag{Name: "all", Usage: "sync: every snapshot (with --name: of that name)"},
	}, keepFlags("forget, prune: ")...)
}
