package s3_test

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/coldstart"
)

// maxReSave is issue 15's bound on a fresh-runner re-save, whatever the
// format: at most 15 requests.
const maxReSave = 15

// TestColdStartRequests checks the request goals of issues 3 and 15 on a
// tree of 15,000 files, each command run as on a fresh runner without a
// local cache: re-saving the unchanged tree costs at most maxReSave
// requests, whatever the number of files, also from a new checkout (new
// mtimes), and restoring reads packs, not files.
func TestColdStartRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 15,000 files")
	}
	srv := minio(t)
	o := srv.options()
	open(t, o) // creates the bucket
	const files = 15000
	r := coldstart.Run(t, files, func() storage.Backend {
		be, err := s3.New(o)
		if err != nil {
			t.Fatal(err)
		}
		return be
	})
	for what, req := range map[string]storage.Requests{"an unchanged tree": r.Again, "a new checkout of the tree": r.Fresh} {
		if req.Total() > maxReSave {
			t.Errorf("re-saving %s of %d files cost %d requests %+v, the goal is at most %d", what, files, req.Total(), req, maxReSave)
		}
	}
	if r.Restore.Total() > files/100 {
		t.Errorf("restoring %d files cost %d requests: that is close to one per file", files, r.Restore.Total())
	}
}
