//go:build !windows

package restore

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// eachResolver runs fn against a fresh target with every resolver this
// system has: openat2 (Linux) and the portable walk, so that the fallback
// is exercised wherever the tests run.
func eachResolver(t *testing.T, fn func(t *testing.T, tg *target, dir string)) {
	for _, name := range []string{"openat2", "walk"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "target"), 0o755); err != nil {
				t.Fatal(err)
			}
			tg, err := openTarget(filepath.Join(dir, "target"))
			if err != nil {
				t.Fatal(err)
			}
			defer tg.close()
			switch name {
			case "walk":
				tg.res = walk{}
			case "openat2":
				if _, ok := tg.res.(walk); ok {
					t.Skip("this kernel has no openat2") // walk is tested below
				}
			}
			fn(t, tg, dir)
		})
	}
}

func TestResolversStayBeneath(t *testing.T) {
	eachResolver(t, func(t *testing.T, tg *target, dir string) {
		tgt := filepath.Join(dir, "target")
		os.WriteFile(filepath.Join(dir, "outside"), []byte("keep"), 0o644)
		os.MkdirAll(filepath.Join(tgt, "a/b"), 0o755)
		os.WriteFile(filepath.Join(tgt, "a/b/f"), []byte("in"), 0o644)
		os.Symlink("..", filepath.Join(tgt, "a/up"))        // inside, but a link
		os.Symlink(dir, filepath.Join(tgt, "a/out"))        // outside
		os.Symlink("f", filepath.Join(tgt, "a/b/lf"))       // a link as last component
		os.Symlink("../outside", filepath.Join(tgt, "esc")) // outside, last component

		fd, err := tg.open("a/b/f", unix.O_RDONLY, 0)
		if err != nil {
			t.Fatalf("a plain path: %v", err)
		}
		unix.Close(fd)
		for _, rel := range []string{"../outside", "a/../../outside", "/etc/passwd", "a/up/a/b/f", "a/out/outside", "a/b/lf", "esc"} {
			fd, err := tg.open(rel, unix.O_RDONLY, 0)
			if err == nil {
				unix.Close(fd)
				t.Errorf("%s opened", rel)
			}
		}
		// Creating over a final link fails instead of following it.
		if fd, err := tg.open("esc", unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, 0o600); err == nil {
			unix.Close(fd)
			t.Error("created through a link")
		}
		if _, _, err := tg.parent("a/out/x"); err == nil {
			t.Error("a parent through a link was opened")
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "outside")); string(b) != "keep" {
			t.Fatal("the file outside changed")
		}
	})
}

func TestTargetReplacesWithoutFollowing(t *testing.T) {
	eachResolver(t, func(t *testing.T, tg *target, dir string) {
		tgt := filepath.Join(dir, "target")
		outside := filepath.Join(dir, "outside")
		os.MkdirAll(filepath.Join(outside, "sub"), 0o755)
		os.WriteFile(filepath.Join(outside, "f"), []byte("keep"), 0o644)
		os.Symlink(outside, filepath.Join(tgt, "dirlink"))
		os.Symlink(filepath.Join(outside, "f"), filepath.Join(tgt, "filelink"))
		os.Link(filepath.Join(outside, "f"), filepath.Join(tgt, "hardlink"))
		os.MkdirAll(filepath.Join(tgt, "full/of/things"), 0o755)
		os.WriteFile(filepath.Join(tgt, "plain"), nil, 0o644)

		if err := tg.mkdir("dirlink"); err != nil {
			t.Fatal(err)
		}
		if err := tg.mkdir("plain"); err != nil {
			t.Fatal(err)
		}
		for _, rel := range []string{"filelink", "hardlink", "full"} {
			fd, err := tg.create(rel)
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			unix.Write(fd, []byte("new"))
			unix.Close(fd)
		}
		if err := tg.symlinkAt(tg.fd, "dirlink", "dirlink", "x"); err != nil {
			t.Fatal(err)
		}
		if l, err := os.Readlink(filepath.Join(tgt, "dirlink")); err != nil || l != "x" {
			t.Fatalf("dirlink: %q %v", l, err)
		}
		if fi, err := os.Lstat(filepath.Join(tgt, "plain")); err != nil || !fi.IsDir() {
			t.Fatal("plain did not become a directory")
		}
		if b, _ := os.ReadFile(filepath.Join(outside, "f")); string(b) != "keep" {
			t.Fatal("written through a link")
		}
		if _, err := os.Stat(filepath.Join(outside, "sub")); err != nil {
			t.Fatal("removed through a link")
		}
		if l, ok, err := tg.readlink("dirlink"); !ok || err != nil || l != "x" {
			t.Fatalf("readlink: %q %v %v", l, ok, err)
		}
		if _, ok, err := tg.readlink("nothing/here"); ok || err != nil {
			t.Fatalf("readlink of a missing path: %v %v", ok, err)
		}
		if _, ok, _ := tg.readlink("dirlink/x"); ok {
			t.Fatal("readlink resolved through a link")
		}
	})
}
