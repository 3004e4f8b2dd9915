package metrics

import (
	"context"
	"time"
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
	// Kind is the job's kind: save, verify, forget, prune, restore.
	Kind string
	// Result is Succeeded, Failed or Cancelled.
	Result         string
	Started, Ended time.Time
	// Err is why a failed job failed (its message is recorded).
	Err error
}

// JobEnded counts a job that ended and observes its duration; for a job
// that succeeded or failed it records the run in the repository's records
// (repos.Repo.NoteRun), which the last-prune gauges read. Call it once per
// job, from the goroutine that ran it; ctx bounds the record's write.
func (m *Metrics) JobEnded(ctx context.Context, j Job) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(j.Kind, j.Result).Inc()
	m.jobTime.WithLabelValues(j.Kind, j.Result).Observe(j.Ended.Sub(j.Started).Seconds())
	if j.Result == Cancelled || m.o.Repos == nil {
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

type unknownError struct{}

func (unknownError) Error() string { return "failed (no error given)" }

var errUnknown error = unknownError{}
