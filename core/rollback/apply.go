package rollback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/image"
	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Step outcomes.
const (
	StatusDone      = "done"
	StatusUnchanged = "unchanged" // an image tag already pointed to the digest
	StatusFailed    = "failed"
	StatusNotRun    = "not run"
)

// StepResult is the outcome of one step.
type StepResult struct {
	Step
	Status      string  `json:"status"`
	Error       string  `json:"error,omitempty"`
	DurationSec float64 `json:"duration_seconds"`
}

// Report is the outcome of a rollback.
type Report struct {
	Snapshot string       `json:"snapshot"`
	OK       bool         `json:"ok"`
	Steps    []StepResult `json:"steps"`
	Notes    []string     `json:"notes,omitempty"`
	// Preflight is the error of the checks made before any step (then
	// every step is "not run").
	Preflight string `json:"preflight,omitempty"`
}

// Counts returns how many steps ran (done or unchanged), failed, and did not run.
func (r Report) Counts() (ran, failed, notRun int) {
	for _, s := range r.Steps {
		switch s.Status {
		case StatusDone, StatusUnchanged:
			ran++
		case StatusFailed:
			failed++
		default:
			notRun++
		}
	}
	return
}

// ApplyOptions are what the steps need.
type ApplyOptions struct {
	Images *image.Client // required when the plan has image steps
	// Stdout and Stderr receive the restore commands' output (nil: discarded).
	Stdout, Stderr io.Writer
	Dir            string   // restore commands' working directory
	Env            []string // restore commands' environment (nil: inherited)
	Reporter       progress.Reporter
	// SameOwner and KeepSpecialBits are restore's --same-owner and
	// --keep-special-bits for the files step (by default owners are not
	// restored and setuid, setgid and sticky bits are dropped).
	SameOwner, KeepSpecialBits bool
	// StepDone, if set, is called after each step (the CLI prints as it goes).
	StepDone func(i int, r StepResult)
}

// ErrStepFailed is wrapped by Apply's error when a step failed.
var ErrStepFailed = errors.New("rollback step failed")

// Apply checks what it can before changing anything (preflight: stream
// chunks present, image digests still in their registries), then runs the
// plan's steps in order and stops at the first failure.
func Apply(ctx context.Context, repo *repository.Repository, snap *snapshot.Snapshot, p *Plan, o ApplyOptions) (Report, error) {
	rep := Report{Snapshot: p.Snapshot, Notes: p.Notes, OK: true}
	if err := preflight(ctx, repo, snap, p, o); err != nil {
		rep.OK, rep.Preflight = false, err.Error()
		for _, st := range p.Steps {
			rep.Steps = append(rep.Steps, StepResult{Step: st, Status: StatusNotRun})
		}
		return rep, fmt.Errorf("%w, nothing was changed: %w", ErrPreflight, err)
	}
	var firstErr error
	for i, st := range p.Steps {
		res := StepResult{Step: st, Status: StatusNotRun}
		if firstErr == nil {
			start := time.Now()
			status, err := runStep(ctx, repo, snap, st, o)
			res.DurationSec = time.Since(start).Seconds()
			res.Status = status
			if err != nil {
				res.Status, res.Error = StatusFailed, err.Error()
				firstErr = &stepError{msg: fmt.Sprintf("step %d of %d (%s) failed", i+1, len(p.Steps), strings.TrimSpace(st.Kind+" "+st.Source)), err: err}
				rep.OK = false
			}
			if o.StepDone != nil {
				o.StepDone(i, res)
			}
		}
		rep.Steps = append(rep.Steps, res)
	}
	return rep, firstErr
}

func runStep(ctx context.Context, repo *repository.Repository, snap *snapshot.Snapshot, st Step, o ApplyOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return StatusFailed, err
	}
	switch st.Kind {
	case StepFiles:
		_, err := restore.Run(ctx, repo, snap, restore.Options{Target: st.Target, Reporter: o.Reporter,
			SameOwner: o.SameOwner, KeepSpecialBits: o.KeepSpecialBits})
		return StatusDone, err
	case StepCommand:
		src, err := capture.FindSource(snap, st.Source)
		if err != nil {
			return StatusFailed, err
		}
		return StatusDone, capture.RunRestore(ctx, repo, src, capture.RestoreOptions{
			Command: st.Command, Dir: o.Dir, Env: o.Env, Stdout: o.Stdout, Stderr: o.Stderr, Reporter: o.Reporter,
		})
	case StepImage:
		if o.Images == nil {
			return StatusFailed, errors.New("no registry client configured")
		}
		moved, err := o.Images.Repoint(ctx, st.Image, st.Digest)
		if err == nil && !moved {
			return StatusUnchanged, nil
		}
		return StatusDone, err
	}
	return StatusFailed, fmt.Errorf("unknown step kind %q", st.Kind)
}

// stepError wraps both ErrStepFailed and the step's own error.
type stepError struct {
	msg string
	err error
}

func (e *stepError) Error() string   { return e.msg + ": " + e.err.Error() }
func (e *stepError) Unwrap() []error { return []error{ErrStepFailed, e.err} }
