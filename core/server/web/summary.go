package web

import (
	"context"
	"errors"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// summary is one repository as the overview shows it.
type summary struct {
	Name  string
	Stats repos.Stats
	// Password: the server holds the repository's password, so it sees
	// the snapshots and LogicalBytes.
	Password bool
	// LogicalBytes is what the snapshots hold, summed: the bytes scanned
	// by each save and the output of its command sources.
	LogicalBytes int64
	Snapshots    []*snapshot.Snapshot // oldest first; nil without password
	// Problem says why the snapshots could not be read, if they could not.
	Problem string
}

// Dedup is logical bytes per stored byte (0: unknown).
func (s summary) Dedup() float64 {
	if !s.Password || s.Stats.StoredBytes == 0 {
		return 0
	}
	return float64(s.LogicalBytes) / float64(s.Stats.StoredBytes)
}

// summarize reads one repository's figures and, with its password, its
// snapshots.
func (v *View) summarize(ctx context.Context, name string) (summary, error) {
	sum := summary{Name: name}
	repo, err := v.o.Repos.Get(ctx, name)
	if err != nil {
		return sum, err
	}
	if sum.Stats, err = repo.Stats(ctx); err != nil || !sum.Stats.Exists {
		return sum, err
	}
	list, err := repo.Snapshots(ctx)
	switch {
	case errors.Is(err, repos.ErrNoPassword):
		return sum, nil
	case err != nil:
		v.log.Warn("web: reading snapshots", "repo", name, "error", err.Error())
		sum.Problem = "the server could not read the snapshots with the password it holds (its log has the detail)"
		return sum, nil
	}
	sum.Password, sum.Snapshots = true, list
	for _, s := range list {
		sum.LogicalBytes += logical(s)
	}
	return sum, nil
}

// logical is what one snapshot holds: its files and command outputs.
func logical(s *snapshot.Snapshot) int64 {
	n := s.Stats.BytesScanned
	for _, src := range s.Sources {
		n += int64(src.Size)
	}
	return n
}

// visible lists the repositories the viewer's token covers: its own, or
// every one the server knows (repos.Hub.Names) for a token of '*'.
func (v *View) visible(ctx context.Context, vw *viewer) ([]string, error) {
	if vw.Token.Repo != tokens.AllRepos {
		return []string{vw.Token.Repo}, nil
	}
	return v.o.Repos.Names(ctx)
}
