package metrics

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// TestSyncMetrics: the bytes sync jobs moved add up by repository and
// source, failed runs included; the last successful sync time is that of
// the last success (a later failure leaves it), and a new process over
// the same storage reports it too.
func TestSyncMetrics(t *testing.T) {
	ctx := t.Context()
	storageDir := filepath.Join(t.TempDir(), "storage")
	hub := repos.New(repos.Options{Storage: storageDir})
	defer hub.Close()
	repo, _ := hub.Get(ctx, "far")
	be := repo.Backend()
	be.(storage.Creator).Create(ctx)
	be.Save(ctx, storage.Handle{Kind: storage.KindConfig, Name: "config"}, make([]byte, 10))
	repo.Register(ctx)

	const src = "https://near.example.com:8417/app"
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	job := func(state jobs.State, bytes int64, at time.Duration) jobs.Job {
		return jobs.Job{Repository: "far", State: state, Started: start, Finished: start.Add(at),
			Spec:   jobs.Spec{Kind: jobs.KindSync, From: jobs.SyncSource{Repo: src}},
			Result: &jobs.SyncResult{Source: src, Bytes: bytes}, Error: map[bool]string{true: "", false: "refused"}[state == jobs.StateSucceeded]}
	}
	m := New(Options{Repos: hub})
	m.RunnerJobEnded(ctx, job(jobs.StateSucceeded, 1000, time.Minute))
	m.RunnerJobEnded(ctx, job(jobs.StateFailed, 200, 2*time.Minute))
	m.RunnerJobEnded(ctx, job(jobs.StateCancelled, 30, 3*time.Minute))
	labels := map[string]string{"repository": "far", "source": src}
	if got := gather(t, m, "savepoint_sync_bytes_total", labels); got != 1230 {
		t.Errorf("bytes moved %v, want 1230", got)
	}
	if got := gather(t, m, "savepoint_jobs_total", map[string]string{"kind": "sync", "result": "failed"}); got != 1 {
		t.Errorf("failed sync jobs %v, want 1", got)
	}
	hub2 := repos.New(repos.Options{Storage: storageDir})
	defer hub2.Close()
	for _, mm := range []*Metrics{m, New(Options{Repos: hub2})} {
		if got := gather(t, mm, "savepoint_sync_last_success_timestamp_seconds", labels); got != float64(start.Add(time.Minute).Unix()) {
			t.Errorf("last successful sync %v, want %v", got, start.Add(time.Minute).Unix())
		}
	}
}
