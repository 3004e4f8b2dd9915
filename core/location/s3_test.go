package location_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/testenv"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func openS3(t *testing.T, url string, opts location.Options) s3.Options {
	t.Helper()
	b, err := location.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	defer b.Close()
	sb, ok := b.(*s3.Backend)
	if !ok {
		t.Fatalf("Open(%q) returned %T", url, b)
	}
	return sb.Options()
}

func TestS3URL(t *testing.T) {
	for url, want := range map[string][2]string{
		"s3://bucket":               {"bucket", ""},
		"s3://bucket/":              {"bucket", ""},
		"s3://bucket/ci/cache":      {"bucket", "ci/cache"},
		"s3://bucket/ci/cache/":     {"bucket", "ci/cache"},
		"s3://my.bucket/a":          {"my.bucket", "a"},
		"s3://bucket-1/x/y/z/snaps": {"bucket-1", "x/y/z/snaps"},
	} {
		o := openS3(t, url, location.Options{})
		if o.Bucket != want[0] || o.Prefix != want[1] {
			t.Errorf("%s: bucket %q prefix %q, want %q %q", url, o.Bucket, o.Prefix, want[0], want[1])
		}
	}
	for _, url := range []string{"s3://", "s3:///prefix", "s3://host:9000/bucket", "s3://key@bucket/x", "s3://bucket/a//b"} {
		_, err := location.Open(t.Context(), url, location.Options{})
		if !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", url, err)
		}
	}
}

func TestS3EnvFallbacks(t *testing.T) {
	o := openS3(t, "s3://b/p", location.Options{Getenv: env(map[string]string{
		"AWS_ENDPOINT_URL":           "http://aws-endpoint:9000",
		"AWS_DEFAULT_REGION":         "eu-west-3",
		"SAVEPOINT_S3_PATH_STYLE":    "true",
		"SAVEPOINT_S3_STORAGE_CLASS": "GLACIER_IR",
	})})
	if o.Endpoint != "http://aws-endpoint:9000" || o.Region != "eu-west-3" || !o.PathStyle || o.StorageClass != "GLACIER_IR" {
		t.Fatalf("env fallbacks not applied: %+v", o)
	}
	// The savepoint variables win over the AWS ones, flags over both.
	o = openS3(t, "s3://b", location.Options{Getenv: env(map[string]string{
		"SAVEPOINT_S3_ENDPOINT": "sp:1", "AWS_ENDPOINT_URL_S3": "s3ep:2", "AWS_ENDPOINT_URL": "ep:3",
		"SAVEPOINT_S3_REGION": "r1", "AWS_REGION": "r2", "AWS_DEFAULT_REGION": "r3",
	})})
	if o.Endpoint != "sp:1" || o.Region != "r1" {
		t.Fatalf("precedence wrong: %+v", o)
	}
	o = openS3(t, "s3://b", location.Options{
		S3:     location.S3Options{Endpoint: "flag:4", Region: "flag-region"},
		Getenv: env(map[string]string{"SAVEPOINT_S3_ENDPOINT": "sp:1", "AWS_REGION": "r2"}),
	})
	if o.Endpoint != "flag:4" || o.Region != "flag-region" {
		t.Fatalf("flags must win over the environment: %+v", o)
	}
	o = openS3(t, "s3://b", location.Options{Getenv: env(map[string]string{"AWS_ENDPOINT_URL_S3": "s3ep:2", "AWS_ENDPOINT_URL": "ep:3"})})
	if o.Endpoint != "s3ep:2" || o.Region != "us-east-1" {
		t.Fatalf("AWS_ENDPOINT_URL_S3 must win, a custom endpoint defaults to us-east-1: %+v", o)
	}
	if _, err := location.Open(t.Context(), "s3://b", location.Options{Getenv: env(map[string]string{"AWS_CA_BUNDLE": "/nonexistent.pem"})}); !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), "CA file") {
		t.Fatalf("AWS_CA_BUNDLE must be read as the CA file: %v", err)
	}
	_, err := location.Open(t.Context(), "s3://b", location.Options{Getenv: env(map[string]string{"SAVEPOINT_S3_INSECURE": "maybe"})})
	if !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("a bad boolean must be refused: %v", err)
	}
	if o = openS3(t, "s3://b", location.Options{Getenv: env(map[string]string{"SAVEPOINT_S3_TIMEOUT": "7s"})}); o.IdleTimeout != 7*time.Second {
		t.Fatalf("SAVEPOINT_S3_TIMEOUT=7s gave an idle timeout of %s", o.IdleTimeout)
	}
	for _, bad := range []string{"5", "-1s", "soon"} {
		_, err := location.Open(t.Context(), "s3://b", location.Options{Getenv: env(map[string]string{"SAVEPOINT_S3_TIMEOUT": bad})})
		if !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), "SAVEPOINT_S3_TIMEOUT") {
			t.Fatalf("SAVEPOINT_S3_TIMEOUT=%s must be refused: %v", bad, err)
		}
	}
}

// TestS3OptionsFromCaller: S3Options is the backend's Options; what the
// caller sets wins over the environment, and the URL names the bucket.
func TestS3OptionsFromCaller(t *testing.T) {
	o := openS3(t, "s3://url-bucket/url/prefix", location.Options{
		Connections: 3,
		S3:          location.S3Options{Bucket: "ignored", IdleTimeout: 2 * time.Second, MaxRetries: 4},
		Getenv:      env(map[string]string{"SAVEPOINT_S3_TIMEOUT": "7s"}),
	})
	if o.Bucket != "url-bucket" || o.Prefix != "url/prefix" || o.Connections != 3 || o.IdleTimeout != 2*time.Second || o.MaxRetries != 4 {
		t.Fatalf("caller's options not kept: %+v", o)
	}
}

// TestS3ThroughLocation opens a MinIO repository the way the CLI does:
// endpoint and keys from the environment only.
func TestS3ThroughLocation(t *testing.T) {
	endpoint := testenv.Require(t, "SAVEPOINT_TEST_S3_ENDPOINT")
	opts := location.Options{Getenv: env(map[string]string{
		"SAVEPOINT_S3_ENDPOINT": "http://" + endpoint,
		"AWS_ACCESS_KEY_ID":     testenv.Require(t, "SAVEPOINT_TEST_S3_ACCESS_KEY"),
		"AWS_SECRET_ACCESS_KEY": testenv.Require(t, "SAVEPOINT_TEST_S3_SECRET_KEY"),
	})}
	ctx := t.Context()
	b, err := location.Open(ctx, "s3://sp-location-test/some/prefix", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.(storage.Creator).Create(ctx); err != nil {
		t.Fatal(err)
	}
	h := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	if err := b.Save(ctx, h, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := storage.LoadAll(ctx, b, h)
	if err != nil || string(got) != "hello" {
		t.Fatalf("LoadAll = %q, %v", got, err)
	}
}
