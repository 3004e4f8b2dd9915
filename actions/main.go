// Command savepoint-action is the entrypoint of the savepoint GitHub Action
// (action.yml at the repository root). It reads the action's inputs, runs
// the savepoint CLI in-process (core/cli.Run, the same code path as the
// savepoint binary) and reports back to the runner: outputs, a step
// summary, masked secrets, log groups, error annotations and state for the
// post step.
//
// The post step runs the same binary as savepoint-action-post (a symlink in
// the image), or with the single argument "post".
package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/sethvargo/go-githubactions"

	"github.com/savepoint-ci/savepoint/core/cli"
)

var version = "dev"

func main() {
	post := filepath.Base(os.Args[0]) == "savepoint-action-post" || (len(os.Args) == 2 && os.Args[1] == "post")
	os.Exit(cli.Entrypoint("savepoint-action", version, func(ctx context.Context) int { return run(ctx, githubactions.New(), post) }))
}

// run is the whole entrypoint: main step or post step. Tests call it with
// a toolkit built on a fake environment and writer.
func run(ctx context.Context, a *githubactions.Action, post bool) int {
	r := newRunner(a, version)
	r.maskSecrets()
	cfg, err := parseConfig(r.in)
	if err != nil {
		r.fail("savepoint: invalid inputs", "%v", err)
		return cli.ExitUsage
	}
	r.cfg = cfg
	if post {
		return r.post(ctx)
	}
	return r.main(ctx)
}
