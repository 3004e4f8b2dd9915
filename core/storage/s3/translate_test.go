package s3

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// TestTranslate covers the answers MinIO cannot be made to give in a test
// (AWS's wrong-region redirects, throttling) without a server.
func TestTranslate(t *testing.T) {
	b, err := New(Options{Bucket: "bkt", Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		er      minio.ErrorResponse
		want    error
		message string
	}{
		{minio.ErrorResponse{Code: "AuthorizationHeaderMalformed", StatusCode: 400, Region: "eu-central-1"}, ErrWrongRegion, "is in region eu-central-1, not us-west-2"},
		{minio.ErrorResponse{Code: "PermanentRedirect", StatusCode: 301, Region: "ap-south-1"}, ErrWrongRegion, "is in region ap-south-1"},
		{minio.ErrorResponse{Code: "PermanentRedirect", StatusCode: 301}, ErrWrongRegion, "region us-west-2 is not"},
		{minio.ErrorResponse{StatusCode: 301}, ErrWrongRegion, "another endpoint or region"},
		{minio.ErrorResponse{Code: "SlowDown", StatusCode: 503}, storage.ErrUnavailable, "kept failing after 10 attempts (SlowDown)"},
		{minio.ErrorResponse{Code: "ThrottlingException", StatusCode: 400}, storage.ErrUnavailable, "ThrottlingException"},
		{minio.ErrorResponse{StatusCode: 502}, storage.ErrUnavailable, "HTTP 502"},
		{minio.ErrorResponse{Code: "NoSuchKey", StatusCode: 404}, storage.ErrNotFound, ""},
		{minio.ErrorResponse{Code: "NoSuchBucket", StatusCode: 404}, storage.ErrNoContainer, `bucket "bkt" does not exist`},
		{minio.ErrorResponse{Code: "AccessDenied", StatusCode: 403}, storage.ErrPermission, `access to bucket "bkt" denied`},
		{minio.ErrorResponse{Code: "ExpiredToken", StatusCode: 400}, storage.ErrPermission, "ExpiredToken"},
		{minio.ErrorResponse{Code: "InvalidRange", StatusCode: 416}, storage.ErrInvalid, "past the end"},
		{minio.ErrorResponse{Code: "BadDigest", StatusCode: 400}, storage.ErrUnavailable, "corrupted on the way"},
		{minio.ErrorResponse{Code: "Weird", StatusCode: 400, Message: "line one\nline two"}, storage.ErrInvalid, "Weird: line one"},
	} {
		err := b.translate(t.Context(), tc.er, "doing")
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: got %q, want %v containing %q", tc.er, err, tc.want, tc.message)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.translate(ctx, errors.New("whatever"), "doing"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled operation must report the cancellation: %v", err)
	}
}
