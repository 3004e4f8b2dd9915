// Command savepoint captures the state of a CI job (files, dump output,
// image digests, provenance) as deduplicated, compressed, encrypted
// snapshots, and restores or rolls back any of them in one command.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/savepoint-ci/savepoint/core/cli"
)

var version = "dev"

func main() {
	cli.TuneRuntime()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile()
	code := cli.Run(ctx, version, os.Args[1:], cli.OSEnv())
	stopProfile()
	stop()
	os.Exit(code)
}
