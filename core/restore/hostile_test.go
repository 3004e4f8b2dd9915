package restore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

// A target that already holds symlinks (left by a job, or planted) must be
// written without following them.
func TestExistingSymlinksInTargetAreNotFollowed(t *testing.T) {
	repo, _ := testrepo.New(t)
	work, target, outside := t.TempDir(), t.TempDir(), t.TempDir()
	testrepo.WriteFile(t, work, "data/sub/file.txt", []byte("snapshot content"))
	testrepo.WriteFile(t, work, "data/top.txt", []byte("top"))
	t.Chdir(work)
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{"data"}})
	if err != nil {
		t.Fatal(err)
	}
	// Plant: target/data -> outside (a symlinked parent) ...
	os.Symlink(outside, filepath.Join(target, "data"))
	testrepo.WriteFile(t, outside, "top.txt", []byte("victim"))
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "top.txt")); string(b) != "victim" {
		t.Fatal("restore wrote through a symlinked parent")
	}
	if fi, _ := os.Lstat(filepath.Join(target, "data")); !fi.IsDir() {
		t.Fatal("the planted symlink should have been replaced by a directory")
	}
	// ... and a file path that is a symlink to a file outside.
	victim := filepath.Join(outside, "victim2")
	os.WriteFile(victim, []byte("keep"), 0o644)
	os.Remove(filepath.Join(target, "data/top.txt"))
	os.Symlink(victim, filepath.Join(target, "data/top.txt"))
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatal("restore wrote through a symlinked file")
	}
	if d := testrepo.Equal(t, filepath.Join(work, "data"), filepath.Join(target, "data")); d != "" {
		t.Fatal(d)
	}
}

func TestTamperedDataFailsRestore(t *testing.T) {
	repo, be := testrepo.New(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "d/f", testrepo.Random(100<<10))
	t.Chdir(work)
	snap, _ := save.Run(ctx, repo, save.Options{Paths: []string{"d"}})
	be.List(ctx, storage.KindData, func(fi storage.Info) error {
		be.Corrupt(storage.Handle{Kind: storage.KindData, Name: fi.Name}, 5)
		return nil
	})
	_, err := restore.Run(ctx, testrepo.Reopen(t, be), snap, restore.Options{Target: t.TempDir()})
	if !errors.Is(err, repository.ErrCorrupted) {
		t.Fatalf("restore of tampered data: %v", err)
	}
}

func TestIncludes(t *testing.T) {
	repo, _ := testrepo.New(t)
	work, target := t.TempDir(), t.TempDir()
	testrepo.WriteFile(t, work, "p/a/x.go", []byte("x"))
	testrepo.WriteFile(t, work, "p/a/y.txt", []byte("y"))
	testrepo.WriteFile(t, work, "p/b/z.go", []byte("z"))
	t.Chdir(work)
	snap, _ := save.Run(ctx, repo, save.Options{Paths: []string{"p"}})
	res, err := restore.Run(ctx, repo, snap, restore.Options{Target: target, Includes: []string{"*.go"}})
	if err != nil || res.Files != 2 {
		t.Fatalf("include *.go: %v, %d files", err, res.Files)
	}
	if _, err := os.Stat(filepath.Join(target, "p/a/y.txt")); err == nil {
		t.Fatal("an excluded file was restored")
	}
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target, Includes: []string{"nothing*"}}); err == nil {
		t.Fatal("an include that matches nothing must be an error")
	}
}
