package oci_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestColdStartRequests runs the real save and restore of a tree of 3,000
// files against a token-auth registry, each command as on a fresh runner
// (a new backend: no connection, no token, no cache), and checks the
// requests its counting transport saw (the figures in docs/FORMAT.md): a
// re-save of the unchanged tree within S3's goal of 20 requests, a restore
// that reads packs, not files.
func TestColdStartRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,000 files")
	}
	_, host := bearerRegistry(t)
	ctx := t.Context()
	opts := oci.Options{Username: "ci", Password: "job-token"}
	loc := newBackend(t, host, opts).Location()
	cold := func(fn func(repo *repository.Repository)) storage.Requests {
		be, err := oci.New(loc, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer be.Close()
		repo, err := repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"})
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		fn(repo)
		return be.Requests()
	}
	init, err := oci.New(loc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testrepo.Init(t, init); err != nil {
		t.Fatal(err)
	}

	const files = 3000
	dir := t.TempDir()
	for i := 0; i < files; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/d%02d/f%04d.txt", i%30, i), []byte(fmt.Sprintf("file %d %x", i, testrepo.Random(64+i%512))))
	}
	t.Chdir(dir)
	saveTree := func(repo *repository.Repository) {
		list, err := snapshot.List(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		var parent *snapshot.Snapshot
		if len(list) > 0 {
			parent = list[len(list)-1]
		}
		if _, err := save.Run(ctx, repo, save.Options{Paths: []string{"src"}, Name: "tree", Hostname: "ci", Parent: parent}); err != nil {
			t.Fatal(err)
		}
	}
	first := cold(saveTree)
	again := cold(saveTree)
	target := t.TempDir()
	restored := cold(func(repo *repository.Repository) {
		list, err := snapshot.List(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := restore.Run(ctx, repo, list[len(list)-1], restore.Options{Target: target}); err != nil {
			t.Fatal(err)
		}
	})
	for _, r := range []struct {
		what string
		req  storage.Requests
	}{{"first save", first}, {"cold re-save, unchanged", again}, {"cold restore", restored}} {
		t.Logf("%s of %d files: %d requests %+v", r.what, files, r.req.Total(), r.req)
	}
	if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("the restored tree differs: %s", d)
	}
	// The re-save writes its session marker and snapshot (3 PUT each: open
	// upload, blob, manifest) and reads no data pack.
	if again.Total() > 20 || again.Put < 6 {
		t.Errorf("re-saving an unchanged tree of %d files cost %+v (%d requests), the goal is at most 20", files, again, again.Total())
	}
	if restored.Total() > files/100 || restored.Put+restored.Delete != 0 {
		t.Errorf("restoring %d files cost %+v (%d requests): want reads only, far fewer than one per file", files, restored, restored.Total())
	}
	// One tags listing serves the keys, snapshots and index of a restore;
	// a save lists once more after writing its session marker (tagcache.go).
	if restored.List != 1 || again.List != 2 {
		t.Errorf("tags listings: restore %d, re-save %d; want 1 and 2", restored.List, again.List)
	}
}
