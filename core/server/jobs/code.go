package jobs

import (
	"context"
	"errors"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Code classifies how a job ended when it did not simply succeed. Clients
// decide on it, never on the error's text: `savepoint remote jobs status
// --wait` turns it into the exit code a local run of the same operation
// would have had.
type Code string

// Codes.
const (
	CodeOK           Code = ""
	CodePartial      Code = "partial"       // committed, but some files were unreadable (save) or entries refused (restore)
	CodeFailed       Code = "failed"        // anything else; nothing was committed
	CodeLocked       Code = "locked"        // another prune holds the repository's lease, or a prune job runs
	CodeNoSnapshot   Code = "no-snapshot"   // no snapshot matches the reference
	CodeNoPassword   Code = "no-password"   // the server holds no (or a wrong) password for the repository
	CodeNoRepository Code = "no-repository" // no repository of that name
	CodeQuota        Code = "quota"         // the storage quota is exceeded
	CodeInvalid      Code = "invalid"       // the job's options were refused
	CodeRefused      Code = "refused"       // a server the job reached refused its token (sync's source)
	CodeCancelled    Code = "cancelled"     // cancelled by a DELETE
	CodeInterrupted  Code = "interrupted"   // the server stopped while it ran
)

// codes maps sentinel errors to codes, first match wins.
var codes = []struct {
	err  error
	code Code
}{
	{save.ErrPartial, CodePartial},
	{restore.ErrRefused, CodePartial},
	{prune.ErrLeaseHeld, CodeLocked},
	{prune.ErrLeaseStale, CodeLocked},
	{ErrBusy, CodeLocked},
	{snapshot.ErrNotFound, CodeNoSnapshot},
	{rollback.ErrNoCheckpoint, CodeNoSnapshot},
	{repos.ErrNoPassword, CodeNoPassword},
	{crypto.ErrWrongPassword, CodeNoPassword},
	{repository.ErrNeedPassword, CodeNoPassword},
	{repository.ErrNoRepository, CodeNoRepository},
	{storage.ErrNoContainer, CodeNoRepository},
	{storage.ErrQuota, CodeQuota},
	{forget.ErrPolicy, CodeInvalid},
	{storage.ErrInvalid, CodeInvalid},
	{storage.ErrPermission, CodeRefused},
	{context.Canceled, CodeCancelled},
}

// CodeOf classifies err (nil: CodeOK).
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeFailed
}
