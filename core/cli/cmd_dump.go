package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

func dumpCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "write a stored command output or stdin source to standard output",
		ArgsUsage: "SNAPSHOT NAME",
		Description: "Every chunk is checked against its ID and the total against the recorded size;\n" +
			"a damaged stream stops with an error (and a non-zero exit) instead of writing on.\n" +
			"Example: savepoint dump production:latest db | psql -v ON_ERROR_STOP=1 app",
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 2, 2, "SNAPSHOT and a source NAME"); err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			defer announceReader(c, repo)()
			snap, err := findSnapshot(c, repo, c.Args().Get(0))
			if err != nil {
				return err
			}
			src, err := capture.FindSource(snap, c.Args().Get(1))
			if err != nil {
				return err
			}
			_, err = capture.Dump(c.Context, repo, src, env.Stdout)
			return err
		},
	}
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
