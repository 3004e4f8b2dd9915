package web

import (
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
)

// JobKinds are the kinds an admin can start from the web view, with no
// options (the API and `savepoint remote` start the others, and with
// options).
var JobKinds = []jobs.Kind{jobs.KindVerify, jobs.KindPrune}

// Job is a job of the server's runner (package jobs) as the jobs page and
// jobs.json show it.
type Job struct {
	ID    string `json:"id"`
	Repo  string `json:"repo"`
	Kind  string `json:"kind"`
	State string `json:"state"`
	// By is the ID of the token that started it, or "schedule".
	By       string    `json:"by,omitempty"`
	Schedule string    `json:"schedule,omitempty"` // the schedule's ID, if one started it
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	// Progress of the current phase; totals are 0 while unknown.
	Phase      string  `json:"phase,omitempty"`
	Files      int64   `json:"files"`
	TotalFiles int64   `json:"total_files"`
	Bytes      int64   `json:"bytes"`
	TotalBytes int64   `json:"total_bytes"`
	Rate       float64 `json:"rate"` // bytes per second
	// ETA is the seconds left as the runner estimates them (0: unknown).
	ETA   float64 `json:"eta"`
	Error string  `json:"error,omitempty"`
	// Done: the job is over (succeeded, failed, cancelled, interrupted).
	Done bool `json:"done"`
	// Percent is the progress in [0, 100], or -1 while no total is known.
	Percent float64 `json:"percent"`
	// Sync is what a sync job pulls from where, and what it did.
	Sync *SyncView `json:"sync,omitempty"`
}

// SyncView is a sync job's source and selection, with its last result
// once it has one.
type SyncView struct {
	From      string `json:"from"`
	Selection string `json:"selection"` // "latest 3 of deploy"
	Done      bool   `json:"done"`      // the fields below are set
	Copied    int    `json:"copied"`
	Present   int    `json:"present"`
	Bytes     int64  `json:"bytes"` // moved
}

func syncView(spec jobs.Spec, res *jobs.SyncResult) *SyncView {
	if spec.Kind != jobs.KindSync {
		return nil
	}
	v := &SyncView{From: spec.From.Repo, Selection: spec.Selection()}
	if res != nil {
		v.Done, v.Copied, v.Present, v.Bytes = true, len(res.Copied), res.Present, res.Bytes
	}
	return v
}

// jobView is j as the page shows it.
func jobView(j jobs.Job) Job {
	v := Job{ID: j.ID, Repo: j.Repository, Kind: string(j.Spec.Kind), State: string(j.State), By: j.By,
		Schedule: j.Schedule, Created: j.Created, Started: j.Started, Ended: j.Finished, Error: j.Error,
		Done: j.State.Final(), Percent: -1, Sync: syncView(j.Spec, jobs.SyncResultOf(j))}
	if p := j.Progress; p != nil {
		v.Phase, v.Files, v.TotalFiles, v.Bytes, v.TotalBytes, v.Rate, v.ETA = p.Phase, p.Files, p.TotalFiles, p.Bytes, p.TotalBytes, p.Rate, p.ETA
	}
	switch {
	case j.State == jobs.StateSucceeded:
		v.Percent = 100
	case v.TotalBytes > 0:
		v.Percent = min(100, 100*float64(v.Bytes)/float64(v.TotalBytes))
	case v.TotalFiles > 0:
		v.Percent = min(100, 100*float64(v.Files)/float64(v.TotalFiles))
	}
	return v
}

// Schedule is a schedule (package schedules) as the schedules page shows
// it.
type Schedule struct {
	ID   string
	Kind string
	Cron string
	// Policy is the retention policy a forget or prune applies ("keep 14
	// daily, 8 weekly"), empty for others.
	Policy    string
	Next      time.Time
	Last      time.Time
	LastJob   string // the ID of the job it last started
	LastError string // why that job could not start
	// Sync is a sync schedule's source and selection (no result).
	Sync *SyncView
}

func scheduleView(sc schedules.Schedule) Schedule {
	v := Schedule{ID: sc.ID, Kind: string(sc.Spec.Kind), Cron: sc.Cron, Next: sc.Next, Last: sc.LastRun,
		LastJob: sc.LastJob, LastError: sc.LastError, Sync: syncView(sc.Spec, nil)}
	if sc.Spec.Keep != nil {
		v.Policy = sc.Spec.Keep.String()
	}
	return v
}
