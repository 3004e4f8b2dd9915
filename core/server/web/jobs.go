package web

import (
	"context"
	"errors"
	"time"
)

// Jobs is what the web view needs of the server's jobs runner: list a
// repository's jobs, read one, start one, cancel one. The runner lives
// in its own package (core/server/jobs); an adapter from it to this
// interface is all the wiring the view needs (Options.Jobs). Without one
// the jobs page says the server runs no jobs and offers no controls.
type Jobs interface {
	// List returns the repository's jobs, newest first.
	List(ctx context.Context, repo string) ([]Job, error)
	// Get returns one job of the repository (ErrNoJob: none has that ID).
	Get(ctx context.Context, repo, id string) (Job, error)
	// Start starts a job in the background and returns it at once.
	Start(ctx context.Context, repo string, req JobRequest) (Job, error)
	// Cancel cancels a queued or running job (ErrNoJob: none has that ID);
	// nothing partial is committed.
	Cancel(ctx context.Context, repo, id string) error
}

// Schedules is what the web view needs of the server's schedules.
type Schedules interface {
	// List returns the repository's schedules.
	List(ctx context.Context, repo string) ([]Schedule, error)
}

// ErrNoJob is returned by Jobs.Get and Jobs.Cancel for an unknown job.
var ErrNoJob = errors.New("no such job")

// Job states, as the page shows them; a job in any other state is shown
// as it is named.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// JobKinds are the kinds an admin can start from the web view, with no
// options (the API and `savepoint remote` start the others).
var JobKinds = []string{"verify", "prune"}

// JobRequest asks for a job.
type JobRequest struct {
	Kind string // one of JobKinds
	// By is the ID of the token that asked (never its secret).
	By string
}

// Job is one job as the pages show it.
type Job struct {
	ID    string `json:"id"`
	Repo  string `json:"repo"`
	Kind  string `json:"kind"`
	State string `json:"state"`
	// By is the ID of the token that started it ("" for a schedule).
	By       string    `json:"by,omitempty"`
	Schedule string    `json:"schedule,omitempty"` // the schedule's ID, if one started it
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	// Progress so far; totals are 0 while unknown.
	Files      int64   `json:"files"`
	TotalFiles int64   `json:"total_files"`
	Bytes      int64   `json:"bytes"`
	TotalBytes int64   `json:"total_bytes"`
	Rate       float64 `json:"rate"` // bytes per second
	// ETA is the time left as the runner estimates it (0: unknown).
	ETA   time.Duration `json:"eta"`
	Error string        `json:"error,omitempty"`
	// Log is the job's last log lines.
	Log []string `json:"log,omitempty"`
}

// Done reports whether the job has ended.
func (j Job) Done() bool {
	return j.State == JobSucceeded || j.State == JobFailed || j.State == JobCancelled
}

// Percent is the job's progress in [0, 100], or -1 while no total is known.
func (j Job) Percent() float64 {
	switch {
	case j.State == JobSucceeded:
		return 100
	case j.TotalBytes > 0:
		return min(100, 100*float64(j.Bytes)/float64(j.TotalBytes))
	case j.TotalFiles > 0:
		return min(100, 100*float64(j.Files)/float64(j.TotalFiles))
	}
	return -1
}

// Schedule is one schedule as the pages show it.
type Schedule struct {
	ID   string `json:"id"`
	Repo string `json:"repo"`
	Kind string `json:"kind"`
	// Cron is the schedule's cron expression.
	Cron string `json:"cron"`
	// Policy describes the retention policy a forget or prune applies
	// ("keep 14 daily, 8 weekly"), empty for others.
	Policy  string    `json:"policy,omitempty"`
	Next    time.Time `json:"next,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	LastJob string    `json:"last_job,omitempty"` // the ID of the job it last started
	Paused  bool      `json:"paused,omitempty"`
}
