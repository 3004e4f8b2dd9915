// Package service is what the server's management API (package api) and
// its web view (package web) call: the repositories of the storage with
// their figures, the snapshots, trees and diffs of the repositories whose
// password the server holds, and the jobs and schedules that run on them.
// It speaks Go types, not HTTP; access control is the caller's (both check
// the token's role and repository with Allow first).
//
// It reads through package repos, as the metrics do: the repository names
// (repos.Hub.Names), the figures of one cached listing of a repository's
// storage (repos.Repo.Stats), and one opened copy of each repository shared
// by every reader, with the snapshots read so far (repos.Repo.Read,
// repos.Repo.Snapshots), so a request pays no key derivation.
//
// A repository whose password the server does not hold shows only what
// the server can see: its objects, stored bytes and last write time
// (Repository.Managed false); the snapshot calls then fail with
// repos.ErrNoPassword.
package service

import (
	"context"
	"errors"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// Service is the server's management surface.
type Service struct {
	Repos     *repos.Hub
	Jobs      *jobs.Runner
	Schedules *schedules.Scheduler
	Tokens    *tokens.Store
	Now       func() time.Time // nil: time.Now
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// StartJob starts a job on repository name (see jobs.Runner.Start); by is
// the ID of the token that asked.
func (s *Service) StartJob(ctx context.Context, name string, spec jobs.Spec, by string) (jobs.Job, error) {
	return s.Jobs.Start(ctx, name, spec, by, "")
}

// Job returns job id.
func (s *Service) Job(ctx context.Context, id string) (jobs.Job, error) { return s.Jobs.Get(ctx, id) }

// JobList returns the jobs of repository name (all when empty), newest
// first, without their logs.
func (s *Service) JobList(ctx context.Context, name string) ([]jobs.Job, error) {
	return s.Jobs.List(ctx, name)
}

// CancelJob cancels job id (see jobs.Runner.Cancel).
func (s *Service) CancelJob(ctx context.Context, id string) (jobs.Job, error) {
	return s.Jobs.Cancel(ctx, id)
}

// ScheduleList returns the schedules of repository name (all when empty).
func (s *Service) ScheduleList(ctx context.Context, name string) ([]schedules.Schedule, error) {
	return s.Schedules.List(ctx, name)
}

// ErrNoPath: the path is not a directory of the snapshot.
var ErrNoPath = errors.New("no such path")
