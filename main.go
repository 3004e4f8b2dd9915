// Command savepoint captures the state of a CI job (files, dump output,
// image digests, provenance) as deduplicated, compressed, encrypted
// snapshots, and restores or rolls back any of them in one command.
package main

import (
	"context"
	"os"

	"github.com/savepoint-ci/savepoint/core/cli"
)

var version = "dev"

func main() {
	os.Exit(cli.WithSignals(func(ctx context.Context) int {
		defer startProfile()()
		return cli.Run(ctx, version, os.Args[1:], cli.OSEnv())
	}))
}
