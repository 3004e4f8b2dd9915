package remote_test

import (
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/coldstart"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// maxReSave is issue 13's bound: what a fresh-runner re-save of an
// unchanged tree cost through S3 when the server was built; issue 15 holds
// a re-save of a new checkout (new mtimes) to it too.
const maxReSave = 15

// TestColdStartRequests runs the fresh-runner scenarios on S3 (MinIO) and
// through a real server with an append token, the way a CI job holds one:
// a re-save of an unchanged 15,000-file tree costs no more requests
// through the server than on S3 (and at most maxReSave), so does a re-save
// of a new checkout, and a restore reads packs, not files.
func TestColdStartRequests(t *testing.T) {
	const files = 15000
	m := testenv.RequireMinIO(t)
	so := s3.Options{Bucket: testenv.Unique("sp-remote-coldstart-"), Endpoint: "http://" + m.Endpoint,
		Credentials: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")}
	viaS3 := coldstart.Run(t, files, func() storage.Backend {
		be, err := s3.New(so)
		if err != nil {
			t.Fatal(err)
		}
		return be
	})
	srv := testserver.Start(t, testserver.Options{})
	token := srv.Token("cold", "append")
	viaServer := coldstart.Run(t, files, func() storage.Backend {
		be, err := remote.New(remote.Options{URL: srv.Repo("cold"), Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return be // the first one creates the repository (init)
	})
	if got, s3 := viaServer.Again.Total(), viaS3.Again.Total(); got > s3 || got > maxReSave {
		t.Errorf("re-saving an unchanged tree of %d files cost %d requests through the server %+v, %d on S3 (bound %d)", files, got, viaServer.Again, s3, maxReSave)
	}
	if got, s3 := viaServer.Fresh.Total(), viaS3.Fresh.Total(); got > s3 || got > maxReSave {
		t.Errorf("re-saving a new checkout of %d files cost %d requests through the server %+v, %d on S3 (bound %d)", files, got, viaServer.Fresh, s3, maxReSave)
	}
	if got := viaServer.Restore.Total(); got > files/100 {
		t.Errorf("restoring %d files through the server cost %d requests: that is close to one per file", files, got)
	}
}
