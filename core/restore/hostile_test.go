package restore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

// hostile commits a snapshot whose root tree holds the given nodes, as a
// malicious or buggy writer could.
func hostile(t *testing.T, repo *repository.Repository, nodes ...tree.Node) *snapshot.Snapshot {
	t.Helper()
	content := []byte("pwned")
	cid := repo.Hash(content)
	repo.SaveBlob(ctx, repository.DataBlob, cid, content)
	for i := range nodes {
		if nodes[i].Type == tree.File {
			nodes[i].Content = []repository.ID{cid}
			nodes[i].Size = uint64(len(content))
			nodes[i].Mode = 0o644
		}
	}
	// Encode by hand: tree.Save sorts, but hostile trees need not be sane.
	id, err := tree.Save(ctx, repo, &tree.Tree{Nodes: nodes})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := &snapshot.Snapshot{Tree: &id}
	if _, err := snapshot.Save(ctx, repo, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRefusesEscapingNames(t *testing.T) {
	repo, _ := testrepo.New(t)
	base := t.TempDir()
	target := filepath.Join(base, "target")
	s := hostile(t, repo,
		tree.Node{Name: "..", Type: tree.File},
		tree.Node{Name: "../escaped", Type: tree.File},
		tree.Node{Name: "/etc-passwd", Type: tree.File},
		tree.Node{Name: "ok", Type: tree.File},
	)
	res, err := restore.Run(ctx, repo, s, restore.Options{Target: target})
	if !errors.Is(err, restore.ErrRefused) || len(res.Refused) != 3 {
		t.Fatalf("want 3 refused entries, got %v %v", err, res.Refused)
	}
	if _, err := os.Stat(filepath.Join(base, "escaped")); err == nil {
		t.Fatal("a file was written outside the target")
	}
	if b, _ := os.ReadFile(filepath.Join(target, "ok")); string(b) != "pwned" {
		t.Fatal("the valid entry was not restored")
	}
}

func TestRefusesLinksPointingOut(t *testing.T) {
	repo, _ := testrepo.New(t)
	target := t.TempDir()
	s := hostile(t, repo,
		tree.Node{Name: "abs", Type: tree.Symlink, Target: "/etc/passwd"},
		tree.Node{Name: "up", Type: tree.Symlink, Target: "../../outside"},
		tree.Node{Name: "inside", Type: tree.Symlink, Target: "ok"},
		tree.Node{Name: "ok", Type: tree.File},
	)
	res, err := restore.Run(ctx, repo, s, restore.Options{Target: target})
	if !errors.Is(err, restore.ErrRefused) || len(res.Refused) != 2 || !strings.Contains(err.Error(), "allow-outside-links") {
		t.Fatalf("want the two escaping links refused with a hint: %v %v", err, res.Refused)
	}
	if l, err := os.Readlink(filepath.Join(target, "inside")); err != nil || l != "ok" {
		t.Fatalf("the inside link was not restored: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(target, "abs")); err == nil {
		t.Fatal("an absolute link was restored")
	}
	other := t.TempDir()
	if _, err := restore.Run(ctx, repo, s, restore.Options{Target: other, AllowOutsideLinks: true}); err != nil {
		t.Fatalf("with AllowOutsideLinks: %v", err)
	}
	if l, _ := os.Readlink(filepath.Join(other, "abs")); l != "/etc/passwd" {
		t.Fatal("AllowOutsideLinks must restore the link")
	}
}

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
