package metrics

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/promtest"
)

func TestRoute(t *testing.T) {
	for in, want := range map[string]string{"PUT /{repo}/{kind}/{name}": "/{repo}/{kind}/{name}", "": "unmatched", "/metrics": "/metrics"} {
		if got := Route(in); got != want {
			t.Errorf("Route(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.ObserveRequest("GET /metrics", "GET", 200, 0, 10, time.Millisecond)
	m.JobEnded(t.Context(), Job{Repo: "app", Kind: "prune", Result: Succeeded})
}

// gather returns the value of a series of the registry, or -1.
func gather(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for k, v := range labels {
		pairs = append(pairs, k, v)
	}
	return promtest.Value(fams, name, pairs...)
}

func TestJobsAndRepositories(t *testing.T) {
	ctx := t.Context()
	hub := repos.New(repos.Options{Storage: filepath.Join(t.TempDir(), "storage")})
	defer hub.Close()
	m := New(Options{Repos: hub})
	repo, _ := hub.Get(ctx, "app")
	be := repo.Backend()
	be.(storage.Creator).Create(ctx)
	be.Save(ctx, storage.Handle{Kind: storage.KindConfig, Name: "config"}, make([]byte, 10))
	be.Save(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: "aa"}, make([]byte, 5))
	repo.Register(ctx)

	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.JobEnded(ctx, Job{Repo: "app", Kind: "prune", Result: Succeeded, Started: start, Ended: start.Add(time.Minute)})
	m.JobEnded(ctx, Job{Repo: "app", Kind: "prune", Result: Failed, Started: start, Ended: start.Add(2 * time.Minute), Err: errors.New("boom")})
	m.JobEnded(ctx, Job{Repo: "app", Kind: "verify", Result: Cancelled, Started: start, Ended: start.Add(time.Second)})

	app := map[string]string{"repository": "app"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"savepoint_jobs_total", map[string]string{"kind": "prune", "result": "succeeded"}, 1},
		{"savepoint_jobs_total", map[string]string{"kind": "prune", "result": "failed"}, 1},
		{"savepoint_jobs_total", map[string]string{"kind": "verify", "result": "cancelled"}, 1},
		{"savepoint_job_duration_seconds", map[string]string{"kind": "prune", "result": "failed"}, 1},
		{"savepoint_repository_snapshots", app, 1},
		{"savepoint_repository_stored_bytes", app, 15},
		{"savepoint_repository_objects", app, 2},
		{"savepoint_repository_last_prune_timestamp_seconds", app, float64(start.Add(time.Minute).Unix())},
		{"savepoint_repository_last_prune_failure_timestamp_seconds", app, float64(start.Add(2 * time.Minute).Unix())},
	} {
		if got := gather(t, m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := gather(t, m, "savepoint_repository_last_save_timestamp_seconds", app); got <= 0 {
		t.Errorf("last save time %v", got)
	}
}

// TestRunnerJobs: the jobs runner's states map to results (a partial save
// succeeded, an interrupted job was cancelled), and a dry-run prune is
// counted without moving the last-prune time.
func TestRunnerJobs(t *testing.T) {
	ctx := t.Context()
	hub := repos.New(repos.Options{Storage: filepath.Join(t.TempDir(), "storage")})
	defer hub.Close()
	m := New(Options{Repos: hub})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	job := func(kind jobs.Kind, state jobs.State, dry bool) jobs.Job {
		return jobs.Job{Repository: "app", Spec: jobs.Spec{Kind: kind, DryRun: dry}, State: state,
			Started: start, Finished: start.Add(time.Minute)}
	}
	m.RunnerJobEnded(ctx, job(jobs.KindSave, jobs.StateSucceeded, false))
	m.RunnerJobEnded(ctx, job(jobs.KindSave, jobs.StateInterrupted, false))
	m.RunnerJobEnded(ctx, job(jobs.KindVerify, jobs.StateFailed, false))
	m.RunnerJobEnded(ctx, job(jobs.KindPrune, jobs.StateSucceeded, true))
	for _, c := range []struct{ kind, result string }{{"save", Succeeded}, {"save", Cancelled}, {"verify", Failed}, {"prune", Succeeded}} {
		if got := gather(t, m, "savepoint_jobs_total", map[string]string{"kind": c.kind, "result": c.result}); got != 1 {
			t.Errorf("%s jobs %s: %v, want 1", c.kind, c.result, got)
		}
	}
	repo, _ := hub.Get(ctx, "app")
	runs, err := repo.Runs(ctx)
	if err != nil || !runs["prune"].LastSuccess.IsZero() || runs["verify"].LastFailure.IsZero() || !runs["save"].LastSuccess.Equal(start.Add(time.Minute)) {
		t.Errorf("runs recorded %+v %v: want the save and the verify, not the dry-run prune", runs, err)
	}
}
