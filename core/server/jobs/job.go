// Package jobs runs the server's background jobs: save (paths on the
// server host or command sources), verify, forget, prune,
// restore-to-path and sync (pull snapshots from another savepoint server,
// sync.go) on a repository whose password the server holds. A job
// starts at once and runs on the server whatever becomes of the client that
// asked; its state, progress and log lines are kept in memory while it
// runs and written to the server's records (table "jobs", package records)
// as it goes, so its history survives a restart and every server process
// fronting the storage sees it. Cancelling a job cancels its context: the
// core operations stop without committing anything partial.
//
// The management API (package api) and the schedules (package schedules)
// start jobs through a Runner; the service layer (package service) reads
// them for the web view.
package jobs

import (
	"time"
)

// Kind is what a job does.
type Kind string

// Job kinds.
const (
	KindSave    Kind = "save"
	KindVerify  Kind = "verify"
	KindForget  Kind = "forget"
	KindPrune   Kind = "prune"
	KindRestore Kind = "restore"
	KindSync    Kind = "sync"
)

// Kinds lists the job kinds.
var Kinds = []Kind{KindSave, KindVerify, KindForget, KindPrune, KindRestore, KindSync}

// State is where a job is in its life.
type State string

// Job states. Every state but running is final.
const (
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled" // by a DELETE: nothing partial was committed
	// StateInterrupted: the server process running it stopped (a
	// shutdown, a crash); nothing partial was committed.
	StateInterrupted State = "interrupted"
)

// Final reports whether a job in state s is over.
func (s State) Final() bool { return s != StateRunning }

// Job is one job: what was asked, and what became of it.
type Job struct {
	ID         string `json:"id" doc:"Job ID, sortable by creation time"`
	Repository string `json:"repository"`
	Spec       Spec   `json:"spec"`
	State      State  `json:"state" enum:"running,succeeded,failed,cancelled,interrupted"`
	// Code classifies how the job ended when it did not simply succeed
	// (the CLI's exit code follows it, docs/server.md).
	Code     Code      `json:"code,omitempty" enum:"partial,failed,locked,no-snapshot,no-password,no-repository,quota,invalid,refused,cancelled,interrupted" doc:"Why the job did not simply succeed"`
	Error    string    `json:"error,omitempty" doc:"One line: what went wrong"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Updated is the last time the process running the job wrote its
	// record (a heartbeat while it runs).
	Updated time.Time `json:"updated"`
	// By is the ID of the token that started the job (never its secret),
	// or "schedule" for a scheduled job.
	By       string    `json:"by"`
	Schedule string    `json:"schedule,omitempty" doc:"The schedule that started the job"`
	Progress *Progress `json:"progress,omitempty"`
	// Result is the operation's own result: the snapshot a save made,
	// verify's findings, forget's decisions, prune's figures, the
	// restore's counts.
	Result any       `json:"result,omitempty"`
	Log    []LogLine `json:"log,omitempty"`
	// Instance is the server process running the job.
	Instance string `json:"instance"`
}

// Progress is what a running job has done so far, in its current phase.
type Progress struct {
	Phase      string  `json:"phase"`
	Files      int64   `json:"files"`
	TotalFiles int64   `json:"total_files,omitempty" doc:"0 while unknown"`
	Bytes      int64   `json:"bytes"`
	TotalBytes int64   `json:"total_bytes,omitempty" doc:"0 while unknown"`
	Rate       float64 `json:"bytes_per_second"`
	ETA        float64 `json:"eta_seconds,omitempty" doc:"Seconds left at the current rate, when the total is known"`
}

// LogLine is one line of a job's log.
type LogLine struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// MaxLogLines bounds a job's log; older lines are dropped, with a note.
const MaxLogLines = 500
