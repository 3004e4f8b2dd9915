package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/provenance"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/verify"
)

func saveFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "name", Aliases: []string{"n"}, EnvVars: []string{"SAVEPOINT_NAME"}, Usage: "snapshot name, a key such as production or node-cache"},
		&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "add a tag (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude", Aliases: []string{"e"}, Usage: "exclude paths matching `GLOB` (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude-file", Usage: "read exclude patterns from `FILE` (repeatable)"},
		&cli.StringFlag{Name: "host", EnvVars: []string{"SAVEPOINT_HOST"}, Usage: "hostname to record (default: this host)"},
		&cli.BoolFlag{Name: "no-parent", Usage: "read every file, ignoring the previous snapshot"},
	}, append(captureFlags(), provenanceFlags()...)...)
}

func saveCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "save",
		Usage:     "save paths as a new snapshot",
		ArgsUsage: "[PATH...]",
		Flags:     saveFlags(),
		Action: func(c *cli.Context) error {
			return runSave(c, env, saveRequest{paths: c.Args().Slice()})
		},
	}
}

// saveRequest is what save and checkpoint have in common.
type saveRequest struct {
	paths      []string
	checkpoint bool
	provenance map[string]string
	sources    []snapshot.Source
}

func runSave(c *cli.Context, env Env, req saveRequest) error {
	specs, err := parseCaptureFlags(c)
	if err != nil {
		return err
	}
	if len(req.paths) == 0 && specs.empty() {
		return usagef("%s: give at least one PATH, --command, --stdin or --image (see 'savepoint %s --help')", c.Command.Name, c.Command.Name)
	}
	if req.provenance == nil {
		req.provenance = provenance.Detect(env.Getenv)
	}
	excludes := c.StringSlice("exclude")
	for _, f := range c.StringSlice("exclude-file") {
		more, err := save.ReadPatternFile(f)
		if err != nil {
			return err
		}
		excludes = append(excludes, more...)
	}
	prov, err := provenanceFromFlags(c, req.provenance)
	if err != nil {
		return err
	}
	req.provenance = prov
	repo, err := openRepo(c, env)
	if err != nil {
		return err
	}
	defer repo.Close()
	started := time.Now()
	sources, err := captureSources(c, env, repo, specs)
	if err != nil {
		return err
	}
	req.sources = append(req.sources, sources...)
	host := c.String("host")
	if host == "" {
		host, _ = os.Hostname()
	}
	var parent *snapshot.Snapshot
	if !c.Bool("no-parent") {
		if parent, err = findParent(c, repo, c.String("name"), req.paths); err != nil {
			return err
		}
	}
	rep := newReporter(env, c.Bool("quiet"))
	snap, err := save.Run(c.Context, repo, save.Options{
		Paths: req.paths, Excludes: excludes, Name: c.String("name"), Tags: c.StringSlice("tag"),
		Hostname: host, Parent: parent, Checkpoint: req.checkpoint, Provenance: req.provenance,
		Sources: req.sources, Program: "savepoint " + c.App.Version, Reporter: rep,
		Started: started,
	})
	rep.Done()
	if snap == nil {
		return err
	}
	if c.Bool("json") {
		if perr := printJSON(env.Stdout, ToJSON(snap)); perr != nil {
			return perr
		}
	} else {
		kind := "snapshot"
		if snap.Checkpoint {
			kind = "checkpoint"
		}
		fmt.Fprintf(env.Stdout, "saved %s %s", kind, snap.ID.Short())
		if snap.Name != "" {
			fmt.Fprintf(env.Stdout, " (%s)", snap.Name)
		}
		if parent != nil {
			fmt.Fprintf(env.Stdout, ", parent %s", parent.ID.Short())
		}
		fmt.Fprintln(env.Stdout)
		printStats(env.Stdout, snap)
	}
	if derr := writeDotenv(c, snapshotDotenv(snap)); derr != nil {
		return derr
	}
	if errors.Is(err, save.ErrPartial) {
		return exitError{ExitPartial, err}
	}
	return err
}

// findParent picks the newest snapshot with the same name and paths, the
// base for change detection. Only snapshots whose paths match can help.
func findParent(c *cli.Context, repo *repository.Repository, name string, paths []string) (*snapshot.Snapshot, error) {
	list, err := snapshot.List(c.Context, repo)
	if err != nil {
		return nil, err
	}
	failed, err := verify.FailedSnapshots(c.Context, repo.Backend())
	if err != nil {
		return nil, err
	}
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		if s.Name == name && s.Tree != nil && usableParent(s, failed) && slices.Equal(s.Paths, storedPaths(paths)) {
			return s, nil
		}
	}
	return nil, nil
}

// usableParent excludes snapshots that must not serve as a base: those a
// verify found damaged (failed holds their IDs).
func usableParent(s *snapshot.Snapshot, failed map[repository.ID]bool) bool { return !failed[s.ID] }

// storedPaths predicts how save stores paths, to compare with a parent's.
func storedPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = save.StoredPath(p)
	}
	return out
}
