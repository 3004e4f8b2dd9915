package cli

import (
	"context"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// announceReader registers a long read (restore, rollback, dump) as a
// session, like a save: prune then keeps the packs it may read until it is
// done (docs/prune.md). Best effort: with read-only credentials the marker
// cannot be written and the read runs unannounced. Call the returned
// function when done.
func announceReader(c *cli.Context, repo *repository.Repository) func() {
	host, _ := os.Hostname()
	repo.BeginSession(c.Context, host, time.Now())
	return func() { repo.EndSession(context.WithoutCancel(c.Context)) }
}
