package cli

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// LsEntry is the JSON form of one listed node.
type LsEntry struct {
	Path   string    `json:"path"`
	Type   string    `json:"type"`
	Mode   string    `json:"mode"`
	Size   uint64    `json:"size"`
	MTime  time.Time `json:"mtime"`
	Target string    `json:"target,omitempty"`
}

// LsOptions are the options of ls.
type LsOptions struct {
	Snapshot string // reference
	Path     string // only this path and what is below it ("": all)
}

func lsCommand() *cli.Command {
	return argsCommand("ls", "list the files of a snapshot", "SNAPSHOT [PATH]", 1, 2, "SNAPSHOT and an optional PATH",
		func(a cli.Args) (LsOptions, error) {
			return LsOptions{Snapshot: a.Get(0), Path: strings.Trim(path.Clean("/"+a.Get(1)), "/")}, nil
		}, runLs)
}

func runLs(ctx context.Context, g *Globals, o LsOptions) error {
	var out []LsEntry
	err := withSnapshot(ctx, g, listing, o.Snapshot, func(repo *repository.Repository, snap *snapshot.Snapshot) error {
		if snap.Tree == nil {
			return fmt.Errorf("snapshot %s holds no files", snap.ID.Short())
		}
		prefix := o.Path
		err := tree.Walk(ctx, repo, *snap.Tree, "", func(p string, n *tree.Node) error {
			if prefix != "" && p != prefix && !strings.HasPrefix(p, prefix+"/") {
				if strings.HasPrefix(prefix, p+"/") {
					return nil // on the way down
				}
				return tree.SkipDir
			}
			out = append(out, LsEntry{Path: p, Type: n.Type, Mode: tree.ModeString(n.Type, n.Mode), Size: n.Size,
				MTime: time.Unix(0, n.ModTime).UTC(), Target: n.Target})
			return nil
		})
		if err == nil && prefix != "" && len(out) == 0 {
			err = fmt.Errorf("%s: no such path in snapshot %s", prefix, snap.ID.Short())
		}
		return err
	})
	if err != nil {
		return err
	}
	if g.JSON {
		if out == nil {
			out = []LsEntry{}
		}
		return printJSON(g.Env.Stdout, out)
	}
	for _, e := range out {
		line := fmt.Sprintf("%s %10d %s %s", e.Mode, e.Size, e.MTime.Local().Format("2006-01-02 15:04"), e.Path)
		if e.Target != "" {
			line += " -> " + e.Target
		}
		fmt.Fprintln(g.Env.Stdout, line)
	}
	return nil
}
