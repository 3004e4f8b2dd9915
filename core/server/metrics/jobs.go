package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
)

// Results of a job (the result label).
const (
	Succeeded = "succeeded"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Job is a job that ended, as the jobs runner reports it to JobEnded.
type Job struct {
	Repo string // the repository's name
	// Kind is the job's kind: save, verify, forget, prune, restore, sync.
	Kind string
	// Result is Succeeded, Failed or Cancelled.
	Result         string
	Started, Ended time.Time
	// Err is why a failed job failed (its message is recorded).
	Err error
	// DryRun: a forget or prune that decided and changed nothing. It is
	// counted, but it is not a run of the last-run gauges.
	DryRun bool
}

// JobEnded counts a job that ended and observes its duration; for a job
// that succeeded or failed (not a dry run) it records the run in the
// repository's records (repos.Repo.NoteRun), which the last-prune gauges
// read. Call it once per
// job, from the goroutine that ran it; ctx bounds the record's write.
func (m *Metrics) JobEnded(ctx context.Context, j Job) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(j.Kind, j.Result).Inc()
	m.jobTime.WithLabelValues(j.Kind, j.Result).Observe(j.Ended.Sub(j.Started).Seconds())
	if j.Result == Cancelled || j.DryRun || m.o.Repos == nil {
		return
	}
	var failure error
	if j.Result != Succeeded {
		failure = j.Err
		if failure == nil {
			failure = errUnknown
		}
	}
	repo, err := m.o.Repos.Get(ctx, j.Repo)
	if err == nil {
		err = repo.NoteRun(ctx, j.Kind, j.Ended, failure)
	}
	if err != nil {
		m.o.Logger.Warn("job run not recorded", "repo", j.Repo, "kind", j.Kind, "error", err.Error())
	}
}

// RunnerJobEnded is JobEnded for a job of the server's jobs runner
// (jobs.Options.Ended): a job cancelled or interrupted by a shutdown
// counts as cancelled, and a save that committed with unreadable files
// (partial) as succeeded, as its state says.
func (m *Metrics) RunnerJobEnded(ctx context.Context, j jobs.Job) {
	result := Failed
	switch j.State {
	case jobs.StateSucceeded:
		result = Succeeded
	case jobs.StateCancelled, jobs.StateInterrupted:
		result = Cancelled
	}
	var err error
	if j.Error != "" {
		err = errors.New(j.Error)
	}
	m.JobEnded(ctx, Job{Repo: j.Repository, Kind: string(j.Spec.Kind), Result: result,
		Started: j.Started, Ended: j.Finished, Err: err, DryRun: j.Spec.DryRun})
	if m != nil && j.Spec.Kind == jobs.KindSync {
		m.syncEnded(ctx, j, result)
	}
}

type unknownError struct{}

func (unknownError) Error() string { return "failed (no error given)" }

var errUnknown error = unknownError{}
