// Package coldstart measures the requests a backend costs in the
// fresh-runner scenarios of issues 3 and 15 (a first save, a re-save of
// the unchanged tree, a re-save of a new checkout of it, a restore), each run as a new CI runner makes it: a new
// backend (no connection, no cache), open, then the command. Backend
// tests (s3, remote) pin their figures with it.
package coldstart

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// Result holds the requests of each scenario.
type Result struct {
	First, Again, Restore storage.Requests
	// Fresh is the re-save of a new checkout: the same content with new
	// mtimes, so every file is read again and every tree is new.
	Fresh storage.Requests
}

// Run writes a tree of files small files, initializes a repository on a
// first backend from open, then saves, saves again, saves a new checkout
// and restores, each on a new backend from open, and checks the restored tree. open must return a
// storage.RequestCounter.
func Run(t *testing.T, files int, open func() storage.Backend) Result {
	t.Helper()
	be := open()
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	be.Close()
	dir := t.TempDir()
	for i := 0; i < files; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/d%03d/f%05d.txt", i%150, i), []byte(fmt.Sprintf("file %d %x", i, testrepo.Random(64+i%512))))
	}
	run := func(fn func(repo *repository.Repository)) storage.Requests {
		be := open()
		defer be.Close()
		repo, err := repository.Open(context.Background(), be, repository.OpenOptions{Password: "test-password"})
		if err != nil {
			t.Fatal(err)
		}
		fn(repo)
		repo.Close()
		return be.(storage.RequestCounter).Requests()
	}
	latest := func(repo *repository.Repository) *snapshot.Snapshot {
		list, err := snapshot.List(context.Background(), repo)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			return nil
		}
		return list[len(list)-1]
	}
	saveOnce := func(repo *repository.Repository) {
		parent := latest(repo)
		t.Chdir(dir)
		_, err := save.Run(context.Background(), repo, save.Options{Paths: []string{"src"}, Name: "tree", Hostname: "ci", Parent: parent})
		if err != nil {
			t.Fatal(err)
		}
	}
	var r Result
	r.First = run(saveOnce)
	r.Again = run(saveOnce)
	later := time.Now().Add(time.Hour)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, later, later)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Fresh = run(saveOnce)
	target := t.TempDir()
	r.Restore = run(func(repo *repository.Repository) {
		if _, err := restore.Run(context.Background(), repo, latest(repo), restore.Options{Target: target}); err != nil {
			t.Fatal(err)
		}
	})
	if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore differs: %s", d)
	}
	t.Logf("first save of %d files: %+v (total %d)", files, r.First, r.First.Total())
	t.Logf("cold re-save, unchanged: %+v (total %d)", r.Again, r.Again.Total())
	t.Logf("cold re-save, new checkout: %+v (total %d)", r.Fresh, r.Fresh.Total())
	t.Logf("cold restore: %+v (total %d)", r.Restore, r.Restore.Total())
	return r
}
