package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/image"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
)

// Exit codes (docs/cli.md). Scripts and the platform entrypoints decide on
// these, never on the text of the message.
const (
	ExitOK            = 0   // success
	ExitError         = 1   // the operation failed; nothing was committed
	ExitUsage         = 2   // bad flags or arguments
	ExitPartial       = 3   // committed, but some files were unreadable (save), entries refused (restore) or objects left unrepaired (repair)
	ExitNoRepository  = 10  // no repository at the location (or its directory, bucket, registry repository)
	ExitLocked        = 11  // a lease or lock was not obtained (another prune holds the lease, or it is stale)
	ExitPassword      = 12  // wrong or missing password
	ExitNoSnapshot    = 13  // no snapshot (or checkpoint) matches the reference
	ExitAccessRefused = 14  // the storage or the savepoint server refused the credentials or the token's role
	ExitQuota         = 15  // the storage quota is exceeded
	ExitInterrupted   = 130 // SIGINT or SIGTERM: stopped, nothing half-committed
)

// ErrInterrupted is the error of a run whose context was cancelled
// (SIGINT or SIGTERM in the binaries).
var ErrInterrupted = errors.New("interrupted")

// interrupted is the error of a cancelled run: it says "interrupted" and
// wraps both ErrInterrupted and what the command returned.
type interrupted struct{ err error }

func (e interrupted) Error() string   { return ErrInterrupted.Error() }
func (e interrupted) Unwrap() []error { return []error{ErrInterrupted, e.err} }

// exitCodes maps sentinel errors to exit codes, first match wins.
var exitCodes = []struct {
	err  error
	code int
}{
	{ErrInterrupted, ExitInterrupted},
	{context.Canceled, ExitInterrupted},
	{crypto.ErrWrongPassword, ExitPassword},
	{repository.ErrNeedPassword, ExitPassword},
	{repository.ErrPasswordRequired, ExitPassword},
	{repository.ErrNoRepository, ExitNoRepository},
	{storage.ErrNoContainer, ExitNoRepository},
	{prune.ErrLeaseHeld, ExitLocked},
	{prune.ErrLeaseStale, ExitLocked},
	{snapshot.ErrNotFound, ExitNoSnapshot},
	{rollback.ErrNoCheckpoint, ExitNoSnapshot},
	{storage.ErrPermission, ExitAccessRefused},
	{storage.ErrQuota, ExitQuota},
	{save.ErrPartial, ExitPartial},
	{repair.ErrIncomplete, ExitPartial},
	{repos.ErrNoPassword, ExitPassword},
}

// ExitCode is the exit code for the error a command returned (nil: 0).
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	for _, m := range exitCodes {
		if errors.Is(err, m.err) {
			return m.code
		}
	}
	return ExitError
}

// hints say how to fix an error of the core in the command line's terms:
// the core names no flag.
var hints = []struct {
	err  error
	hint string
}{
	{repository.ErrNeedPassword, "set SAVEPOINT_PASSWORD, --password-file or --password-command"},
	{repository.ErrPasswordRequired, "set SAVEPOINT_PASSWORD, --password-file or --password-command, or pass --no-encryption"},
	{repository.ErrNoRepository, "create one with 'savepoint init'"},
	{location.ErrNoLocation, "use --repo or SAVEPOINT_REPOSITORY"},
	{prune.ErrLeaseStale, "if no prune is running, run 'savepoint prune --break-lease'"},
	{rollback.ErrNoSelector, "use --name NAME (its newest checkpoint), --to SNAPSHOT or --before-commit SHA"},
	{rollback.ErrShortCommit, "--before-commit"},
	{rollback.ErrNoCheckpoint, "see 'savepoint snapshots --checkpoints'"},
	{rollback.ErrNeedTarget, "give --target DIR, or --no-files"},
	{rollback.ErrImageGone, "pin images with --pin so registry GC keeps them"},
	{save.ErrBlockDevice, "save its content with --device PATH or --read-special"},
	{repair.ErrIndexIncomplete, "run 'savepoint repair index' first"},
	{restore.ErrNotOneFile, "choose it with --include PATH"},
	{restore.ErrNoTarget, "use --target DIR"},
	{oci.ErrIncompleteCredentials, "give both --registry-user and --registry-password-env, the name of the variable holding the password or token (--image-user and --image-password-env for image sources)"},
	{oci.ErrNoCredentials, "use --registry-user with --registry-password-env, docker login, or the CI job's registry token"},
	{oci.ErrCredentialsRefused, "check --registry-user / --registry-password-env or docker login"},
	{oci.ErrPlainHTTP, "--insecure-registry allows it"},
	{oci.ErrUntrusted, "or use plain HTTP with --insecure-registry"},
	{s3.ErrWrongRegion, "set --s3-region (or AWS_REGION) to the bucket's region, or --s3-endpoint to its endpoint"},
	{s3.ErrUntrusted, "give its CA with --s3-ca-file"},
	{s3.ErrPlainHTTP, "use --s3-insecure, or an http:// endpoint"},
	{location.ErrEndpointInURL, "the endpoint goes in --s3-endpoint or SAVEPOINT_S3_ENDPOINT"},
	{server.ErrTLSPair, "give both --tls-cert and --tls-key, or neither"},
	{server.ErrPlainNotLoopback, "give --tls-cert and --tls-key, or --insecure-listen behind a TLS proxy"},
	{remote.ErrNoToken, "set SAVEPOINT_TOKEN or --token-file to a token from 'savepoint token create'"},
	{remote.ErrTokenInURL, "it goes in SAVEPOINT_TOKEN or --token-file"},
	{image.ErrAccessDenied, "--image-user with --image-password-env, --registry-user with --registry-password-env, CI_REGISTRY_USER, GITHUB_TOKEN or docker login"},
}

// withHint adds the command line's hint to an error that has one.
func withHint(err error) error {
	for _, h := range hints {
		if errors.Is(err, h.err) {
			return fmt.Errorf("%w (%s)", err, h.hint)
		}
	}
	return err
}

// usageError marks mistakes in flags or arguments (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// OneLine is the first line of s, trimmed: every error savepoint shows (on
// stderr, in an annotation, in result.json) is one line.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// ErrorLine is how the command line prints err: "savepoint: " and one line.
func ErrorLine(err error) string { return "savepoint: " + OneLine(err.Error()) }
