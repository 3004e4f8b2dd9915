//go:build unix

package restore_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func makeTree(t *testing.T, dir string) {
	testrepo.WriteFile(t, dir, "src/a.txt", []byte("hello"))
	testrepo.WriteFile(t, dir, "src/big.bin", testrepo.Random(900<<10))
	testrepo.WriteFile(t, dir, "src/empty", nil)
	testrepo.WriteFile(t, dir, "src/deep/er/x.go", []byte("package x"))
	os.MkdirAll(filepath.Join(dir, "src/emptydir"), 0o755)
	os.Symlink("a.txt", filepath.Join(dir, "src/link"))
	os.Chmod(filepath.Join(dir, "src/a.txt"), 0o600)
	os.Chmod(filepath.Join(dir, "src/deep/er/x.go"), 0o755|os.ModeSetuid)
	os.Chmod(filepath.Join(dir, "src/emptydir"), 0o750|os.ModeSticky)
	if os.Geteuid() == 0 {
		os.Lchown(filepath.Join(dir, "src/a.txt"), 1234, 5678)
	}
}

func TestRoundTrip(t *testing.T) {
	repo, be := testrepo.New(t)
	work := t.TempDir()
	makeTree(t, work)
	t.Chdir(work)
	snap, err := save.Run(t.Context(), repo, save.Options{Paths: []string{"src"}, Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Stats.Files != 4 || snap.Stats.BytesNew == 0 {
		t.Fatalf("stats: %+v", snap.Stats)
	}
	target := t.TempDir()
	repo2 := testrepo.Reopen(t, be)
	res, err := restore.Run(t.Context(), repo2, snap, restore.Options{Target: target, SameOwner: true, KeepSpecialBits: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 4 || res.Symlinks != 1 {
		t.Fatalf("restore result %+v", res)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatal(d)
	}
	if os.Geteuid() == 0 {
		fi, _ := os.Lstat(filepath.Join(target, "src/a.txt"))
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1234 || st.Gid != 5678 {
			t.Fatalf("owner %d:%d not restored", st.Uid, st.Gid)
		}
	}
	fi, _ := os.Stat(filepath.Join(target, "src/emptydir"))
	if fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o750 {
		t.Fatalf("directory mode %v not restored", fi.Mode())
	}

	// By default the special bits are dropped and owners not restored.
	plain := t.TempDir()
	if _, err := restore.Run(t.Context(), repo2, snap, restore.Options{Target: plain}); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]os.FileMode{"src/deep/er/x.go": 0o755, "src/emptydir": os.ModeDir | 0o750, "src/a.txt": 0o600} {
		fi, err := os.Lstat(filepath.Join(plain, rel))
		if err != nil || fi.Mode() != want {
			t.Fatalf("%s: mode %v, want %v (%v)", rel, fi.Mode(), want, err)
		}
		if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != os.Geteuid() {
			t.Fatalf("%s: owner %d, want the restoring user %d", rel, st.Uid, os.Geteuid())
		}
	}
}
