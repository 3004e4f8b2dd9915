// Package testenv gives integration tests the addresses of the real servers
// (MinIO, registry, PostgreSQL) that `make test` starts. A test that needs a
// server calls Require: when the variable is missing the test fails, unless
// it runs under `go test -short`, where it is skipped. CI never runs -short,
// so a missing server can never hide behind a skip there.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

// Require returns the value of the environment variable name, set by
// scripts/test.sh from the running services.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if testing.Short() {
		t.Skipf("%s not set (integration server not started); skipped under -short", name)
	}
	t.Fatalf("%s is not set: run the tests through `make test`, which starts the servers (or use -short to skip integration tests)", name)
	return ""
}

// MinIO is the MinIO server scripts/services/minio.sh started.
type MinIO struct {
	Endpoint  string // host:port, plain HTTP
	AccessKey string
	SecretKey string
}

// RequireMinIO returns the MinIO server's address and keys (see Require).
func RequireMinIO(t testing.TB) MinIO {
	t.Helper()
	return MinIO{
		Endpoint:  Require(t, "SAVEPOINT_TEST_S3_ENDPOINT"),
		AccessKey: Require(t, "SAVEPOINT_TEST_S3_ACCESS_KEY"),
		SecretKey: Require(t, "SAVEPOINT_TEST_S3_SECRET_KEY"),
	}
}

// Unique returns prefix followed by 12 random hex digits: a name (bucket,
// registry repository, key prefix) that no other test or run on the same
// server uses.
func Unique(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
