package s3

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/minio/minio-go/v7"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// Errors a caller may explain in its own terms (the command line names its
// flags); each wraps the storage sentinel it is a case of.
var (
	// ErrWrongRegion: the bucket is in another region than the one asked,
	// or served from another endpoint.
	ErrWrongRegion = fmt.Errorf("wrong region or endpoint for the bucket: %w", storage.ErrInvalid)
	// ErrUntrusted: the endpoint's TLS certificate is not trusted.
	ErrUntrusted = fmt.Errorf("TLS certificate not trusted: %w", storage.ErrUnavailable)
	// ErrPlainHTTP: an https:// endpoint answered in plain HTTP.
	ErrPlainHTTP = fmt.Errorf("the endpoint speaks plain HTTP, not HTTPS: %w", storage.ErrInvalid)
)

// translate turns a minio-go or transport error into one line that names
// the cause and wraps a storage sentinel. what says what was being done
// ("loading data/ab12..."). Messages never carry credentials: for refused
// authentication only the S3 error code is shown.
func (b *Backend) translate(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	var early opFailure
	if errors.As(context.Cause(ctx), &early) {
		return fmt.Errorf("s3: %s: %w", what, early.error)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("s3: %s: %w", what, ctx.Err())
	}
	var er minio.ErrorResponse
	if errors.As(err, &er) && (er.Code != "" || er.StatusCode != 0) {
		return b.translateResponse(er, what)
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua), errors.As(err, &ci):
		return fmt.Errorf("s3: %s: %s: %w", what, b.client.EndpointURL().Host, ErrUntrusted)
	case errors.As(err, &hn):
		return fmt.Errorf("s3: %s: the TLS certificate of %s does not match the host name: %w", what, b.client.EndpointURL().Host, storage.ErrUnavailable)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("s3: %s: %s: %w", what, b.client.EndpointURL().Host, ErrPlainHTTP)
	}
	var ue *url.Error
	var ne net.Error
	var errno syscall.Errno
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &errno) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("s3: %s: %s failed after %d attempts (%s): %w", what, b.client.EndpointURL().Host, b.maxRetries, transfer.ShortNetError(err), storage.ErrUnavailable)
	}
	return fmt.Errorf("s3: %s: %s: %w", what, oneLine(err.Error()), storage.ErrInvalid)
}

// translateResponse maps an S3 error response to a sentinel.
func (b *Backend) translateResponse(er minio.ErrorResponse, what string) error {
	bucket := b.opts.Bucket
	if er.StatusCode == 403 || er.Code == "AccessDenied" {
		if hint := b.credentialsHint(); hint != "" {
			return fmt.Errorf("s3: %s: access to bucket %q denied: %s: %w", what, bucket, hint, storage.ErrPermission)
		}
	}
	switch er.Code {
	case "NoSuchKey", "NotFound":
		return fmt.Errorf("s3: %s: %w", what, storage.ErrNotFound)
	case "NoSuchBucket":
		return fmt.Errorf("s3: %s: bucket %q does not exist (create it with `savepoint init`): %w", what, bucket, storage.ErrNoContainer)
	case "InvalidAccessKeyId":
		return fmt.Errorf("s3: %s: the access key is not known to %s (check AWS_ACCESS_KEY_ID or the credentials profile): %w", what, b.client.EndpointURL().Host, storage.ErrPermission)
	case "SignatureDoesNotMatch":
		return fmt.Errorf("s3: %s: the secret key does not match the access key (check AWS_SECRET_ACCESS_KEY): %w", what, storage.ErrPermission)
	case "AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidToken", "ExpiredToken", "InvalidSecurity":
		return fmt.Errorf("s3: %s: access to bucket %q denied (%s; check the credentials and the bucket policy): %w", what, bucket, er.Code, storage.ErrPermission)
	case "AuthorizationHeaderMalformed", "InvalidRegion", "PermanentRedirect", "IllegalLocationConstraintException", "AuthorizationQueryParametersError":
		if er.Region != "" {
			return fmt.Errorf("s3: %s: bucket %q is in region %s, not %s: %w", what, bucket, er.Region, b.regionName(), ErrWrongRegion)
		}
		return fmt.Errorf("s3: %s: region %s is not bucket %q's (%s): %w", what, b.regionName(), bucket, er.Code, ErrWrongRegion)
	case "InvalidRange":
		return fmt.Errorf("s3: %s: range is past the end of the object: %w", what, storage.ErrInvalid)
	case "InvalidBucketName":
		return fmt.Errorf("s3: %s: %q is not a valid bucket name: %w", what, bucket, storage.ErrInvalid)
	case "BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch":
		return fmt.Errorf("s3: %s: the upload was corrupted on the way (%s), it was not stored: %w", what, er.Code, storage.ErrUnavailable)
	}
	code := er.Code
	if code == "" {
		code = fmt.Sprintf("HTTP %d", er.StatusCode)
	}
	switch {
	case er.StatusCode >= 500 || er.StatusCode == 429 || er.StatusCode == 408 || strings.HasPrefix(er.Code, "SlowDown") || strings.Contains(er.Code, "Throttl"):
		return fmt.Errorf("s3: %s: %s kept failing after %d attempts (%s): %w", what, b.client.EndpointURL().Host, b.maxRetries, code, storage.ErrUnavailable)
	case er.StatusCode == 404:
		return fmt.Errorf("s3: %s: %s: %w", what, code, storage.ErrNotFound)
	case er.StatusCode == 403 || er.StatusCode == 401:
		return fmt.Errorf("s3: %s: access to bucket %q denied (%s): %w", what, bucket, code, storage.ErrPermission)
	case er.StatusCode == 301 || er.StatusCode == 307:
		return fmt.Errorf("s3: %s: bucket %q is served from another endpoint or region (%s): %w", what, bucket, code, ErrWrongRegion)
	}
	msg := code
	if er.Message != "" {
		msg += ": " + oneLine(er.Message)
	}
	return fmt.Errorf("s3: %s: %s: %w", what, msg, storage.ErrInvalid)
}

func (b *Backend) regionName() string {
	if b.opts.Region == "" {
		return "(auto)"
	}
	return b.opts.Region
}

// oneLine keeps the first line of s, at most 200 bytes.
func oneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
