package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// sentinels are the errors each code stands for: the sentinels a local
// run of the same operation returns, so a job's outcome has the exit code
// the operation has in the CLI.
var sentinels = map[jobs.Code]error{
	jobs.CodePartial:      save.ErrPartial,
	jobs.CodeLocked:       prune.ErrLeaseHeld,
	jobs.CodeNoSnapshot:   snapshot.ErrNotFound,
	jobs.CodeNoPassword:   repos.ErrNoPassword,
	jobs.CodeNoRepository: storage.ErrNoContainer,
	jobs.CodeQuota:        storage.ErrQuota,
	jobs.CodeInvalid:      storage.ErrInvalid,
	jobs.CodeRefused:      storage.ErrPermission,
	jobs.CodeCancelled:    context.Canceled,
	jobs.CodeInterrupted:  context.Canceled,
	jobs.CodeFailed:       ErrJobFailed,
}

// Err is the error for code with message msg (nil for jobs.CodeOK).
func Err(code jobs.Code, msg string) error {
	if code == jobs.CodeOK {
		return nil
	}
	s, ok := sentinels[code]
	if !ok {
		s = ErrJobFailed
	}
	if rest, ok := strings.CutSuffix(msg, ": "+s.Error()); ok {
		msg = rest // the message names the sentinel already
	}
	return fmt.Errorf("%s: %w", msg, s)
}

// JobErr is the error of a finished job (nil when it succeeded).
func JobErr(j jobs.Job) error {
	if j.Code == jobs.CodeOK && j.State == jobs.StateSucceeded {
		return nil
	}
	msg := j.Error
	if msg == "" {
		msg = string(j.State)
	}
	err := Err(j.Code, fmt.Sprintf("job %s %s", j.ID, msg))
	if err == nil {
		err = fmt.Errorf("job %s %s: %w", j.ID, j.State, ErrJobFailed)
	}
	return err
}

// IsCancelled reports whether err is a job's cancellation.
func IsCancelled(err error) bool { return errors.Is(err, context.Canceled) }
