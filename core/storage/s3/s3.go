// Package s3 is the storage.Backend for S3-compatible object stores (AWS S3,
// MinIO, Cloudflare R2, ...) built on minio-go.
//
// Objects live at <prefix>/<kind>/<name> in one bucket. Every object is
// written with a single PutObject request (never multipart) carrying a
// Content-MD5 checksum, so an object is either stored whole or not at all.
// Loads are ranged GETs. Requests are counted per HTTP attempt, by kind, in
// a RoundTripper wrapper (see transport.go); retries happen in exactly one
// place, minio-go's own retry loop (see the Retries section of transport.go).
package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// DefaultEndpoint is used when Options.Endpoint is empty.
const DefaultEndpoint = "s3.amazonaws.com"

// Options configure a Backend. The zero value (plus a bucket) talks to AWS S3
// over HTTPS with credentials from the standard provider chain.
type Options struct {
	// Bucket holds the repository; Prefix (optional, no leading or trailing
	// slash) is the key prefix below which the repository lives.
	Bucket string
	Prefix string
	// Endpoint is host[:port] of the S3 service, or a URL (http:// turns
	// TLS off, https:// on). Empty: AWS S3.
	Endpoint string
	// Region of the bucket. Empty: us-east-1 for non-AWS endpoints; for AWS
	// minio-go looks the bucket's region up once (one GET ?location).
	Region string
	// PathStyle forces path-style addressing (endpoint/bucket/key);
	// VirtualHost forces virtual-host style (bucket.endpoint/key). Neither:
	// virtual-host for AWS and Google endpoints, path-style elsewhere
	// (MinIO, R2 and most self-hosted stores accept path-style).
	PathStyle   bool
	VirtualHost bool
	// Insecure uses plain HTTP instead of HTTPS.
	Insecure bool
	// CAFile is a PEM file of extra CA certificates to trust.
	CAFile string
	// StorageClass is applied to data packs only (Kind data), so metadata
	// stays readable without a restore from an archive class.
	StorageClass string
	// Connections is the number of parallel transfers the caller makes
	// (0: 8): that many connections are kept alive, at most 2*Connections+4
	// are opened.
	Connections int
	// Credentials overrides the provider chain (tests, static keys from
	// flags). Nil: NewCredentials(Profile, nil).
	Credentials *credentials.Credentials
	// Profile selects the profile in the AWS shared credentials file
	// (empty: AWS_PROFILE, then "default").
	Profile string
	// MaxRetries is the number of attempts per request (0: 10; 1: none).
	MaxRetries int
	// RefusedAttempts is how many refused connections (nothing listens,
	// unknown host) an operation tolerates before it fails (0: 3).
	RefusedAttempts int
	// IdleTimeout fails an attempt that moves no byte for that long while
	// sending, waiting for the answer or receiving it (0:
	// transfer.DefaultIdle, 5s). A stalled attempt is retried at once on a
	// fresh connection; a stalled download is resumed.
	IdleTimeout time.Duration
	// TimeoutAttempts is how many attempts of one operation may stall for
	// IdleTimeout before the operation fails (0: 3): a store that lost its
	// quorum can hold a request for many minutes, and each of ten attempts
	// would cost the idle timeout.
	TimeoutAttempts int
	// WrapTransport, when set, wraps the HTTP transport below the request
	// counter (fault injection in tests).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Backend is an S3 bucket (and prefix) holding a repository.
type Backend struct {
	storage.Counter
	client     *minio.Client
	core       minio.Core
	opts       Options
	transport  *http.Transport
	maxRetries int
	refused    int
	timeouts   int // stalled attempts an operation tolerates
}

var _ storage.Backend = (*Backend)(nil)

// Networked: every request crosses the network (storage.Networked).
func (b *Backend) Networked() bool { return true }

var _ storage.Creator = (*Backend)(nil)

// New returns a Backend for opts. It does not contact the service.
func New(opts Options) (*Backend, error) {
	if opts.Bucket == "" {
		return nil, fmt.Errorf("s3: no bucket given (use s3://bucket/prefix): %w", storage.ErrInvalid)
	}
	opts.Prefix = strings.Trim(opts.Prefix, "/")
	if opts.PathStyle && opts.VirtualHost {
		return nil, fmt.Errorf("s3: path-style and virtual-host addressing exclude each other: %w", storage.ErrInvalid)
	}
	endpoint, secure, err := splitEndpoint(opts.Endpoint, !opts.Insecure)
	if err != nil {
		return nil, err
	}
	if opts.Endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if opts.Region == "" && endpoint != DefaultEndpoint && !strings.HasSuffix(endpoint, ".amazonaws.com") {
		opts.Region = "us-east-1"
	}
	b := &Backend{opts: opts, maxRetries: opts.MaxRetries, refused: opts.RefusedAttempts, timeouts: opts.TimeoutAttempts}
	if b.maxRetries <= 0 {
		b.maxRetries = 10
	}
	if b.refused <= 0 {
		b.refused = 3
	}
	if b.timeouts <= 0 {
		b.timeouts = 3
	}
	rt, err := b.newTransport()
	if err != nil {
		return nil, err
	}
	if opts.Credentials == nil {
		opts.Credentials = NewCredentials(opts.Profile, nil)
	}
	b.opts.Credentials = opts.Credentials
	lookup := minio.BucketLookupAuto
	switch {
	case opts.PathStyle:
		lookup = minio.BucketLookupPath
	case opts.VirtualHost:
		lookup = minio.BucketLookupDNS
	}
	b.client, err = minio.New(endpoint, &minio.Options{
		Creds:        opts.Credentials,
		Secure:       secure,
		Transport:    rt,
		Region:       opts.Region,
		BucketLookup: lookup,
		MaxRetries:   b.maxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: endpoint %q: %v: %w", endpoint, err, storage.ErrInvalid)
	}
	b.core = minio.Core{Client: b.client}
	return b, nil
}

// splitEndpoint accepts host[:port] or an http(s) URL and returns host[:port]
// and whether to use TLS.
func splitEndpoint(ep string, secure bool) (string, bool, error) {
	switch {
	case strings.HasPrefix(ep, "https://"):
		ep, secure = strings.TrimPrefix(ep, "https://"), true
	case strings.HasPrefix(ep, "http://"):
		ep, secure = strings.TrimPrefix(ep, "http://"), false
	case strings.Contains(ep, "://"):
		return "", false, fmt.Errorf("s3: endpoint %q: only http:// and https:// are supported: %w", ep, storage.ErrInvalid)
	}
	ep = strings.TrimRight(ep, "/")
	if strings.Contains(ep, "/") {
		return "", false, fmt.Errorf("s3: endpoint %q must be a host[:port], without a path: %w", ep, storage.ErrInvalid)
	}
	return ep, secure, nil
}

// Location returns s3://bucket/prefix, plus the endpoint when it is not AWS.
func (b *Backend) Location() string {
	loc := "s3://" + b.opts.Bucket
	if b.opts.Prefix != "" {
		loc += "/" + b.opts.Prefix
	}
	if b.opts.Endpoint != "" {
		loc += " at " + b.client.EndpointURL().Host
	}
	return loc
}

// Options returns the settings in effect (defaults applied).
func (b *Backend) Options() Options { return b.opts }

// key returns the object key of h.
func (b *Backend) key(h storage.Handle) string {
	return b.kindPrefix(h.Kind) + h.Name
}

// kindPrefix is the key prefix, ending in "/", of the objects of kind k.
func (b *Backend) kindPrefix(k storage.Kind) string {
	if b.opts.Prefix == "" {
		return string(k) + "/"
	}
	return b.opts.Prefix + "/" + string(k) + "/"
}

// Close releases idle connections.
func (b *Backend) Close() error {
	b.transport.CloseIdleConnections()
	return nil
}

// Create makes the bucket unless it exists already. It only needs
// s3:CreateBucket when the bucket is missing.
func (b *Backend) Create(ctx context.Context) error {
	ctx, done := b.op(ctx)
	defer done()
	ok, err := b.client.BucketExists(ctx, b.opts.Bucket)
	if err != nil {
		return b.translate(ctx, err, "checking bucket "+b.opts.Bucket)
	}
	if ok {
		return nil
	}
	err = b.client.MakeBucket(ctx, b.opts.Bucket, minio.MakeBucketOptions{Region: b.opts.Region})
	if err != nil {
		var er minio.ErrorResponse
		if errors.As(err, &er) && er.Code == "BucketAlreadyOwnedByYou" {
			return nil
		}
		return b.translate(ctx, err, "creating bucket "+b.opts.Bucket)
	}
	return nil
}
