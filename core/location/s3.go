package location

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
)

// S3Options are the settings of s3:// repositories: the s3 backend's own
// Options, filled by the CLI from its --s3-* flags. Bucket and Prefix come
// from the URL and Connections from Options.Connections; empty fields fall
// back to the environment (see openS3):
//
//	Endpoint      SAVEPOINT_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL (none: AWS S3)
//	Region        SAVEPOINT_S3_REGION, AWS_REGION, AWS_DEFAULT_REGION
//	PathStyle     SAVEPOINT_S3_PATH_STYLE
//	VirtualHost   SAVEPOINT_S3_VIRTUAL_HOST
//	Insecure      SAVEPOINT_S3_INSECURE
//	CAFile        SAVEPOINT_S3_CA_FILE, AWS_CA_BUNDLE
//	StorageClass  SAVEPOINT_S3_STORAGE_CLASS
//	Profile       SAVEPOINT_S3_PROFILE, AWS_PROFILE
//	IdleTimeout   SAVEPOINT_S3_TIMEOUT
//	Credentials   s3.NewCredentials(Profile, Getenv)
type S3Options = s3.Options

// openS3 parses s3://bucket[/prefix] and builds the backend. Credentials
// come from minio-go's provider chain (s3.NewCredentials): keys in the
// environment, the shared credentials file, web identity, instance roles.
func openS3(ctx context.Context, url string, opts Options) (storage.Backend, error) {
	bucket, prefix, err := parseS3URL(url)
	if err != nil {
		return nil, err
	}
	o := opts.S3
	first := func(v string, envs ...string) string {
		for _, e := range envs {
			if v != "" {
				break
			}
			v = opts.getenv(e)
		}
		return v
	}
	flag := func(v bool, env string) (bool, error) {
		s := opts.getenv(env)
		if v || s == "" {
			return v, nil
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false, fmt.Errorf("%s=%q: want true or false: %w", env, s, storage.ErrInvalid)
		}
		return b, nil
	}
	if o.PathStyle, err = flag(o.PathStyle, "SAVEPOINT_S3_PATH_STYLE"); err != nil {
		return nil, err
	}
	if o.VirtualHost, err = flag(o.VirtualHost, "SAVEPOINT_S3_VIRTUAL_HOST"); err != nil {
		return nil, err
	}
	if o.Insecure, err = flag(o.Insecure, "SAVEPOINT_S3_INSECURE"); err != nil {
		return nil, err
	}
	if o.IdleTimeout == 0 {
		// SAVEPOINT_S3_TIMEOUT: how long an attempt may move no byte;
		// three such stalls fail the operation (default 5s).
		if o.IdleTimeout, err = durationEnv(opts.getenv, "SAVEPOINT_S3_TIMEOUT"); err != nil {
			return nil, err
		}
	}
	o.Bucket, o.Prefix, o.Connections = bucket, prefix, opts.Connections
	o.Endpoint = first(o.Endpoint, "SAVEPOINT_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
	o.Region = first(o.Region, "SAVEPOINT_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")
	o.CAFile = first(o.CAFile, "SAVEPOINT_S3_CA_FILE", "AWS_CA_BUNDLE")
	o.StorageClass = first(o.StorageClass, "SAVEPOINT_S3_STORAGE_CLASS")
	o.Profile = first(o.Profile, "SAVEPOINT_S3_PROFILE", "AWS_PROFILE")
	if o.Credentials == nil {
		o.Credentials = s3.NewCredentials(o.Profile, opts.Getenv)
	}
	return s3.New(o)
}

// durationEnv reads a positive Go duration (30s, 2m) from env; unset is 0.
func durationEnv(getenv func(string) string, env string) (time.Duration, error) {
	s := getenv(env)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 30s: %w", env, s, storage.ErrInvalid)
	}
	return d, nil
}

// parseS3URL splits s3://bucket/prefix/path into bucket and prefix.
func parseS3URL(url string) (bucket, prefix string, err error) {
	rest := strings.TrimPrefix(url, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("repository %q names no bucket: use s3://bucket or s3://bucket/prefix: %w", url, storage.ErrInvalid)
	}
	if strings.ContainsAny(bucket, ":@?#") || strings.Contains(prefix, "//") || strings.ContainsAny(prefix, "?#") {
		return "", "", fmt.Errorf("repository %q: %w", url, ErrEndpointInURL)
	}
	return bucket, prefix, nil
}
