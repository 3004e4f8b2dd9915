package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// maintainer is a backend whose server runs maintenance next to its
// storage (remote.Backend).
type maintainer interface {
	Maintain(ctx context.Context, op string, req, resp any) error
}

// onServer runs forget or prune on the savepoint server that --repo names,
// when that server holds the repository's password: req goes as JSON, the
// result comes back into resp. ran is false when the repository is not
// behind a server or the server cannot run op; then the command runs it
// here, across the network.
func onServer(ctx context.Context, g *Globals, op string, req, resp any) (ran bool, err error) {
	if location.Scheme(g.Repo) != "server" {
		return false, nil
	}
	be, err := g.backend(ctx)
	if err != nil {
		return false, err
	}
	defer be.Close()
	m, ok := be.(maintainer)
	if !ok {
		return false, nil
	}
	err = m.Maintain(ctx, op, req, resp)
	if errors.Is(err, remote.ErrNoServerPassword) {
		return false, nil
	}
	return true, err
}

// ranOnServer notes in text output where the operation ran.
func ranOnServer(g *Globals, op string) {
	if !g.JSON {
		fmt.Fprintf(g.Env.Stdout, "%s ran on the server, next to its storage\n", op)
	}
}
