package s3_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// coldRun measures the requests of one command as a fresh CI runner makes
// them: a new backend (no connection, no cache), open, then fn.
func coldRun(t testing.TB, o s3.Options, fn func(be *s3.Backend)) storage.Requests {
	be, err := s3.New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	fn(be)
	return be.Requests()
}

// TestColdStartRequests checks the request goals of issues 3 and 15 on a
// tree of 15,000 files, each command run as on a fresh runner without a
// local cache: re-saving the unchanged tree costs at most 15 requests,
// whatever the number of files, also from a new checkout (new mtimes), and
// restoring reads packs, not files.
func TestColdStartRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 15,000 files")
	}
	srv := minio(t)
	o := srv.options()
	if _, err := testrepo.Init(t, open(t, o)); err != nil {
		t.Fatal(err)
	}
	const files = 15000
	dir := t.TempDir()
	for i := 0; i < files; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/d%03d/f%05d.txt", i%150, i), []byte(fmt.Sprintf("file %d %x", i, testrepo.Random(64+i%512))))
	}
	saveOnce := func(be *s3.Backend) {
		repo, err := reopen(be)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		var parent *snapshot.Snapshot
		list, err := snapshot.List(context.Background(), repo)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 0 {
			parent = list[len(list)-1]
		}
		inDir(t, dir, func() {
			_, err = save.Run(context.Background(), repo, save.Options{Paths: []string{"src"}, Name: "tree", Hostname: "ci", Parent: parent})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	first := coldRun(t, o, saveOnce)
	again := coldRun(t, o, saveOnce)
	// A new checkout: the same content with new mtimes, so every tree is new.
	later := time.Now().Add(time.Hour)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, later, later)
		}
		return err
	})
	fresh := coldRun(t, o, saveOnce)
	target := t.TempDir()
	restored := coldRun(t, o, func(be *s3.Backend) {
		repo, err := reopen(be)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		list, err := snapshot.List(context.Background(), repo)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := restore.Run(context.Background(), repo, list[len(list)-1], restore.Options{Target: target}); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("first save of %d files: %+v (total %d)", files, first, first.Total())
	t.Logf("cold re-save, unchanged: %+v (total %d)", again, again.Total())
	t.Logf("cold re-save, new checkout: %+v (total %d)", fresh, fresh.Total())
	t.Logf("cold restore: %+v (total %d)", restored, restored.Total())
	if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore differs: %s", d)
	}
	for what, r := range map[string]storage.Requests{"an unchanged tree": again, "a new checkout of the tree": fresh} {
		if r.Total() > 15 {
			t.Errorf("re-saving %s of %d files cost %d requests, the goal is at most 15", what, files, r.Total())
		}
	}
	if restored.Total() > files/100 {
		t.Errorf("restoring %d files cost %d requests: that is close to one per file", files, restored.Total())
	}
}
