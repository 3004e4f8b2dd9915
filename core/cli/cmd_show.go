package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// ShowOptions are the options of show.
type ShowOptions struct {
	Snapshot string // reference
}

func showCommand() *cli.Command {
	return argsCommand("show", "show a snapshot's details and stats", "SNAPSHOT", 1, 1, "one SNAPSHOT",
		func(a cli.Args) (ShowOptions, error) { return ShowOptions{Snapshot: a.Get(0)}, nil }, runShow)
}

func runShow(ctx context.Context, g *Globals, o ShowOptions) error {
	return withSnapshot(ctx, g, listing, o.Snapshot, func(_ *repository.Repository, s *snapshot.Snapshot) error {
		if g.JSON {
			return printJSON(g.Env.Stdout, ToJSON(s))
		}
		printSnapshot(g.Env.Stdout, s)
		return nil
	})
}

func printSnapshot(w io.Writer, s *snapshot.Snapshot) {
	fmt.Fprintf(w, "%s %s\n", snapshotKind(s), s.ID)
	fmt.Fprintf(w, "  time           %s\n", s.Time.Local().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(w, "  host           %s\n", s.Hostname)
	if s.Name != "" {
		fmt.Fprintf(w, "  name           %s\n", s.Name)
	}
	if len(s.Tags) > 0 {
		fmt.Fprintf(w, "  tags           %s\n", strings.Join(s.Tags, ", "))
	}
	if len(s.Paths) > 0 {
		fmt.Fprintf(w, "  paths          %s\n", strings.Join(s.Paths, " "))
	}
	for _, src := range s.Sources {
		switch src.Kind {
		case "image":
			fmt.Fprintf(w, "  image          %s = %s@%s\n", src.Name, src.Image, src.Digest)
		default:
			fmt.Fprintf(w, "  %-14s %s (%s)\n", src.Kind, src.Name, BytesHuman(int64(src.Size)))
		}
	}
	if s.Parent != nil {
		fmt.Fprintf(w, "  parent         %s\n", s.Parent.Short())
	}
	if r := s.Repaired; r != nil {
		fmt.Fprintf(w, "  repaired       %s replaces %s: %d path(s) left out, their data was missing\n",
			r.Time.Local().Format("2006-01-02 15:04:05"), r.Original.Short(), r.DroppedCount)
	}
	keys := make([]string, 0, len(s.Provenance))
	for k := range s.Provenance {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-14s %s\n", k, s.Provenance[k])
	}
	printStats(w, s)
}

// snapshotKind is "checkpoint" or "snapshot".
func snapshotKind(s *snapshot.Snapshot) string {
	if s.Checkpoint {
		return "checkpoint"
	}
	return "snapshot"
}

// snapshotTitle names a snapshot in one line: kind, short ID and name.
func snapshotTitle(s *snapshot.Snapshot) string {
	t := snapshotKind(s) + " " + s.ID.Short()
	if s.Name != "" {
		t += " (" + s.Name + ")"
	}
	return t
}
