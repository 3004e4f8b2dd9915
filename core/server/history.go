package server

import (
	"context"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/internal/tick"
)

// sampleLoop takes each repository's figures every repos.SampleEvery
// while the server runs, so the history behind the web view's chart
// (repos.Repo.History) goes on when nobody looks or scrapes. Stats
// records a sample only when one is due.
func (s *Server) sampleLoop(ctx context.Context) {
	tick.Every(ctx, repos.SampleEvery, s.sampleAll)
}

func (s *Server) sampleAll(ctx context.Context) {
	names, err := s.o.Repos.Names(ctx)
	if err != nil {
		s.log.Warn("history: listing the repositories", "error", err.Error())
		return
	}
	for _, name := range names {
		repo, err := s.o.Repos.Get(ctx, name)
		if err == nil {
			_, err = repo.Stats(ctx)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("history: a repository's figures", "repo", name, "error", err.Error())
		}
	}
}
