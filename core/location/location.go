// Package location turns a repository URL (a path, file://, s3://, oci://,
// https:// for a savepoint server) into the storage.Backend that serves
// it. It is the only place that knows every backend; the engine sees only
// storage.Backend.
package location

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/local"
)

// Options carries the backend-specific settings gathered by the CLI.
type Options struct {
	// Getenv looks up environment variables (credentials, CI conventions);
	// nil means no environment.
	Getenv func(string) string
	// Connections bounds parallel requests to remote backends (0: default).
	Connections int
	S3          S3Options
	OCI         OCIOptions
	Server      ServerOptions
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

// ErrNoLocation means the repository URL is empty.
var ErrNoLocation = errors.New("no repository given")

// ErrEndpointInURL: an s3:// location holds more than a bucket and a
// prefix, most likely the endpoint, which is given separately.
var ErrEndpointInURL = fmt.Errorf("not s3://bucket/prefix, an endpoint is not part of it: %w", storage.ErrInvalid)

// Scheme returns the URL scheme of a repository location: "local", "s3",
// "oci" or "server" (http:// and https://).
func Scheme(url string) string {
	switch {
	case strings.HasPrefix(url, "https://"), strings.HasPrefix(url, "http://"):
		return "server"
	case strings.HasPrefix(url, "s3://"):
		return "s3"
	case strings.HasPrefix(url, "oci://"):
		return "oci"
	}
	return "local"
}

// Open returns the backend for url. It does not contact remote services.
func Open(ctx context.Context, url string, opts Options) (storage.Backend, error) {
	if url == "" {
		return nil, ErrNoLocation
	}
	switch Scheme(url) {
	case "s3":
		return openS3(ctx, url, opts)
	case "oci":
		return openOCI(ctx, url, opts)
	case "server":
		return openServer(url, opts)
	}
	if i := strings.Index(url, "://"); i >= 0 && !strings.HasPrefix(url, "file://") {
		return nil, fmt.Errorf("unknown repository scheme %q: use a path, file://, s3://, oci:// or https://", url[:i+3])
	}
	return local.New(strings.TrimPrefix(url, "file://"))
}
