package cli

import (
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
)

// bindJobSpec reads a job's kind (the first argument), its other
// arguments and the flags of jobSpecFlags; the server checks the spec
// again (jobs.Spec.Check), its refusal is a usage error here.
func bindJobSpec(c *cli.Context) (jobs.Spec, error) {
	name := commandName(c)
	if c.NArg() == 0 {
		return jobs.Spec{}, usagef("%s: give the job's KIND: save, verify, forget, prune, restore or sync (see 'savepoint %s --help')", name, name)
	}
	s := jobs.Spec{Kind: jobs.Kind(c.Args().First()), Name: c.String("name"), Tags: c.StringSlice("tag"),
		Excludes: c.StringSlice("exclude"), Checkpoint: c.Bool("checkpoint"), ReadData: c.Bool("read-data"),
		DryRun: c.Bool("dry-run"), Grace: c.String("grace"), Target: c.String("target"), Includes: c.StringSlice("include"),
		Latest: c.Int("last"), All: c.Bool("all")}
	s.From = jobs.SyncSource{Repo: c.String("from-repo"), TokenFile: c.String("from-token-file"),
		PasswordFile: c.String("from-password-file"), CAFile: c.String("from-ca-file")}
	args := c.Args().Slice()[1:]
	switch s.Kind {
	case jobs.KindSave:
		for _, p := range args {
			// Paths are on the server host: a relative one would be
			// relative to where the server runs.
			if !filepath.IsAbs(p) {
				return s, usagef("%s save: %q: give absolute paths (they are on the server host)", name, p)
			}
		}
		s.Paths = args
	case jobs.KindRestore:
		if len(args) != 1 {
			return s, usagef("%s restore: give one SNAPSHOT and --target DIR", name)
		}
		s.Snapshot = args[0]
	default:
		if len(args) > 0 {
			return s, usagef("%s %s: no arguments besides the kind", name, s.Kind)
		}
	}
	for _, v := range c.StringSlice("command") {
		sp, err := parseSpec("command", v)
		if err != nil {
			return s, err
		}
		s.Commands = append(s.Commands, jobs.Command{Name: sp.Name, Command: sp.Value})
	}
	var err error
	if s.ReadDataSubset, err = readDataSubsetFlag(c, name); err != nil {
		return s, err
	}
	if c.String("max-unused") != "" {
		if s.MaxUnused, err = maxUnusedFlag(c, name); err != nil {
			return s, err
		}
	}
	k := jobs.Keep{Last: c.Int("keep-last"), Hourly: c.Int("keep-hourly"), Daily: c.Int("keep-daily"), Weekly: c.Int("keep-weekly"),
		Monthly: c.Int("keep-monthly"), Yearly: c.Int("keep-yearly"), Within: c.String("keep-within")}
	if k != (jobs.Keep{}) {
		s.Keep = &k
	}
	if err := s.Check(); err != nil {
		return s, usagef("%s: %v", name, err)
	}
	return s, nil
}

func bindRemoteJobStart(c *cli.Context) (RemoteJobStartOptions, error) {
	s, err := bindJobSpec(c)
	return RemoteJobStartOptions{Spec: s, Wait: c.Bool("wait")}, err
}

func bindRemoteJob(c *cli.Context) (RemoteJobOptions, error) {
	return RemoteJobOptions{ID: c.Args().First(), Wait: c.Bool("wait")}, needArgs(c, 1, 1, "one job ID (see 'savepoint remote jobs list')")
}

func bindRemoteList(c *cli.Context) (RemoteListOptions, error) {
	return RemoteListOptions{All: c.Bool("all")}, needArgs(c, 0, 0, "no arguments")
}

func bindRemoteScheduleAdd(c *cli.Context) (RemoteScheduleAddOptions, error) {
	o := RemoteScheduleAddOptions{Cron: c.String("cron")}
	if o.Cron == "" {
		return o, usagef("remote schedules add: give --cron EXPRESSION (such as '0 3 * * *')")
	}
	var err error
	o.Spec, err = bindJobSpec(c)
	return o, err
}

func bindRemoteScheduleRemove(c *cli.Context) (RemoteScheduleRemoveOptions, error) {
	return RemoteScheduleRemoveOptions{ID: c.Args().First()}, needArgs(c, 1, 1, "one schedule ID (see 'savepoint remote schedules list')")
}
