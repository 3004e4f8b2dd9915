// Command savepoint-plugin is savepoint as a Drone and Woodpecker plugin:
// a step's settings arrive as PLUGIN_* environment variables, the pipeline's
// metadata as CI_* (Woodpecker) or DRONE_* (Drone). It runs one savepoint
// command (save, restore, checkpoint, rollback, forget, prune, verify or
// init) and writes .savepoint/result.json in the workspace.
//
// Exit codes are the savepoint CLI's (docs/cli.md): 0 ok, 1 error (nothing
// committed), 2 usage (bad settings), 3 partial (committed, but some files
// unreadable or some entries refused), 10 no repository, 11 lease held,
// 12 wrong password, 13 no such snapshot, 14 access refused, 15 quota,
// 130 interrupted.
//
// Woodpecker's local backend runs a plugin step by looking up the step's
// image name on PATH: install this binary as savepoint-plugin (or under the
// image name used in the pipeline).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/drone/internal/plugin"
	"github.com/savepoint-ci/savepoint/drone/internal/settings"
)

var version = "dev"

// Runners start a plugin without arguments; --version is for people
// checking which plugin an image holds.
func main() { os.Exit(cli.Entrypoint("savepoint-plugin", version, run)) }

func run(ctx context.Context) int {
	meta := plugin.ReadMetadata(os.Getenv)
	dir, err := workspace(meta.Workspace)
	if err != nil {
		fmt.Fprintln(os.Stderr, "savepoint: "+err.Error())
		return cli.ExitError
	}
	env := settings.Env{Getenv: os.Getenv, Environ: os.Environ}
	cfg, err := plugin.Load(env)
	if err != nil {
		return plugin.Fail(dir, env, err, os.Stderr)
	}
	return plugin.Exec(ctx, version, cfg, plugin.IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Dir: dir})
}

// workspace moves into the runner's workspace (CI_WORKSPACE or
// DRONE_WORKSPACE) when it is not the working directory already, so that
// relative paths in settings mean the same on every runner.
func workspace(ws string) (string, error) {
	if ws == "" {
		return ".", nil
	}
	cwd, _ := os.Getwd()
	if a, err := filepath.Abs(ws); err == nil && a == cwd {
		return ".", nil
	}
	if err := os.Chdir(ws); err != nil {
		return "", fmt.Errorf("workspace %s: %v", ws, errUnwrapPath(err))
	}
	return ".", nil
}

func errUnwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
