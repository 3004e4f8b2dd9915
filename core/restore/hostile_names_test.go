package restore_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
)

// Names that cannot be restored safely are refused one by one, shown
// printable, and nothing is written for them or below them.
func TestHostileNames(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeHostile(t, repo,
			file("..", "pwned"),
			file(".", "pwned"),
			file("", "pwned"),
			file("a/b", "pwned"),
			file("../sentinel/secret", "pwned"),
			file("/etc-passwd", "pwned"),
			file("nul\x00byte", "pwned"),
			file(strings.Repeat("n", 256), "pwned"),
			dir("sub", file("", "pwned"), file("esc\x1b[2J\x7f", "fine"), dir("..", file("secret", "pwned"))),
			dir("bad\x01\x00dir", file("x", "pwned")),
			file("ok", "restored"),
		)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		got := refusedPaths(t, err)
		want := []string{`.`, `..`, `..\x2fsentinel\x2fsecret`, `<empty name>`, `\x2fetc-passwd`, `a\x2fb`, `bad\x01\x00dir`, strings.Repeat("n", 256), `nul\x00byte`, `sub/..`, `sub/<empty name>`}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("refused %q\nwant    %q", got, want)
		}
		w.unchanged(t)
		if b, _ := os.ReadFile(filepath.Join(w.target, "ok")); string(b) != "restored" {
			t.Fatal("the valid entry was not restored")
		}
		if b, _ := os.ReadFile(filepath.Join(w.target, "sub", "esc\x1b[2J\x7f")); string(b) != "fine" {
			t.Fatal("a name with control bytes is valid and must be restored")
		}
		names, _ := os.ReadDir(w.target)
		if len(names) != 2 {
			t.Fatalf("the target holds %d entries, want ok and sub", len(names))
		}
	})
}

// Two entries of one name in a tree (a link and a directory, so that one
// could be written through the other) make the tree unreadable: the
// restore fails, names the entry and writes nothing.
func TestHostileDuplicateNames(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeUnsorted(t, repo, dir("d", link("l", "x")), link("d", "../sentinel"), dir("d", file("secret", "pwned")))
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target, AllowOutsideLinks: true})
		if err == nil || errors.Is(err, restore.ErrRefused) || !strings.Contains(err.Error(), "name d appears twice") {
			t.Fatalf("want a failed restore naming d: %v", err)
		}
		w.unchanged(t)
		if _, err := os.Lstat(w.target); !os.IsNotExist(err) {
			t.Fatal("a restore whose tree cannot be read must not even create the target")
		}
		s = writeUnsorted(t, repo, dir("a", file("z", "1"), file("b", "2")))
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err == nil || !strings.Contains(err.Error(), "a: tree") || !strings.Contains(err.Error(), "names not sorted (z before b)") {
			t.Fatalf("want a failed restore naming a and its entries: %v", err)
		}
	})
}
