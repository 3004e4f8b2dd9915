package prune_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/internal/testclock"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// On MinIO the server stamps ModTimes with its own clock, so the test
// runs on the wall clock with a grace period of seconds; writers that take
// longer than a second do not commit. The clock-skew margin covers the
// server's one-second timestamps.
func TestConcurrentWritersAndPruneOnMinIO(t *testing.T) {
	m := testenv.RequireMinIO(t)
	env := map[string]string{
		"SAVEPOINT_S3_ENDPOINT":   m.Endpoint,
		"AWS_ACCESS_KEY_ID":       m.AccessKey,
		"AWS_SECRET_ACCESS_KEY":   m.SecretKey,
		"SAVEPOINT_S3_INSECURE":   "true",
		"SAVEPOINT_S3_PATH_STYLE": "true",
		"SAVEPOINT_S3_REGION":     "us-east-1",
	}
	b := make([]byte, 6)
	rand.Read(b)
	url := "s3://prune-" + hex.EncodeToString(b) + "/repo"
	be, err := location.Open(t.Context(), url, location.Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	stress(t, be, testclock.Real(), stressParams{writers: 2, prunes: 20, pause: 250 * time.Millisecond,
		grace: 3 * time.Second, limit: 1500 * time.Millisecond, skew: new(time.Second)})
}
