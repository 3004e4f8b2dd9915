package s3_test

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/coldstart"
)

// TestColdStartRequests checks the request goals of issue 3 on a tree of
// 15,000 files, each command run as on a fresh runner without a local
// cache: re-saving the unchanged tree costs at most 20 requests, whatever
// the number of files, and restoring reads packs, not files.
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
	if r.Again.Total() > 20 {
		t.Errorf("re-saving an unchanged tree of %d files cost %d requests, the goal is at most 20", files, r.Again.Total())
	}
	if r.Restore.Total() > files/100 {
		t.Errorf("restoring %d files cost %d requests: that is close to one per file", files, r.Restore.Total())
	}
}
