package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
)

// CopyOptions are the options of copy: where the snapshots come from and
// which ones (the destination is --repo).
type CopyOptions struct {
	FromOptions
	snapcopy.Options
}

func copyCommand() *cli.Command {
	return define(&cli.Command{
		Name:      "copy",
		Usage:     "copy snapshots from another repository (--from-repo) into this one",
		ArgsUsage: "[SNAPSHOT... | --name N [--last K] | --all]",
		Description: `Only data the destination lacks is read and sent; data is decrypted with the source's key and
sealed with the destination's. A snapshot already copied (same original) is skipped. The source's
password comes from --from-password-file, --from-password-command or SAVEPOINT_FROM_PASSWORD;
a source behind a savepoint server takes its token from --from-token-file or SAVEPOINT_FROM_TOKEN.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "from-repo", Usage: "the source repository `LOCATION` (as --repo; env SAVEPOINT_FROM_REPOSITORY)"},
		}, append(fromSecretFlags(),
			&cli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "copy the snapshots with this `NAME`"},
			&cli.IntFlag{Name: "last", Usage: "with --name: only its `K` newest snapshots"},
			&cli.BoolFlag{Name: "all", Usage: "copy every snapshot"},
			&cli.StringFlag{Name: "commit-every", Value: "64M", Usage: "commit the destination's index after each `SIZE` copied: at most what a killed copy sends again"},
		)...),
	}, bindCopy, runCopy)
}

func bindCopy(c *cli.Context) (CopyOptions, error) {
	o := CopyOptions{
		FromOptions: bindFrom(c, "from-repo", "SAVEPOINT_FROM_REPOSITORY"),
		Options:     snapcopy.Options{Snapshots: c.Args().Slice(), Name: c.String("name"), Latest: c.Int("last"), All: c.Bool("all")},
	}
	if v := c.String("commit-every"); v != "" {
		n, err := retention.ParseSize(v)
		if err != nil || n <= 0 {
			return o, usagef("copy: --commit-every %q: give a size such as 64M", v)
		}
		o.CommitEvery = n
	}
	ways := 0
	for _, set := range []bool{len(o.Snapshots) > 0, o.Name != "", o.All} {
		if set {
			ways++
		}
	}
	switch {
	case o.FromRepo == "":
		return o, usagef("copy: no source repository given (use --from-repo or SAVEPOINT_FROM_REPOSITORY)")
	case c.IsSet("last") && o.Name == "":
		return o, usagef("copy: --last needs --name")
	case ways == 0:
		return o, usagef("copy: say which snapshots: SNAPSHOT..., --name N [--last K] or --all")
	case ways > 1:
		return o, usagef("copy: give snapshots, --name or --all, not more than one of them")
	case o.Latest < 0 || c.IsSet("last") && o.Latest == 0:
		return o, usagef("copy: --last %d: give a number of snapshots above 0", o.Latest)
	}
	return o, nil
}

func runCopy(ctx context.Context, g *Globals, o CopyOptions) error {
	if same, err := sameLocation(g.Repo, o.FromRepo); err == nil && same {
		return usagef("copy: --from-repo and --repo name the same repository")
	}
	src, err := openSource(ctx, g, o.FromOptions)
	if err != nil {
		return err
	}
	defer src.Close()
	host, _ := os.Hostname()
	// Best effort, as for restore: prune keeps the packs this copy reads.
	if src.BeginSession(ctx, host, time.Now()) == nil {
		defer src.EndSession(context.WithoutCancel(ctx))
	}
	rep := newReporter(g.Env, g.Quiet)
	o.Options.Hostname, o.Options.Progress = host, rep
	var st snapcopy.Stats
	err = withRepo(ctx, g, listing, func(dst *repository.Repository) error {
		var err error
		st, err = snapcopy.Run(ctx, src, dst, o.Options)
		return err
	})
	if err != nil {
		if errors.Is(err, snapcopy.ErrNoSelection) || errors.Is(err, snapcopy.ErrAmbiguousSelection) {
			return usagef("copy: %v", err)
		}
		if len(st.Snapshots) > 0 {
			// What was copied stays: say so on the one line.
			return fmt.Errorf("%w (%d snapshot(s) copied before it; run copy again to finish)", err, st.Copied)
		}
		return err
	}
	return printCopy(g, st)
}

// sameLocation reports whether two local repository locations are one
// directory (remote ones are compared as written).
func sameLocation(a, b string) (bool, error) {
	a, b = strings.TrimPrefix(a, "file://"), strings.TrimPrefix(b, "file://")
	if strings.Contains(a, "://") || strings.Contains(b, "://") {
		return strings.TrimRight(a, "/") == strings.TrimRight(b, "/"), nil
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

func printCopy(g *Globals, st snapcopy.Stats) error {
	w := g.Env.Stdout
	if g.JSON {
		if st.Snapshots == nil {
			st.Snapshots = []snapcopy.Event{}
		}
		return printJSON(w, st)
	}
	for _, e := range st.Snapshots {
		name := ""
		if e.Name != "" {
			name = " (" + e.Name + ")"
		}
		if e.Skipped {
			fmt.Fprintf(w, "skipped %s%s: already in the destination as %s\n", e.Source.Short(), name, e.Copy.Short())
			continue
		}
		fmt.Fprintf(w, "copied %s%s as %s: %d new blob(s), %s stored\n", e.Source.Short(), name, e.Copy.Short(), e.BlobsNew, BytesHuman(e.BytesStored))
	}
	fmt.Fprintf(w, "%d snapshot(s) copied, %d skipped; read %s from the source, stored %s in %d pack(s); requests: source %s, destination %s\n",
		st.Copied, st.Skipped, BytesHuman(st.BytesRead), BytesHuman(st.BytesStored), st.Packs,
		RequestsHuman(st.SourceRequests), RequestsHuman(st.DestinationRequests))
	if st.PacksAdopted > 0 {
		fmt.Fprintf(w, "indexed %d pack(s) (%s) an interrupted copy had left unindexed: their %d blob(s) were not sent again\n",
			st.PacksAdopted, BytesHuman(st.BytesAdopted), st.BlobsAdopted)
	}
	if st.SharedKey {
		fmt.Fprintf(w, "shared master key: %d unit(s) moved as stored, %d decoded and stored anew\n", st.UnitsRaw, st.UnitsResealed)
	}
	return nil
}
