package storage

import "errors"

// Sentinel errors. Backends wrap them (fmt.Errorf("...: %w", ErrNotFound)) so
// the message keeps the native detail while callers test with errors.Is.
var (
	// ErrNotFound: the object does not exist.
	ErrNotFound = errors.New("object not found")
	// ErrNoContainer: the repository's container (directory, bucket,
	// registry repository) does not exist.
	ErrNoContainer = errors.New("repository location does not exist")
	// ErrPermission: credentials are missing, wrong or not allowed to do this.
	ErrPermission = errors.New("permission denied")
	// ErrUnavailable: the service could not be reached or kept failing
	// after retries; the operation may succeed later.
	ErrUnavailable = errors.New("storage unavailable")
	// ErrInvalid: the request was refused as malformed (bad name, bad
	// range, a registry refusing our artifact type, ...).
	ErrInvalid = errors.New("invalid request")
	// ErrQuota: the repository's storage quota would be exceeded (a
	// server's quota); nothing stored was changed. Deleting data or raising
	// the quota helps, retrying does not.
	ErrQuota = errors.New("storage quota exceeded")
)
