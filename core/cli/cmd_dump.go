package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// DumpOptions are the options of dump.
type DumpOptions struct {
	Snapshot string // reference
	Source   string // source name
}

func dumpCommand() *cli.Command {
	cmd := argsCommand("dump", "write a stored command output or stdin source to standard output", "SNAPSHOT NAME", 2, 2, "SNAPSHOT and a source NAME",
		func(a cli.Args) (DumpOptions, error) { return DumpOptions{Snapshot: a.Get(0), Source: a.Get(1)}, nil }, runDump)
	cmd.Description = "Every chunk is checked against its ID and the total against the recorded size;\n" +
		"a damaged stream stops with an error (and a non-zero exit) instead of writing on.\n" +
		"Example: savepoint dump production:latest db | psql -v ON_ERROR_STOP=1 app"
	return cmd
}

func runDump(ctx context.Context, g *Globals, o DumpOptions) error {
	return withSnapshot(ctx, g, reading, o.Snapshot, func(repo *repository.Repository, snap *snapshot.Snapshot) error {
		src, err := capture.FindSource(snap, o.Source)
		if err != nil {
			return err
		}
		_, err = capture.Dump(ctx, repo, src, g.Env.Stdout)
		return err
	})
}

// sourcesNotRestored explains, for `restore`, the sources it leaves alone
// ("" when the snapshot has none).
func sourcesNotRestored(snap *snapshot.Snapshot) string {
	var names []string
	for _, s := range snap.Sources {
		names = append(names, s.Kind+":"+s.Name)
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("restore puts back files only; %s: use 'savepoint rollback --to %s' or 'savepoint dump %s NAME | COMMAND' (docs/rollback.md)",
		strings.Join(names, ", "), snap.ID.Short(), snap.ID.Short())
}
