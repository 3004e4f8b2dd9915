package cli

import (
	"context"
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
)

// SaveOptions are the options of save and checkpoint.
type SaveOptions struct {
	Paths []string
	// Devices are block devices saved as one file each (--device);
	// ReadSpecial reads block devices among the paths (--read-special).
	Devices     []string
	ReadSpecial bool
	Name        string
	Tags        []string
	Excludes    []string // --exclude patterns, then those of each --exclude-file
	Host        string   // empty: this host
	NoParent    bool
	Checkpoint  bool
	// Provenance is what the CI environment tells, with --provenance laid
	// over it.
	Provenance map[string]string
	Capture    CaptureOptions
}

func saveFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "name", Aliases: []string{"n"}, EnvVars: []string{"SAVEPOINT_NAME"}, Usage: "snapshot name, a key such as production or node-cache"},
		&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "add a tag (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude", Aliases: []string{"e"}, Usage: "exclude paths matching `GLOB` (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude-file", Usage: "read exclude patterns from `FILE` (repeatable)"},
		&cli.StringFlag{Name: "host", EnvVars: []string{"SAVEPOINT_HOST"}, Usage: "hostname to record (default: this host)"},
		&cli.BoolFlag{Name: "no-parent", Usage: "read every file, ignoring the previous snapshot"},
		&cli.StringSliceFlag{Name: "device", Usage: "save the content of the block device `PATH` as one file (repeatable)"},
		&cli.BoolFlag{Name: "read-special", Usage: "save the content of block devices among the paths and in their directories"},
	}, append(captureFlags(), provenanceFlags()...)...)
}

func saveCommand() *cli.Command {
	return define(&cli.Command{
		Name:      "save",
		Usage:     "save paths as a new snapshot",
		ArgsUsage: "[PATH...]",
		Flags:     saveFlags(),
	}, bindSave, runSave)
}

func bindSave(c *cli.Context) (SaveOptions, error) {
	o := SaveOptions{
		Paths: c.Args().Slice(), Name: c.String("name"), Tags: c.StringSlice("tag"),
		Excludes: c.StringSlice("exclude"), Host: c.String("host"), NoParent: c.Bool("no-parent"),
		Devices: c.StringSlice("device"), ReadSpecial: c.Bool("read-special"),
	}
	var err error
	if o.Capture, err = bindCapture(c); err != nil {
		return o, err
	}
	if len(o.Paths) == 0 && len(o.Devices) == 0 && o.Capture.empty() {
		return o, usagef("%s: give at least one PATH, --device, --command, --stdin or --image (see 'savepoint %s --help')", c.Command.Name, c.Command.Name)
	}
	if o.Provenance, err = provenanceFromFlags(c, provenance.Detect(envOf(c).Getenv)); err != nil {
		return o, err
	}
	for _, f := range c.StringSlice("exclude-file") {
		more, err := save.ReadPatternFile(f)
		if err != nil {
			return o, err
		}
		o.Excludes = append(o.Excludes, more...)
	}
	return o, nil
}

func runSave(ctx context.Context, g *Globals, o SaveOptions) error {
	return withRepo(ctx, g, writing, func(repo *repository.Repository) error {
		return saveSnapshot(ctx, g, repo, o)
	})
}

func saveSnapshot(ctx context.Context, g *Globals, repo *repository.Repository, o SaveOptions) error {
	started := time.Now()
	sources, err := captureSources(ctx, g, repo, o.Capture)
	if err != nil {
		return err
	}
	host := o.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	var parent *snapshot.Snapshot
	if !o.NoParent {
		if parent, err = save.FindParent(ctx, repo, o.Name, append(slices.Clip(o.Paths), o.Devices...)); err != nil {
			return err
		}
	}
	rep := newReporter(g.Env, g.Quiet)
	snap, err := save.Run(ctx, repo, save.Options{
		Paths: o.Paths, Devices: o.Devices, ReadSpecial: o.ReadSpecial, Excludes: o.Excludes, Name: o.Name, Tags: o.Tags,
		Hostname: host, Parent: parent, Checkpoint: o.Checkpoint, Provenance: o.Provenance,
		Sources: sources, Program: "savepoint " + g.Version, Reporter: rep,
		Started: started,
	})
	rep.Done()
	if snap == nil {
		return err
	}
	if perr := printSaved(g, snap, parent); perr != nil {
		return perr
	}
	if derr := writeDotenv(g, snapshotDotenv(snap)); derr != nil {
		return derr
	}
	if errors.Is(err, save.ErrPartial) {
		return exitError{ExitPartial, err}
	}
	return err
}

func printSaved(g *Globals, snap, parent *snapshot.Snapshot) error {
	w := g.Env.Stdout
	if g.JSON {
		return printJSON(w, ToJSON(snap))
	}
	fmt.Fprintf(w, "saved %s", snapshotTitle(snap))
	if parent != nil {
		fmt.Fprintf(w, ", parent %s", parent.ID.Short())
	}
	fmt.Fprintln(w)
	printStats(w, snap)
	return nil
}
