package remote_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestConformance runs the storage suite through a real `savepoint serve`
// process on loopback, local storage behind it, with an admin token (the
// suite replaces and removes objects).
func TestConformance(t *testing.T) {
	conformance(t, testserver.Start(t, testserver.Options{}))
}

// conformance runs the suite on new repositories of srv.
func conformance(t *testing.T, srv *testserver.Server) {
	token := srv.Token("*", "admin")
	n := 0
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		n++
		be, err := remote.New(remote.Options{URL: srv.Repo(fmt.Sprintf("conformance-%d", n)), Token: token})
		return storagetest.Created(t, be, err)
	})
}

// TestMissingRepository: a repository nobody created is ErrNoContainer,
// as a missing directory or bucket is.
func TestMissingRepository(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	be, err := remote.New(remote.Options{URL: srv.Repo("nothing-here"), Token: srv.Token("*", "read")})
	if err != nil {
		t.Fatal(err)
	}
	err = be.List(t.Context(), storage.KindSnapshot, func(storage.Info) error { return nil })
	if !errors.Is(err, storage.ErrNoContainer) {
		t.Fatalf("List in a missing repository: %v, want ErrNoContainer", err)
	}
}

// TestConformanceBehindStorages runs the suite through the server with each
// remote storage behind it: S3 (MinIO) and an OCI registry.
func TestConformanceBehindStorages(t *testing.T) {
	m := testenv.RequireMinIO(t)
	registry := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	suffix := testenv.Unique("")
	for _, tc := range []struct {
		name, storage string
		env           []string
	}{
		{"s3", "s3://sp-behind-" + suffix + "/srv", []string{"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey,
			"SAVEPOINT_S3_ENDPOINT=http://" + m.Endpoint, "AWS_REGION=us-east-1"}},
		{"oci", "oci://" + registry + "/behind-" + suffix, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conformance(t, testserver.Start(t, testserver.Options{Storage: tc.storage, Env: tc.env}))
		})
	}
}
