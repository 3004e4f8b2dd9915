package web

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// fakeJobs is an in-memory Jobs and Schedules for the unit tests of the
// pages; the real runner is tested against the real server.
type fakeJobs struct {
	mu        sync.Mutex
	jobs      []Job
	started   []JobRequest
	cancelled []string
}

func (f *fakeJobs) List(_ context.Context, repo string) ([]Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Job
	for _, j := range f.jobs {
		if j.Repo == repo {
			out = append(out, j)
		}
	}
	return out, nil
}

func (f *fakeJobs) Get(_ context.Context, repo, id string) (Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.jobs {
		if j.Repo == repo && j.ID == id {
			return j, nil
		}
	}
	return Job{}, ErrNoJob
}

func (f *fakeJobs) Start(_ context.Context, repo string, req JobRequest) (Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, req)
	j := Job{ID: fmt.Sprintf("j%d", len(f.jobs)+1), Repo: repo, Kind: req.Kind, State: JobQueued, By: req.By, Created: time.Now()}
	f.jobs = append([]Job{j}, f.jobs...)
	return j, nil
}

func (f *fakeJobs) Cancel(ctx context.Context, repo, id string) error {
	if _, err := f.Get(ctx, repo, id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, id)
	return nil
}

type fakeSchedules []Schedule

func (f fakeSchedules) List(_ context.Context, repo string) ([]Schedule, error) {
	var out []Schedule
	for _, s := range f {
		if s.Repo == repo {
			out = append(out, s)
		}
	}
	return out, nil
}
