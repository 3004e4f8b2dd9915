package web

import (
	"context"
	"errors"

	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// summary is one repository as the overview and its page show it: the
// service's figures (service.Stats, as the API answers them).
type summary struct {
	service.RepositoryStats
	// Exists: the repository is created (a password file may name one
	// that is not yet).
	Exists bool
	// Problem says why the snapshots could not be read with the password
	// the server holds, if they could not.
	Problem string
}

// summarize reads one repository's figures.
func (v *View) summarize(ctx context.Context, name string) (summary, error) {
	sum := summary{RepositoryStats: service.RepositoryStats{Repository: service.Repository{Name: name}}}
	st, err := v.o.Service.Stats(ctx, name)
	switch {
	case errors.Is(err, storage.ErrNoContainer):
		return sum, nil
	case err == nil:
		sum.RepositoryStats, sum.Exists = st, true
		return sum, nil
	}
	// The storage's figures without those of the snapshots.
	r, rerr := v.o.Service.Repository(ctx, name)
	if rerr != nil {
		return sum, rerr
	}
	v.log.Warn("web: reading snapshots", "repo", name, "error", err.Error())
	sum.Repository, sum.Exists, sum.Managed = r, true, false
	sum.Problem = "the server could not read the snapshots with the password it holds (its log has the detail)"
	return sum, nil
}

// visible lists the repositories the viewer's token covers: its own, or
// every one the server knows (repos.Hub.Names) for a token of '*'.
func (v *View) visible(ctx context.Context, vw *viewer) ([]string, error) {
	if vw.Token.Repo != tokens.AllRepos {
		return []string{vw.Token.Repo}, nil
	}
	return v.o.Service.Repos.Names(ctx)
}
